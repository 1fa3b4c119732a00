#!/usr/bin/env python3
"""The desktop client links the server's library too (it can host a server).
A class of the same name on both sides (say the server's Accounts feature and
the client's) is one name for two classes: the linker keeps one definition
of each member it sees twice, and the other side runs the wrong code (it once
crashed in the wrong destructor). This fails if any function is defined in
both the server's and the client's libraries, apart from the classes the
client uses from the server on purpose.

    no_shared_names.py SERVER_LIB CLIENT_LIB...
"""

import subprocess
import sys

# Classes the client takes from the server, the same class on both sides.
SHARED_ON_PURPOSE = ('ServerConfig::',)
# Libraries and the compilers' own: the same code wherever instantiated.
NOT_OURS = ('std::', 'Q', 'void Q', 'Confab::Protocol', '__', 'DW.ref', '_Z', 'typeinfo', 'vtable', 'VTT',
            'guard variable', 'non-virtual thunk to Q', 'bool Q', 'int Q')


def defined(library):
    out = subprocess.run(['nm', '-C', '--defined-only', library], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split(' ', 2)
        if len(parts) == 3 and parts[1] in 'TWVDBR':
            names.add(parts[2])
    return names


def ours(name):
    return (not name.startswith(NOT_OURS) and not name.startswith(SHARED_ON_PURPOSE) and 'std::' not in name
            and 'Confab::Protocol::' not in name and not name.startswith('qt_'))


def main():
    server = {name for name in defined(sys.argv[1]) if ours(name)}
    client = set()
    for library in sys.argv[2:]:
        client |= defined(library)
    both = sorted(server & client)
    if not server:
        print('no symbols read from', sys.argv[1])
        return 1
    if both:
        print('defined by both the server and the client (rename one, or put it in a namespace):')
        for name in both:
            print('  ', name)
        return 1
    print(f'{len(server)} server functions, none also defined by the client')
    return 0


if __name__ == '__main__':
    sys.exit(main())
