#!/usr/bin/env python3
"""confab-server behind Debian's HAProxy, as docs/server.md sets it up:
HAProxy in TCP mode with send-proxy (v1) on one port and send-proxy-v2 on
another, Confab with --proxy-protocol for HAProxy's address. Clients connect
to HAProxy from 127.0.0.2 and 127.0.0.3; Confab must see those addresses
(its log, its per-address limit), and refuse a client that tries to talk to
it directly with a forged header. HAProxy health-checks both backends every
50 ms (`check`: connect, header, reset) and the HTTP port as the docs say
(`option httpchk GET /healthz` with `check-send-proxy`): Confab counts the
checks and logs not one line for them.

Usage: behind_haproxy.py PATH-TO-confab-server
"""

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


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {what}")
        time.sleep(0.05)


def hello(port, nick, source):
    """Connects from `source`, says hello, returns the first reply's type (or code)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as chat:
        chat.sendall(json.dumps({"type": "hello", "nick": nick}).encode() + b"\n")
        data = b""
        while b"\n" not in data:
            chunk = chat.recv(4096)
            if not chunk:
                return "closed"
            data += chunk
        reply = json.loads(data.split(b"\n")[0])
        return reply.get("code") or reply["type"]


def metric(http_port, name, labels=None):
    """One sample of Confab's /metrics, read from loopback (allowed by default),
    from an address that is not the proxy's (which must send a header), a
    new one each time (the server allows one connection per address)."""
    metric.reads = getattr(metric, "reads", 0) + 1
    source = f"127.0.1.{metric.reads % 250 + 1}"
    with socket.create_connection(("127.0.0.1", http_port), timeout=10, source_address=(source, 0)) as web:
        web.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        body = b""
        while chunk := web.recv(65536):
            body += chunk
    wanted = name + ("{" + labels + "}" if labels else "")
    for line in body.decode().splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return -1


def http_through(port, path):
    """The status line of GET `path` through a proxy port."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as web:
        web.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return web.recv(4096).decode(errors="replace")


def refused(sock):
    """Closed (or reset) by the server without an answer."""
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def main():
    server_binary = sys.argv[1]
    if not shutil.which("haproxy"):
        print("skip: haproxy is not installed (./test.sh installs it)")
        return 0
    with tempfile.TemporaryDirectory(prefix="confab-haproxy-") as work:
        ports_file = os.path.join(work, "ports.json")
        log_path = os.path.join(work, "server.log")
        with open(log_path, "wb") as log:
            server = subprocess.Popen([server_binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
                                       "--db", os.path.join(work, "h.db"), "--port-file", ports_file, "--discovery-port", "0",
                                       "--proxy-protocol", "127.0.0.1", "--max-connections-per-address", "1"],
                                      stdout=log, stderr=subprocess.STDOUT)
        proxy = None
        try:
            wait_for(lambda: os.path.exists(ports_file), 20, "confab-server to listen")
            with open(ports_file) as handle:
                ports = json.load(handle)
            confab, confab_http = ports["tcp"], ports["http"]
            v1_port, v2_port, http_port = free_port(), free_port(), free_port()
            config = os.path.join(work, "haproxy.cfg")
            with open(config, "w") as handle:
                handle.write(f"""global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend via_v1
    bind 127.0.0.1:{v1_port}
    default_backend confab_v1
backend confab_v1
    server confab 127.0.0.1:{confab} source 127.0.0.1 send-proxy check inter 50ms
frontend via_v2
    bind 127.0.0.1:{v2_port}
    default_backend confab_v2
backend confab_v2
    server confab 127.0.0.1:{confab} source 127.0.0.1 send-proxy-v2 check inter 50ms
frontend via_http
    bind 127.0.0.1:{http_port}
    default_backend confab_http
backend confab_http
    option httpchk GET /healthz
    http-check expect status 200
    server confab 127.0.0.1:{confab_http} source 127.0.0.1 send-proxy-v2 check-send-proxy check inter 50ms
""")
            check(subprocess.run(["haproxy", "-c", "-f", config], capture_output=True).returncode == 0,
                  "HAProxy accepts the configuration")
            proxy = subprocess.Popen(["haproxy", "-db", "-f", config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

            def proxy_ready():
                try:
                    with socket.create_connection(("127.0.0.1", v2_port), timeout=1):
                        return True
                except OSError:
                    return False

            wait_for(proxy_ready, 20, "HAProxy to listen")

            # Health checks: counted, never logged nor refused.
            wait_for(lambda: metric(confab_http, "confab_health_checks_total") >= 30, 20, "30 health checks")
            with open(log_path, encoding="utf-8", errors="replace") as handle:
                quiet = [line for line in handle if "refused" in line or "connected" in line]
            check(quiet == [], "HAProxy's health checks log nothing: " + "".join(quiet[:3]))
            check(metric(confab_http, "confab_connections_refused_total", 'reason="proxy_header"') == 0,
                  "health checks are not counted as refusals")
            # A health check of the proxy's own, held open (a v2 LOCAL header
            # and nothing more) while a client from the proxy's address asks
            # through it: the check must not count against that address.
            with socket.create_connection(("127.0.0.1", confab_http), timeout=10) as pending_check:
                pending_check.sendall(b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00")
                check(http_through(http_port, "/healthz").startswith("HTTP/1.1 200"),
                      "/healthz answers through HAProxy (httpchk with check-send-proxy)")

            check(hello(v1_port, "via_v1", "127.0.0.2") == "welcome", "a client through send-proxy gets in")
            check(hello(v2_port, "via_v2", "127.0.0.3") == "welcome", "a client through send-proxy-v2 gets in")
            # One connection per address: a second one from 127.0.0.2, held
            # open, is refused, while 127.0.0.3 still gets in.
            with socket.create_connection(("127.0.0.1", v2_port), timeout=10, source_address=("127.0.0.2", 0)) as held:
                held.sendall(b'{"type":"hello","nick":"held"}\n')
                held.recv(4096)
                check(hello(v1_port, "second", "127.0.0.2") == "server_full",
                      "the per-address limit counts the client behind the proxy")
                check(hello(v2_port, "other", "127.0.0.3") == "welcome", "another client is not affected")
            # Straight to Confab from HAProxy's own address, with a forged header: refused.
            with socket.create_connection(("127.0.0.1", confab), timeout=10) as direct:
                direct.sendall(b'{"type":"hello","nick":"no_header"}\n')
                check(refused(direct), "a connection from the proxy's address without a header is refused")
            with socket.create_connection(("127.0.0.1", confab), timeout=10, source_address=("127.0.0.9", 0)) as forged:
                forged.sendall(b"PROXY TCP4 198.51.100.1 127.0.0.1 1 2\r\n" + b'{"type":"hello","nick":"forged"}\n')
                check(refused(forged), "a header from an address that is not a proxy is refused")
        finally:
            if proxy:
                proxy.terminate()
                proxy.wait(10)
            server.terminate()
            server.wait(20)
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            log_text = handle.read()
        check(" 127.0.0.2:" in log_text and " 127.0.0.3:" in log_text,
              "Confab's log names the clients, not HAProxy")
    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
