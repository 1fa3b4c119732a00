#!/usr/bin/env python3
"""The two latency targets of the trust work (docs/performance.md, "Under
attack"), against any confab-server binary, so that a build and the one
before it are measured side by side:

    trust_bench.py --server build/server/confab-server login_storm
    trust_bench.py --server build/server/confab-server history_attack

login_storm: 100 addresses (127.0.4.1-100, or with --networks 100 one in
each of 127.10.0.0/24 to 127.10.99.0/24) send wrong logins as fast as they
are answered, two at a time each, for --seconds; meanwhile a user who
has logged in before logs in from its own address every 200 ms, and a
first-time user from a new address every second. Prints the honest logins'
latency (p50, p95, max) and how many guesses the server evaluated.

history_attack: a room of 200 messages of --quotes '"' each (1,100: 2.2 KB
each as JSON, so that eight pages of 200 stay under the send-queue limit and
the attacker is not simply dropped);
an attacker with two connections whose receive buffers are small asks for
`history` (limit 200) eight times on each, reads nothing for 0.6 s, drains,
and repeats. Meanwhile 20 users ping every 50 ms. Prints the pings' round
trip (p50, p99, max) with and without the attack.

Every socket goes to 127.0.0.0/8; the run is bounded in time and stops by
itself. Each prints one line of key=value results.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "correct horse battery"


class Server:
    def __init__(self, binary, args=()):
        self.directory = tempfile.mkdtemp(prefix="confab-trust-bench-")
        ports = os.path.join(self.directory, "ports.json")
        self.log = open(os.path.join(self.directory, "server.log"), "wb")
        self.process = subprocess.Popen(
            [binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1", "--discovery-port", "0",
             "--db", os.path.join(self.directory, "history.db"), "--port-file", ports] + list(args),
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while not os.path.exists(ports):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.02)
        with open(ports) as f:
            self.port = json.load(f)["tcp"]

    def stop(self):
        self.process.terminate()
        self.process.wait(20)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class Client:
    def __init__(self, port, source="127.0.0.1", rcvbuf=None, timeout=30):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = b""

    def send(self, message_type, **fields):
        fields["type"] = message_type
        self.sock.sendall(json.dumps(fields).encode() + b"\n")

    def receive(self):
        while b"\n" not in self.buffer:
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("closed")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def answer(self, *types):
        while True:
            message = self.receive()
            if message["type"] in types or message["type"] == "error":
                return message

    def close(self):
        self.sock.close()


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def register(port, nick, source):
    client = Client(port, source)
    client.send("hello", nick=nick)
    client.answer("welcome")
    client.send("register", password=PASSWORD, id=1)
    answer = client.answer("registered")
    client.close()
    if answer["type"] != "registered":
        raise SystemExit(f"cannot register {nick}: {answer}")


def timed_login(port, nick, source):
    client = Client(port, source)
    started = time.monotonic()
    client.send("hello", nick=nick, login={"account": nick, "password": PASSWORD})
    answer = client.answer("welcome")
    took = time.monotonic() - started
    client.send("quit")
    client.close()
    return took * 1000, answer.get("code", answer["type"])


def login_storm(binary, seconds, networks):
    server = Server(binary)
    try:
        register(server.port, "regular", "127.0.5.1")
        register(server.port, "newcomer", "127.0.5.2")
        timed_login(server.port, "regular", "127.0.5.1")  # a user who has logged in before
        stop = threading.Event()
        evaluated = [0]
        refused = [0]
        lock = threading.Lock()

        def guess(address, worker):
            try:
                client = Client(server.port, address, timeout=60)
            except OSError:
                return
            n = 0
            while not stop.is_set():
                n += 1
                client.send("hello", nick=f"g{worker}x{n}", login={"account": f"victim{worker}", "password": "nope"})
                try:
                    answer = client.answer("welcome")
                except (OSError, ConnectionError):
                    return
                with lock:
                    if answer.get("code") == "login_failed":
                        evaluated[0] += 1
                    else:
                        refused[0] += 1
                if answer.get("code") == "rate_limited":
                    stop.wait(0.5)  # a real attacker comes back; a pause keeps this loop from spinning
            client.close()

        def address(n):  # the n-th of 100 attacking addresses
            return f"127.0.4.{n + 1}" if networks == 1 else f"127.10.{n % networks}.{n // networks + 1}"

        attackers = [threading.Thread(target=guess, args=(address(i // 2), i), daemon=True) for i in range(200)]
        for thread in attackers:
            thread.start()
        regular, first_time = [], []
        end = time.monotonic() + seconds
        next_newcomer = time.monotonic()
        newcomer_address = 1
        while time.monotonic() < end:
            took, outcome = timed_login(server.port, "regular", "127.0.5.1")
            if outcome == "welcome":
                regular.append(took)
            if time.monotonic() >= next_newcomer:
                newcomer_address += 1
                took, outcome = timed_login(server.port, "newcomer", f"127.0.6.{newcomer_address}")
                if outcome == "welcome":
                    first_time.append(took)
                next_newcomer = time.monotonic() + 1.0
            time.sleep(0.2)  # the honest user's pace, not synchronisation
        stop.set()
        print(f"workload=login_storm seconds={seconds} attackers=100 networks={networks} guesses_evaluated={evaluated[0]} "
              f"guesses_refused={refused[0]} returning_logins={len(regular)} "
              f"returning_p50_ms={percentile(regular, 0.5):.1f} returning_p95_ms={percentile(regular, 0.95):.1f} "
              f"returning_max_ms={max(regular, default=float('nan')):.1f} first_time_logins={len(first_time)} "
              f"first_time_p50_ms={percentile(first_time, 0.5):.1f} "
              f"first_time_p95_ms={percentile(first_time, 0.95):.1f}", flush=True)
    finally:
        server.stop()


def pingers_round_trips(port, seconds, users=20, every=0.05):
    round_trips = []
    lock = threading.Lock()

    def run(n):
        client = Client(port)
        client.send("hello", nick=f"pinger{n}")
        client.answer("welcome")
        end = time.monotonic() + seconds
        mine = []
        i = 0
        while time.monotonic() < end:
            i += 1
            started = time.monotonic()
            client.send("ping", id=i)
            while True:
                message = client.receive()
                if message["type"] == "pong" and message.get("id") == i:
                    break
            mine.append((time.monotonic() - started) * 1000)
            time.sleep(every)  # the pace of the probe
        client.close()
        with lock:
            round_trips.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round_trips


def history_attack(binary, seconds, quotes):
    server = Server(binary, ["--flood-burst", "0"])  # only to fill the room quickly
    try:
        speakers = []
        for i in range(20):
            client = Client(server.port)
            client.send("hello", nick=f"q{i}")
            client.answer("welcome")
            client.send("join", room="quotes")
            client.answer("joined")
            speakers.append(client)
        for client in speakers:
            for _ in range(10):
                client.send("say", room="quotes", text='"' * quotes)
            client.send("ping", id="done")
            while client.receive().get("id") != "done":
                pass
            client.close()
    finally:
        server.process.terminate()
        server.process.wait(20)
        server.log.close()
    # The same database, now with the default limits.
    database = os.path.join(server.directory, "history.db")
    ports = os.path.join(server.directory, "ports.json")
    os.remove(ports)
    server.log = open(os.path.join(server.directory, "server.log"), "ab")
    server.process = subprocess.Popen(
        [binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1", "--discovery-port", "0",
         "--db", database, "--port-file", ports], stdout=server.log, stderr=server.log)
    while not os.path.exists(ports):
        time.sleep(0.02)
    with open(ports) as f:
        server.port = json.load(f)["tcp"]
    try:
        quiet = pingers_round_trips(server.port, seconds)
        stop = threading.Event()
        pages = [0]

        def attack(n):
            client = Client(server.port, rcvbuf=4096, timeout=120)
            client.send("hello", nick=f"attacker{n}")
            client.answer("welcome")
            while not stop.is_set():
                for _ in range(8):
                    client.send("history", room="quotes", limit=200)
                stop.wait(0.6)  # the attack's own rhythm: read nothing for 0.6 s
                answered = 0
                while answered < 8:
                    message = client.receive()
                    if message["type"] in ("history_page", "error"):
                        answered += 1
                        pages[0] += message["type"] == "history_page"
            client.close()

        attackers = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(2)]
        for thread in attackers:
            thread.start()
        loud = pingers_round_trips(server.port, seconds)
        stop.set()
        within = sum(1 for t in loud if t <= 50) / max(1, len(loud)) * 100
        print(f"workload=history_attack seconds={seconds} quotes={quotes} pings_quiet={len(quiet)} "
              f"quiet_p50_ms={percentile(quiet, 0.5):.2f} quiet_p99_ms={percentile(quiet, 0.99):.2f} "
              f"pings_attacked={len(loud)} attacked_p50_ms={percentile(loud, 0.5):.2f} "
              f"attacked_p99_ms={percentile(loud, 0.99):.2f} attacked_max_ms={max(loud, default=0):.1f} "
              f"within_50ms_pct={within:.1f} pages_served={pages[0]}", flush=True)
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="path to confab-server")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--networks", type=int, default=1, help="login_storm: how many /24s the attackers span")
    parser.add_argument("--quotes", type=int, default=1100, help="history_attack: the size of each message")
    parser.add_argument("workload", choices=["login_storm", "history_attack"])
    options = parser.parse_args()
    binary = os.path.abspath(options.server)
    if options.workload == "login_storm":
        login_storm(binary, options.seconds, options.networks)
    else:
        history_attack(binary, options.seconds, options.quotes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
