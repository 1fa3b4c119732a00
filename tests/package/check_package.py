#!/usr/bin/env python3
"""Builds the Debian packages with CPack into a temporary directory and
checks what an operator gets: files, conffiles, dependencies, maintainer
scripts, the unit's systemd exposure score, and that the server still runs
with writable-and-executable memory refused (the unit's
MemoryDenyWriteExecute). Nothing is installed on this machine."""

import argparse
import glob
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def run(*command, cwd=None):
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def field(info, name):
    for line in info.splitlines():
        if line.strip().startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def check_server(deb, work):
    os.makedirs(work)
    contents = run("dpkg-deb", "-c", deb)
    for path in ("./usr/bin/confab-server", "./lib/systemd/system/confab-server.service",
                 "./etc/confab/confab-server.ini", "./usr/lib/sysusers.d/confab-server.conf"):
        check(path in contents, f"confab-server contains {path}")
    check("./usr/bin/confab " not in contents + " ", "confab-server does not carry the desktop client")
    info = run("dpkg-deb", "-I", deb)
    check(field(info, "Package") == "confab-server", "package name confab-server")
    depends = field(info, "Depends")
    for dependency in ("libqt6sql6-sqlite", "libqt6core6", "libqt6network6", "libqt6websockets6", "libcrypt1",
                       "adduser"):
        check(dependency in depends, f"confab-server depends on {dependency}")
    control = os.path.join(work, "control")
    run("dpkg-deb", "-e", deb, control)
    with open(os.path.join(control, "conffiles")) as conffiles:
        check("/etc/confab/confab-server.ini" in conffiles.read().split(), "the configuration is a conffile")
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, script)
        check(os.path.exists(path) and os.access(path, os.X_OK), f"maintainer script {script} is executable")
    with open(os.path.join(control, "postrm")) as postrm:
        text = postrm.read()
        executed = [line for line in text.splitlines() if not line.strip().startswith(("#", "echo"))]
        check(not any("/var/lib/confab" in line and "rm " in line for line in executed) and "deluser" not in text,
              "purge keeps the history and accounts in /var/lib/confab, and the user")
        check("are kept" in text and "rm -rf /var/lib/confab" in text,
              "purge says the data is kept, and how to delete it")

    files = os.path.join(work, "files")
    run("dpkg-deb", "-x", deb, files)
    unit = os.path.join(files, "lib/systemd/system/confab-server.service")
    with open(unit) as handle:
        text = handle.read()
    for setting in ("Type=notify", "User=confab-server", "StateDirectory=confab", "ConfigurationDirectory=confab",
                    "ExecStart=/usr/bin/confab-server", "ExecReload=/bin/kill -HUP"):
        check(setting in text, f"the unit has {setting}")
    check("--check-config" in text.split("ExecReload=", 1)[1].splitlines()[0],
          "the unit checks the configuration before it reloads")
    documentation = next((line for line in text.splitlines() if line.startswith("Documentation=")), "")
    for reference in documentation.split("=", 1)[-1].split():
        if reference.startswith("file://"):
            check(os.path.exists(files + reference[len("file://"):]), f"the unit's {reference} is in the package")
        elif reference.startswith("man:"):
            page = reference[4:].replace("(", ".").rstrip(")")
            check(os.path.exists(os.path.join(files, "usr/share/man/man" + page[-1], page + ".gz")),
                  f"the unit's {reference} is in the package")
        else:
            check(False, f"the unit's Documentation= names something installed, not {reference}")
    check_binary_and_docs(files, "confab-server", "usr/bin/confab-server", "usr/share/man/man8/confab-server.8.gz",
                          ("--check-config", "--proxy-protocol", "account add", "SIGHUP"))
    if shutil.which("systemd-analyze"):
        analysis = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit], capture_output=True,
                                  text=True)
        score = None
        for line in analysis.stdout.splitlines():
            if "Overall exposure level" in line:
                score = float(line.split(":", 1)[1].split()[0])
        print(f"     systemd-analyze exposure: {score}")
        check(score is not None and score <= 2.0, "the unit's exposure is 2.0 or better")
    else:
        print("skip the unit's exposure score: systemd-analyze is not installed")
    return os.path.join(files, "usr/bin/confab-server")


