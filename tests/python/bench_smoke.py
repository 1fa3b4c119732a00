#!/usr/bin/env python3
"""confab-bench against a real confab-server, tiny and quick: every workload
and both transports run, deliver everything and report their figures.
Speed itself is measured by docs/performance.md, not here.

Also runs the rooms workload against confab-floor, the yardstick server.

Usage: bench_smoke.py PATH-TO-confab-server PATH-TO-confab-bench PATH-TO-confab-floor
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def start_server(binary, directory):
    port_file = os.path.join(directory, "ports.json")
    server = subprocess.Popen(
        [binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
         "--db", os.path.join(directory, "history.db"), "--port-file", port_file, "--discovery-port", "0",
         "--flood-rate", "0", "--max-connections-per-address", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:  # the server says when it listens
        if "listening:" in line:
            break
    with open(port_file) as f:
        ports = json.load(f)
    return server, ports["tcp"], ports["http"]


def start_floor(binary):
    floor = subprocess.Popen([binary, "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = floor.stderr.readline()
    assert "listening on 127.0.0.1:" in line, line
    return floor, int(line.rsplit(":", 1)[1])


def run(bench, *args):
    result = subprocess.run([bench, *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"confab-bench {' '.join(args)} failed: {result.stderr}")
    return dict(item.split("=", 1) for item in result.stdout.split())


def main():
    server_binary, bench, floor_binary = sys.argv[1], sys.argv[2], sys.argv[3]
    passed = 0
    with tempfile.TemporaryDirectory() as directory:
        server, tcp, http = start_server(server_binary, directory)
        try:
            quick = ["--warmup", "0.2", "--duration", "1"]
            for args in (["fanout", "--port", str(tcp), "--receivers", "20", "--window", "10"],
                         ["fanout", "--ws", "--port", str(http), "--receivers", "20", "--window", "10"],
                         ["rooms", "--port", str(tcp), "--rooms", "3", "--members", "4", "--rate", "20"],
                         ["rooms", "--ws", "--port", str(http), "--rooms", "3", "--members", "4", "--rate", "20"]):
                figures = run(bench, *args, *quick, "--server-pid", str(server.pid))
                assert float(figures["deliveries_per_s"]) > 0, figures
                assert figures.get("lost", "0") == "0" and figures["errors"] == "0", figures
                assert float(figures["p99_ms"]) > 0, figures
                assert float(figures["server_rss_mb"]) > 0, figures
                passed += 1
            figures = run(bench, "connect", "--port", str(tcp), "--conns", "200", "--concurrency", "20",
                          "--server-pid", str(server.pid))
            assert figures["logged_in"] == "200" and figures["failures"] == "0", figures
            passed += 1
        finally:
            server.terminate()
            server.wait(timeout=20)
    floor, port = start_floor(floor_binary)
    try:
        figures = run(bench, "rooms", "--port", str(port), "--rooms", "3", "--members", "4", "--rate", "20",
                      "--warmup", "0.2", "--duration", "1", "--server-pid", str(floor.pid))
        assert float(figures["deliveries_per_s"]) > 0 and figures["errors"] == "0", figures
        passed += 1
    finally:
        floor.terminate()
        floor.wait(timeout=20)
    print(f"bench_smoke: {passed} passed, 0 failed")


if __name__ == "__main__":
    main()
