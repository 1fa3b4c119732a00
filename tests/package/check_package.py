#!/usr/bin/env python3
"""Builds the Debian packages with CPack into a temporary directory and
checks what an operator gets: files, conffiles, dependencies, maintainer
scripts, the unit's systemd exposure score, and that the server still runs
with writable-and-executable memory refused (the unit's
MemoryDenyWriteExecute). Nothing is installed on this machine."""

import argparse
import glob
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
        check("rm -rf /var/lib/confab" in text and "deluser" not in text, "purge removes the data, not the user")

    files = os.path.join(work, "files")
    run("dpkg-deb", "-x", deb, files)
    unit = os.path.join(files, "lib/systemd/system/confab-server.service")
    with open(unit) as handle:
        text = handle.read()
    for setting in ("Type=notify", "User=confab-server", "StateDirectory=confab", "ConfigurationDirectory=confab",
                    "ExecStart=/usr/bin/confab-server", "ExecReload="):
        check(setting in text, f"the unit has {setting}")
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


def check_client(deb):
    contents = run("dpkg-deb", "-c", deb)
    for path in ("./usr/bin/confab", "./usr/share/applications/org.confab.Confab.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/confab.svg"):
        check(path in contents, f"confab contains {path}")
    depends = field(run("dpkg-deb", "-I", deb), "Depends")
    for dependency in ("libqt6widgets6", "libqt6keychain1"):
        check(dependency in depends, f"confab depends on {dependency}")


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
            check_runs_without_jit_memory(binary, work)
        if clients:
            check_client(clients[0])
    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