def check_binary_and_docs(files, package, binary, manpage, mentioned):
    """Stripped, with a build id; the documentation Debian expects; a manual
    page that says what --help says."""
    described = run("file", "-L", os.path.join(files, binary))
    check("not stripped" not in described and "stripped" in described, f"{binary} is stripped")
    check("BuildID" in described, f"{binary} has a build id (for its -dbgsym package)")
    doc = os.path.join(files, "usr/share/doc", package)
    for name in ("copyright", "changelog.gz"):
        check(os.path.exists(os.path.join(doc, name)), f"/usr/share/doc/{package}/{name}")
    with gzip.open(os.path.join(doc, "changelog.gz"), "rt") as changelog:
        check(changelog.readline().startswith("confab ("), f"{package}'s changelog is in Debian's format")
    page = os.path.join(files, manpage)
    check(os.path.exists(page), f"{package} has the manual page {manpage}")
    if os.path.exists(page):
        with gzip.open(page, "rt") as handle:
            text = handle.read().replace("\\-", "-")
        check(text.startswith(".TH "), f"{manpage} is a manual page")
        for words in mentioned:
            check(words in text, f"{manpage} mentions {words}")


def check_dbgsym(output, package, files, binary):
    """PACKAGE-dbgsym_*.ddeb holds the debug symbols under the binary's build id."""
    ddebs = glob.glob(os.path.join(output, f"{package}-dbgsym_*.ddeb"))
    check(len(ddebs) == 1, f"cpack made {package}-dbgsym")
    if not ddebs:
        return
    build_id = ""
    for line in run("readelf", "-n", os.path.join(files, binary)).splitlines():
        if "Build ID:" in line:
            build_id = line.split(":", 1)[1].strip()
    contents = run("dpkg-deb", "-c", ddebs[0])
    check(build_id != "" and f"./usr/lib/debug/.build-id/{build_id[:2]}/{build_id[2:]}.debug" in contents,
          f"{package}-dbgsym has the symbols of this {binary}")


def check_client(deb):
    contents = run("dpkg-deb", "-c", deb)
    for path in ("./usr/bin/confab", "./usr/share/applications/org.confab.Confab.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/confab.svg"):
        check(path in contents, f"confab contains {path}")
    depends = field(run("dpkg-deb", "-I", deb), "Depends")
    for dependency in ("libqt6widgets6", "libqt6keychain1"):
        check(dependency in depends, f"confab depends on {dependency}")
    files = tempfile.mkdtemp(prefix="confab-client-")
    run("dpkg-deb", "-x", deb, files)
    check_binary_and_docs(files, "confab", "usr/bin/confab", "usr/share/man/man1/confab.1.gz", ("--connect", "--nick"))
    return files


def check_runs_without_jit_memory(server, work):
    """Starts the packaged server with writable+executable memory refused
    (prctl PR_SET_MDWE, what MemoryDenyWriteExecute= does) and says hello."""
    probe = subprocess.run([sys.executable, "-c",
                            "import ctypes,sys; sys.exit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0)"])
    if probe.returncode != 0:
        print("skip the MemoryDenyWriteExecute run: this kernel has no PR_SET_MDWE")
        return
    ports = os.path.join(work, "ports.json")
    launcher = ("import ctypes,os,sys; ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0 or sys.exit(3); "
                "os.execv(sys.argv[1], sys.argv[1:])")
    process = subprocess.Popen([sys.executable, "-c", launcher, server, "--tcp-port", "0", "--http-port", "0",
                                "--bind", "127.0.0.1", "--db", os.path.join(work, "h.db"), "--port-file", ports, "--discovery-port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(ports) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        check(os.path.exists(ports), "the server starts with writable+executable memory refused")
        if not os.path.exists(ports):
            return
        with open(ports) as handle:
            tcp = json.load(handle)["tcp"]
        with socket.create_connection(("127.0.0.1", tcp), timeout=10) as chat:
            chat.sendall(b'{"type":"hello","nick":"mdwe"}\n')
            check(b'"welcome"' in chat.recv(4096), "and welcomes a client")
    finally:
        process.terminate()
        process.wait(20)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True, help="the CMake build directory")
    options = parser.parse_args()
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            print(f"cannot check the packages: {tool} is not installed (./test.sh installs it)")
            return 1
    with tempfile.TemporaryDirectory(prefix="confab-package-") as work:
        output = os.path.join(work, "out")
        build = subprocess.run(["cpack", "-G", "DEB", "-B", output, "--config",
                                os.path.join(options.build, "CPackConfig.cmake")],
                               cwd=options.build, capture_output=True, text=True)
        if build.returncode != 0:
            print(build.stdout + build.stderr)
            return 1
        servers = glob.glob(os.path.join(output, "confab-server_*.deb"))
        clients = glob.glob(os.path.join(output, "confab_*.deb"))
        check(len(servers) == 1 and len(clients) == 1, "cpack made confab-server_*.deb and confab_*.deb")
        if servers:
            binary = check_server(servers[0], os.path.join(work, "server"))
            check_dbgsym(output, "confab-server", os.path.join(work, "server", "files"), "usr/bin/confab-server")
            check_runs_without_jit_memory(binary, work)
        if clients:
            client_files = check_client(clients[0])
            check_dbgsym(output, "confab", client_files, "usr/bin/confab")
            shutil.rmtree(client_files)
    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
