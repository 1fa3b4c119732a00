#!/usr/bin/env python3
"""Writes a program's manual page from its own --help (QCommandLineParser's
layout), so the two never disagree: NAME and SYNOPSIS from the usage line,
DESCRIPTION from the lines under it, OPTIONS one entry an option, then the
sections this file keeps for each program (files, signals, examples). The
page is gzipped as Debian keeps manual pages (gzip -9n: no name, no time).

Usage: manpage.py PROGRAM NAME SECTION OUTPUT.gz
"""

import gzip
import os
import re
import subprocess
import sys

SUMMARY = {
    "confab-server": "the Confab chat server",
    "confab": "the Confab desktop chat client",
}

# Sections beyond what --help says, in roff.
EXTRA = {
    "confab-server": r""".SH ACCOUNTS
.TP
.B confab-server \-\-db DB account add NAME
Makes an account (an operator's, or a member's on a server with
\-\-require\-account). The password is asked twice without echo at a
terminal, or read as one line of standard input.
.TP
.B confab-server \-\-db DB account reset-password NAME
Sets a new password, read the same way.
.TP
.B confab-server \-\-db DB account rename NAME NEW
Renames an account, with its rooms, bans and conversations.
.TP
.B confab-server \-\-db DB account delete NAME
Deletes an account; its messages stay.
.TP
.B confab-server \-\-db DB account list
Lists the accounts.
.PP
Each works while the server runs (it takes the change within seconds) and
is written to the audit log. Run them as the server's user, for example
\fBsudo \-u confab\-server confab\-server \-\-db /var/lib/confab/history.db account list\fR.
.SH SIGNALS
.TP
.B SIGHUP
Reads the configuration again; nobody is disconnected. A file with a
mistake changes nothing and the log says why.
.TP
.B SIGTERM, SIGINT
Tells clients, stores pending messages, exits with code 0.
.SH EXIT STATUS
0 after a clean stop or a command that worked; 1 when the settings or a
command are wrong (one line on standard error says why).
.SH FILES
.TP
.I /etc/confab/confab-server.ini
The configuration the packaged unit reads (\-\-config).
.TP
.I /var/lib/confab/history.db
History, accounts and moderation (SQLite), with its \-wal and \-shm files.
.TP
.I /usr/share/doc/confab-server/server.md
Running the server: hosting behind a proxy, TLS, backups, metrics.
.TP
.I /usr/share/doc/confab-server/protocol.md
The protocol clients speak.
.SH EXAMPLES
Check a configuration before using it:
.PP
.RS
confab-server \-\-config /etc/confab/confab-server.ini \-\-check-config
.RE
.SH SEE ALSO
.BR confab (1),
.BR systemctl (1),
.BR journalctl (1)
""",
    "confab": r""".SH FILES
.TP
.I ~/.config/Confab/confab.conf
The client's settings (servers, nick, window).
.SH SEE ALSO
.BR confab-server (8)
""",
}


def roff(text):
    text = text.replace("\\", "\\\\").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def main():
    program, name, section, output = sys.argv[1:5]
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    helptext = subprocess.run([program, "--help"], capture_output=True, text=True, env=environment,
                              check=True).stdout
    lines = helptext.splitlines()
    usage = lines[0].split(" ", 2)[2] if lines and lines[0].startswith("Usage:") else "[options]"
    description, options, in_options = [], [], False
    for line in lines[1:]:
        if line.strip() == "Options:":
            in_options = True
        elif line.strip() == "Arguments:":
            in_options = True  # the positional arguments, listed like options
        elif not in_options:
            description.append(line)
        elif re.match(r"^  \S", line):
            match = re.match(r"^  (\S.*?)(?:\s{2,}(.*))?$", line)
            options.append([match.group(1), match.group(2) or ""])
        elif options and line.strip():
            options[-1][1] += " " + line.strip()
    page = [f'.TH {name.upper()} {section} "" "Confab" "Confab"',
            ".SH NAME", f"{roff(name)} \\- {SUMMARY.get(name, name)}",
            ".SH SYNOPSIS", f".B {roff(name)}", roff(usage),
            ".SH DESCRIPTION"]
    page += [roff(line) if line.strip() else ".PP" for line in description]
    page.append(".SH OPTIONS")
    for option, text in options:
        if option.startswith("--help-all"):
            continue
        page += [".TP", f".B {roff(option)}", roff(text.strip())]
    page.append(EXTRA.get(name, "").rstrip("\n"))
    with open(output, "wb") as handle:
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=9, mtime=0) as packed:
            packed.write(("\n".join(page) + "\n").encode())


if __name__ == "__main__":
    main()
