#!/usr/bin/env python3
"""LAN discovery the way a user's network does it, inside a network
namespace this test creates (unshare -rn) with a veth pair on 10.77.0.0/24:
confab --find-servers, with its default targets (every network's broadcast
address, and 127.0.0.1), finds a confab-server answering on the default
port 7702, by broadcast. Nothing leaves the namespace; the test is skipped,
saying so, where namespaces are not allowed.

Usage: lan_namespace.py PATH-TO-confab-server PATH-TO-confab
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def inner(server_binary, client_binary):
    network = subprocess.run("ip link set lo up && ip link add d0 type veth peer name d1 && ip link set d1 up "
                             "&& ip addr add 10.77.0.1/24 brd + dev d0 && ip link set d0 up", shell=True,
                             capture_output=True, text=True)
    if network.returncode != 0:
        print(f"skip: cannot make a veth pair in the namespace ({network.stderr.strip()})")
        return 0
    with tempfile.TemporaryDirectory() as work:
        ports_file = os.path.join(work, "ports.json")
        server = subprocess.Popen([server_binary, "--tcp-port", "0", "--http-port", "0", "--db",
                                   os.path.join(work, "h.db"), "--port-file", ports_file,
                                   "--name", "Namespace server"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while not os.path.exists(ports_file):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("FAIL the server did not start")
                    return 1
                time.sleep(0.05)
            with open(ports_file) as handle:
                ports = json.load(handle)
            if ports.get("discovery") != 7702:
                print(f"FAIL discovery is not on the default port: {ports}")
                return 1
            environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
            # Inside the namespace only: the client's own defaults, broadcast included.
            environment.pop("CONFAB_DISCOVERY_TARGETS", None)
            found = subprocess.run([client_binary, "--find-servers"], env=environment, capture_output=True,
                                   text=True, timeout=30)
            print(found.stdout.strip())
            lines = [line for line in found.stdout.splitlines() if line.startswith("Namespace server\t")]
            expected = f"10.77.0.1:{ports['tcp']}"
            if found.returncode != 0 or len(lines) != 1 or expected not in lines[0]:
                print(f"FAIL expected one line for Namespace server at {expected}: {found.stdout!r} {found.stderr!r}")
                return 1
            print("ok   found once, by broadcast, under its network address")
            return 0
        finally:
            server.terminate()
            server.wait(20)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        return inner(sys.argv[2], sys.argv[3])
    server_binary, client_binary = sys.argv[1], sys.argv[2]
    if not shutil.which("unshare") or not shutil.which("ip"):
        print("skip: unshare or ip is not installed")
        return 0
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        print("skip: this machine does not allow network namespaces (unshare -rn)")
        return 0
    return subprocess.run(["unshare", "-rn", sys.executable, os.path.abspath(__file__), "--inner", server_binary,
                           client_binary]).returncode


if __name__ == "__main__":
    sys.exit(main())
