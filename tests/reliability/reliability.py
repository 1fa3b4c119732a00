#!/usr/bin/env python3
"""The reliability suite: what a hostile or an unlucky client (or operator)
can do to confab-server, one case each, against the real server process.

    reliability.py --server build/server/confab-server --list
    reliability.py --server build/server/confab-server disk_full slow_reader_tls

Each case prints one line with its figure (memory, waiting time, messages
lost) and ends with a line 'N passed, N failed'. A case that cannot run on
this machine (no permission to mount a tmpfs, say) says why and counts as
skipped. docs/reliability.md describes every case and what the server
promises.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Closed, Failure, LineClient, Server, Skip, WsClient, connect, expect,  # noqa: E402
                     expect_memory, in_room, is_closed_by_peer, peak_rss_while, raw_http, stuff, wait_until,
                     ws_frame)
import operations  # noqa: E402
import trust  # noqa: E402

CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


def report(name, figure):
    print(f"  {name}: {figure}", flush=True)


def healthz(server):
    answer, _ = raw_http(server.http_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    status = int(answer.split(b" ", 2)[1])
    try:
        body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    except ValueError:
        body = {}
    return status, body


# ---------------------------------------------------------------- storage

class MountNamespace:
    """A private mount namespace holding a small tmpfs, kept alive by a
    sleeping process so that the server can be started in it more than once.
    Nothing is mounted where the rest of the machine could see it."""

    def __init__(self, size):
        if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
            raise Skip("mounting a tmpfs needs root and util-linux's unshare and nsenter")
        self.directory = tempfile.mkdtemp(prefix="confab-diskfull-")
        self.holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "600"])
        wait_until(lambda: os.readlink(f"/proc/{self.holder.pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt"),
                   10, "the mount namespace to exist")
        mounted = subprocess.run(["nsenter", "-t", str(self.holder.pid), "-m", "mount", "-t", "tmpfs", "-o",
                                  f"size={size}", "confab-test", self.directory], capture_output=True)
        if mounted.returncode != 0:
            self.close()
            raise Skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")

    def launcher(self):
        return ["nsenter", "-t", str(self.holder.pid), "-m", "--"]

    def path(self, name):
        """`name` inside the tmpfs, as this process can reach it."""
        return f"/proc/{self.holder.pid}/root{self.directory}/{name}"

    def fill(self):
        """Writes a file until the tmpfs is full; returns its size."""
        written = 0
        with open(self.path("filler"), "wb", buffering=0) as f:
            for chunk in (1 << 16, 4096, 512, 1):
                try:
                    while True:
                        written += f.write(b"\0" * chunk)
                except OSError:
                    pass
        return written

    def free(self):
        os.remove(self.path("filler"))

    def close(self):
        self.holder.kill()
        self.holder.wait()
        os.rmdir(self.directory)


@case
def disk_full(binary):
    """A full disk: every acknowledged message is stored, a message that
    cannot be stored is refused (storage_failed) and sent to nobody, no seq is
    given out twice, /healthz says so, and storing resumes with space."""
    space = MountNamespace("3m")
    try:
        db = f"{space.directory}/history.db"
        server = Server(binary, ["--flood-burst", "0", "--send-queue-bytes", str(64 << 20)],
                        launcher=space.launcher(), db=db)
        try:
            alice, bob = in_room(server, "disk", "alice", "bob")
            acked, refused = {}, 0

            def say_many(count, start):
                nonlocal refused
                for i in range(count):
                    alice.send("say", room="disk", text=f"message {start + i} " + "x" * 700, id=start + i)
                for _ in range(count):
                    reply = _say_reply(alice)
                    if reply["type"] == "message":
                        acked[reply["seq"]] = reply["text"]
                    else:
                        expect(reply["code"] == "storage_failed", f"a refusal says storage_failed: {reply}")
                        refused += 1

            say_many(50, 0)
            expect(refused == 0 and len(acked) == 50, "with space, every message is stored")
            filler = space.fill()
            say_many(1500, 1000)
            full_refused = refused
            expect(full_refused > 0, "a full disk refuses messages (or the filler did not fill it)")
            status, body = healthz(server)
            expect(status == 503 and body["storage"] == "failing", f"/healthz says storage is failing: {body}")
            space.free()
            say_many(50, 5000)
            expect(refused == full_refused, "with space back, every message is stored again")
            status, body = healthz(server)
            expect(status == 200, f"/healthz is ok again: {body}")
            # What bob received is exactly what was acknowledged.
            heard = set()
            while len(heard) < len(acked):
                heard.add(bob.wait_for("message")["seq"])
            expect(heard == set(acked), "others received exactly the acknowledged messages")
            expect(server.stop() == 0, "the server stops cleanly")

            server.start()
            carol = LineClient(server)
            carol.hello("carol")
            stored = {}
            after = 0
            while True:
                carol.send("history", room="disk", after=after, limit=200)
                page = carol.wait_for("history_page")["messages"]
                if not page:
                    break
                for message in page:
                    stored[message["seq"]] = message["text"]
                after = page[-1]["seq"]
            lost = [seq for seq in acked if stored.get(seq) != acked[seq]]
            expect(not lost, f"{len(lost)} acknowledged messages were lost, e.g. seq {lost[:5]}")
            expect(sorted(stored) == list(range(1, len(stored) + 1)), "seqs are given out without gaps")
            carol.join("disk")
            carol.send("say", room="disk", text="after the restart", id="next")
            expect(carol.wait_for("message", id="next")["seq"] == len(stored) + 1, "no seq is given out twice")
            report("disk_full", f"{len(acked)} acknowledged, {refused} refused with storage_failed while "
                                f"{filler // 1024} KiB of filler held the disk, 0 lost")
        finally:
            server.cleanup()
    finally:
        space.close()


def _say_reply(client):
    while True:
        message = client.receive()
        if message["type"] == "message" and "id" in message:
            return message
        if message["type"] == "error":
            return message


# ---------------------------------------------------------------- helpers

class Reader(threading.Thread):
    """Reads a line client's socket as fast as it can on a thread of its own,
    counting messages and keeping the events asked for."""

    def __init__(self, client, keep=("user_left", "error", "closing")):
        super().__init__(daemon=True)
        self.client = client
        self.keep = keep
        self.messages = 0
        self.kept = []
        self.closed = False
        self.lock = threading.Lock()
        self.start()

    def run(self):
        sock = self.client.sock
        sock.settimeout(None)
        buffer = self.client.buffer
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    break
                buffer += data
                lines = buffer.split(b"\n")
                buffer = lines.pop()
                with self.lock:
                    for line in lines:
                        message = json.loads(line)
                        if message["type"] == "message":
                            self.messages += 1
                        elif message["type"] == "ping":
                            sock.sendall(b'{"type":"pong"}\n')
                        if message["type"] in self.keep:
                            self.kept.append(message)
        except (OSError, ValueError):
            pass
        self.closed = True
        # As a real client does on end of stream.
        self.client.close()

    def count(self):
        with self.lock:
            return self.messages

    def events(self, message_type):
        with self.lock:
            return [m for m in self.kept if m["type"] == message_type]


def unsent_bytes(sock):
    """Bytes this socket's kernel buffer has not sent yet (SIOCOUTQ)."""
    import fcntl
    import termios
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]


# ---------------------------------------------------------------- memory

@case
def ws_ping_flood(binary):
    """WebSocket pings from a client that never reads, before and after hello,
    over ws:// and wss://: the pongs count against the send queue, so memory
    stays bounded."""
    for tls in (False, True):
        with Server(binary, tls=tls) as server:
            for identified in (False, True):
                client = WsClient(server, tls=tls)
                if identified:
                    expect(client.hello(f"pinger{int(tls)}")["type"] == "welcome", "hello works")
                before = server.rss_kib()
                (sent, ending), peak = peak_rss_while(
                    server, lambda: stuff(client.sock, ws_frame(0x9, b"p" * 125), 400 << 20, 8))
                grown = (peak - before) / 1024
                scheme = "wss" if tls else "ws"
                report("ws_ping_flood", f"{scheme} {'after' if identified else 'before'} hello: "
                                        f"{sent >> 20} MiB of pings sent, ended: {ending}, "
                                        f"server RSS +{grown:.1f} MiB")
                expect(ending != "budget spent", f"{scheme}: the server took 400 MiB of pings without pushing back")
                expect_memory(grown < 24, f"{scheme}: pings grew the server by {grown:.0f} MiB")
                client.close()
                expect(server.alive(), "the server survives")


@case
def slow_reader(binary):
    """A TCP and a WebSocket client that never read, in a busy room: both are
    dropped at the send-queue limit; the others keep receiving; memory stays
    bounded."""
    _slow_readers(binary, tls=False)


@case
def slow_reader_tls(binary):
    """The same over TLS and wss://: the encrypted bytes the server holds
    count against the limit, so TLS readers are dropped like the others."""
    _slow_readers(binary, tls=True)


def _slow_readers(binary, tls):
    with Server(binary, ["--flood-burst", "0"], tls=tls) as server:
        sender, lazy_line = in_room(server, "busy", "sender", "lazy_line", tls=tls)
        lazy_ws, = in_room(server, "busy", "lazy_ws", tls=tls, websocket=True)  # kept open, never read
        watcher = Reader(sender)
        before = server.rss_kib()
        text = "z" * 3000

        def flood():
            sent = 0
            while len(watcher.events("user_left")) < 2 and sent < 40000:
                sender.send_raw(b"".join(json.dumps({"type": "say", "room": "busy", "text": text}).encode() + b"\n"
                                         for _ in range(50)))
                sent += 50
            return sent

        sent, peak = peak_rss_while(server, flood)
        wait_until(lambda: len(watcher.events("user_left")) >= 2, 30, "both lazy readers to be dropped")
        reasons = {m["nick"]: m["reason"] for m in watcher.events("user_left")}
        grown = (peak - before) / 1024
        report("slow_reader_tls" if tls else "slow_reader",
               f"{sent} messages of 3 KB sent; dropped: {reasons}; server RSS +{grown:.1f} MiB")
        expect(reasons == {"lazy_line": "send queue exceeded", "lazy_ws": "send queue exceeded"},
               f"both readers are dropped for their send queue: {reasons}")
        expect_memory(grown < 64, f"memory grew by {grown:.0f} MiB")
        wait_until(lambda: watcher.count() >= sent, 30, "the sender to receive every message it sent")


@case
def burst_fast_reader(binary):
    """With the flood limit off, one client sends 20,000 messages of 900 bytes
    into a room with a fast reader and a WebSocket client that never reads:
    the reader and the sender get every message, only the non-reader is
    dropped, and memory is bounded by the limits, not the burst."""
    count = 20000
    with Server(binary, ["--flood-burst", "0"]) as server:
        sender, fast = in_room(server, "burst", "burster", "fast")
        stuck, = in_room(server, "burst", "stuck", websocket=True)  # kept open, never read
        echoes, reader = Reader(sender), Reader(fast)
        before = server.rss_kib()
        text = "b" * 900
        payload = b"".join(json.dumps({"type": "say", "room": "burst", "text": f"{i} {text}"}).encode() + b"\n"
                           for i in range(count))

        def burst():
            # The server stops for a moment (as behind a slow disk), so that
            # the burst waits for it in the kernel, megabytes at once, as
            # it would from a fast client on a fast network.
            os.kill(server.server_pid(), signal.SIGSTOP)
            sending = threading.Thread(target=lambda: sender.sock.sendall(payload), daemon=True)
            sender.sock.settimeout(120)
            sending.start()
            wait_until(lambda: unsent_bytes(sender.sock) > 1 << 20 or not sending.is_alive(), 30,
                       "the burst to pile up in the kernel")
            os.kill(server.server_pid(), signal.SIGCONT)
            wait_until(lambda: reader.closed or echoes.closed or (reader.count() >= count
                                                                  and echoes.count() >= count),
                       120, "the fast reader and the sender to receive the whole burst")

        _, peak = peak_rss_while(server, burst)
        grown = (peak - before) / 1024
        dropped = {m["nick"]: m["reason"] for m in reader.events("user_left")}
        report("burst_fast_reader", f"reader got {reader.count()}/{count}, sender {echoes.count()}/{count}; "
                                    f"dropped: {dropped}; server RSS +{grown:.1f} MiB")
        expect(not reader.closed and not echoes.closed, "neither the reader nor the sender was dropped")
        expect(dropped == {"stuck": "send queue exceeded"}, f"only the non-reader is dropped: {dropped}")
        expect_memory(grown < 64, f"memory grew by {grown:.0f} MiB")


@case
def churn(binary):
    """Thousands of connections that log in and vanish (resets, closes, half
    a hello): the server's memory comes back to where it was."""
    with Server(binary) as server:
        first = LineClient(server)
        first.hello("warmup")
        first.close()
        baseline = server.rss_kib()
        for i in range(1500):
            sock = connect(server.tcp_port, source="127.0.0.5")
            kind = i % 3
            if kind == 0:
                sock.sendall(b'{"type":"hello","nick":"churn%d"}\n{"type":"join","room":"lobby"}\n' % i)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif kind == 1:
                sock.sendall(b'{"type":"hel')
            sock.close()
        probe = LineClient(server)
        expect(probe.hello("probe")["type"] == "welcome", "the server still answers")
        probe.send("who")
        wait_until(lambda: _who_count(probe) == 1, 30, "every churned session to be gone")
        after = server.rss_kib()
        report("churn", f"1500 connections came and went; RSS {baseline / 1024:.1f} -> {after / 1024:.1f} MiB")
        expect_memory(after - baseline < 8 * 1024, f"memory did not come back: +{(after - baseline) / 1024:.1f} MiB")


def _who_count(client):
    client.send("who")
    return len(client.wait_for("member_list")["members"])


# ---------------------------------------------------------------- locked out

@case
def tls_stalled_handshakes(binary):
    """150 sockets that open the TLS chat port and send nothing, and 30 on
    the HTTPS port, do not keep anyone else out; handshakes are counted per
    address and time out on their own."""
    with Server(binary, ["--hello-timeout", "60"], tls=True) as server:
        stalled = [connect(server.tcp_port, source=f"127.0.0.{2 + i // 30}") for i in range(150)]
        stalled += [connect(server.http_port, source="127.0.0.9") for _ in range(30)]
        started = time.monotonic()
        client = LineClient(server, tls=True)
        welcome = client.hello("patient")
        ws = WsClient(server, tls=True)
        ws_welcome = ws.hello("patient_ws")
        waited = time.monotonic() - started
        still_open = sum(not is_closed_by_peer(sock) for sock in stalled)
        report("tls_stalled_handshakes", f"180 stalled sockets; a TLS and a wss client got in after {waited:.2f} s "
                                         f"with {still_open} stalled sockets still open")
        expect(welcome["type"] == "welcome" and ws_welcome["type"] == "welcome", "both clients get in")
        expect(still_open == 180, "they got in while every stalled handshake was still pending")
        for sock in stalled:
            sock.close()
    with Server(binary, ["--handshake-timeout", "1", "--max-connections-per-address", "10"], tls=True) as server:
        stalled = [connect(server.tcp_port, source="127.0.0.2") for _ in range(10)]
        started = time.monotonic()
        late = LineClient(server, tls=True, source="127.0.0.2")
        refused = late.receive()
        expect(refused.get("code") == "server_full", f"handshaking sockets count per address: {refused}")
        wait_until(lambda: all(is_closed_by_peer(sock) for sock in stalled), 10,
                   "stalled handshakes to time out")
        report("tls_stalled_handshakes", f"the 11th socket from one address was refused; stalled handshakes "
                                         f"closed after {time.monotonic() - started:.1f} s (timeout 1 s)")


@case
def tls_garbage(binary):
    """Bytes that are not TLS, and a client that gives up half-way through
    the handshake: the socket is closed, the server stays up, and the failures
    are logged a line a second at most."""
    with Server(binary, tls=True) as server:
        for i in range(200):
            sock = connect(server.tcp_port)
            sock.sendall(os.urandom(64) if i % 2 else b"\x16\x03\x01\x02\x00" + os.urandom(100))
            sock.close()
        sock = connect(server.tcp_port)
        sock.sendall(b'{"type":"hello","nick":"plaintext"}\n')
        wait_until(lambda: is_closed_by_peer(sock), 15, "a clear-text client on the TLS port to be closed")
        client = LineClient(server, tls=True)
        expect(client.hello("after_garbage")["type"] == "welcome", "a real TLS client still gets in")
        log_lines = server.log_text().count("TLS handshake")
        report("tls_garbage", f"201 bad handshakes, {log_lines} log lines about them")
        expect(log_lines < 30, f"{log_lines} log lines for 201 bad handshakes")


@case
def per_address_cap(binary):
    """More connections from one address than allowed get server_full; other
    addresses are not affected."""
    with Server(binary, ["--max-connections-per-address", "5"]) as server:
        held = [LineClient(server, source="127.0.0.2") for _ in range(5)]
        for i, client in enumerate(held):
            expect(client.hello(f"held{i}")["type"] == "welcome", "the first five get in")
        extra = LineClient(server, source="127.0.0.2")
        expect(extra.receive().get("code") == "server_full", "the sixth from one address is refused")
        other = LineClient(server, source="127.0.0.3")
        expect(other.hello("elsewhere")["type"] == "welcome", "another address gets in")
        report("per_address_cap", "6th connection from 127.0.0.2 refused with server_full; 127.0.0.3 unaffected")


@case
def descriptor_exhaustion(binary):
    """Under an open-file limit of 128, 300 connections: the server refuses
    what it cannot hold, stays responsive and recovers."""
    if not shutil.which("prlimit"):
        raise Skip("prlimit (util-linux) is not installed")
    with Server(binary, launcher=["prlimit", "--nofile=128:128", "--"]) as server:
        sockets = []
        for _ in range(300):
            try:
                sockets.append(connect(server.tcp_port, timeout=5))
            except OSError:
                break
        # The server turns sockets away at its own pace (on a busy machine,
        # after the loop above has finished): wait for it to get there.
        closed = set()

        def some_refused():
            closed.update(i for i, sock in enumerate(sockets) if i not in closed and is_closed_by_peer(sock))
            return len(closed) > 0

        try:
            wait_until(some_refused, 30, "the server to turn some sockets away")
        except Failure:
            pass
        refused = len(closed)
        for sock in sockets:
            sock.close()
        client = wait_until(lambda: _try_hello(server), 30, "a client to get in once the sockets are gone")
        report("descriptor_exhaustion", f"{len(sockets)} sockets opened, {refused} turned away; "
                                        f"a new client gets in afterwards")
        expect(refused > 0, "the server turned some away")
        client.close()


@case
def stuck_log_reader(binary):
    """A standard error that nobody reads (a full pipe) does not stop the
    chat: the server keeps serving, keeps what it can, and writes it once
    the reader is back."""
    with tempfile.TemporaryDirectory() as directory:
        ports_file = os.path.join(directory, "ports.json")
        process = subprocess.Popen([binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
                                    "--db", os.path.join(directory, "h.db"), "--port-file", ports_file, "--discovery-port", "0",
                                    "--max-connections-per-address", "0", "--flood-rate", "0"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: os.path.exists(ports_file), 20, "the server to listen")
            with open(ports_file) as handle:
                tcp = json.load(handle)["tcp"]
            # Three lines a login: 1,500 logins are far more than a 64 KiB pipe holds.
            for i in range(1500):
                with socket.create_connection(("127.0.0.1", tcp), timeout=10) as chat:
                    chat.sendall(b'{"type":"hello","nick":"reader%d"}\n' % i)
                    expect(b'"welcome"' in chat.recv(4096), f"login {i} is answered while nobody reads the log")
            process.terminate()
            log = process.stderr.read()
            process.wait(20)
            expect(process.returncode == 0, "the server stops cleanly")
            expect(b"identified as reader1499" in log, "the log kept the last login's lines")
            report("stuck_log_reader", f"1,500 logins served with standard error unread; {len(log)} bytes of log "
                                       f"written once it was read")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _try_hello(server):
    try:
        client = LineClient(server, timeout=2)
        return client if client.hello(f"back{time.monotonic_ns()}")["type"] == "welcome" else None
    except (OSError, Failure, Closed):
        return None


@case
def slowloris(binary):
    """A line or an HTTP request sent a byte at a time and never finished:
    the hello timeout and the request timeout close them."""
    with Server(binary, ["--hello-timeout", "1.5"]) as server:
        line = connect(server.tcp_port)
        line.sendall(b'{"type":"hel')
        http = connect(server.http_port)
        http.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        closed = {"line": None, "http": None}

        def trickle():
            for name, sock in (("line", line), ("http", http)):
                if closed[name] is None:
                    try:
                        sock.sendall(b"a")
                    except OSError:
                        pass
                    if is_closed_by_peer(sock):
                        closed[name] = time.monotonic() - started
            return all(v is not None for v in closed.values())

        wait_until(trickle, 20, "trickling connections to be closed", interval=0.2)
        report("slowloris", f"line closed after {closed['line']:.1f} s, HTTP after {closed['http']:.1f} s "
                            f"(timeouts 1.5 s)")


# ---------------------------------------------------------------- what clients send

@case
def oversize_frames(binary):
    """A line over the frame limit, with and without its newline, and a
    WebSocket message over it (ws:// and wss://): frame_too_large, then the
    connection closes; the server buffers no more than the limit."""
    with Server(binary, ["--max-frame-bytes", "4096"], tls=False) as server:
        for tail in (b"\n", b""):
            client = LineClient(server)
            client.send_raw(b'{"type":"say","text":"' + b"x" * 5000 + b'"}' + tail)
            messages = client.wait_closed()
            expect(messages and messages[-1].get("code") == "frame_too_large", f"frame_too_large: {messages}")
        _oversize_ws(server, tls=False)
    with Server(binary, ["--max-frame-bytes", "4096"], tls=True) as server:
        _oversize_ws(server, tls=True)
    report("oversize_frames", "lines with and without newline, ws and wss: frame_too_large, then closed")


def _oversize_ws(server, tls):
    scheme = "wss" if tls else "ws"
    for size in (5000, 10000, 1 << 20):
        client = WsClient(server, tls=tls)
        try:
            client.send_frame(0x1, b'{"type":"ping","pad":"' + b"x" * size + b'"}')
        except (OSError, ssl.SSLError):
            pass  # refused from the header: the server may stop reading before the end
        try:
            message = client.receive()
        except Closed as closed:
            raise Failure(f"{scheme}: closed ({closed}) without frame_too_large first, for {size} bytes")
        expect(message.get("code") == "frame_too_large", f"{scheme}: frame_too_large for {size} bytes: {message}")
        try:
            client.receive()
            raise Failure(f"{scheme}: the connection stayed open")
        except Closed:
            expect(client.close_code in (1009, None), f"{scheme}: close code {client.close_code}")
        client.close()


MALFORMED = [
    b"not json", b"{", b"[]", b"42", b'"string"', b"null", b'{"type":}', b'{"type":42}', b'{"no_type":1}',
    b'{"type":"say"}', b'{"type":"say","room":1,"text":"x"}', b'{"type":"warp_drive"}', b"\xff\xfe{}",
    b'{"type":"hello","nick":"' + b"n" * 200 + b'"}', b"[" * 10000 + b"]" * 10000, b'{"type":"ping","id":[1]}',
    b'{"type":"ping","id":"' + b"i" * 100 + b'"}', b'{"type":"ping","id":1.5}', b'{"a":' * 300 + b"1" + b"}" * 300,
    b'{"type":"hello","nick":"a","protocol":"one"}', b"\x00\x00\x00", b'{"type":"say","room":"lobby","text":"\\ud800"}',
]


@case
def malformed_json(binary):
    """A corpus of frames that are not valid requests: each gets an error
    with a code, the connection stays open, and nothing else is affected."""
    with Server(binary, ["--flood-burst", "0"]) as server:
        bystander = LineClient(server)
        bystander.hello("bystander")
        for tls in (False,):
            client = LineClient(server, tls=tls)
            for frame in MALFORMED:
                client.send_raw(frame + b"\n")
                reply = client.wait_for("error")
                expect(reply["code"] in ("bad_json", "bad_request", "unknown_type", "nick_invalid",
                                         "not_identified", "text_invalid"), f"{frame[:40]!r}: {reply}")
            expect(client.hello("survivor")["type"] == "welcome", "the connection still works")
        ws = WsClient(server)
        ws.send_frame(0x2, b"\x00\x01binary")
        expect(ws.wait_for("error")["code"] == "bad_json", "a binary WebSocket message is bad_json")
        bystander.send("ping")
        bystander.wait_for("pong")
        report("malformed_json", f"{len(MALFORMED)} malformed frames answered with errors; connection kept")


@case
def bytes_one_at_a_time(binary):
    """A whole session sent one byte per write, over TCP and WebSocket:
    framing does not depend on how the bytes arrive."""
    with Server(binary) as server:
        client = LineClient(server)
        script = (b'{"type":"hello","nick":"drip"}\n{"type":"join","room":"slow"}\n'
                  b'{"type":"say","room":"slow","text":"h\xc3\xa9llo","id":7}\n')
        for byte in script:
            client.send_raw(bytes([byte]))
        echo = client.wait_for("message", id=7)
        expect(echo["text"] == "héllo", "the message arrives whole")
        ws = WsClient(server)
        for byte in ws_frame(0x1, b'{"type":"hello","nick":"drop","id":"drip"}'):
            ws.sock.sendall(bytes([byte]))
        expect(ws.wait_for("welcome")["id"] == "drip", "a WebSocket frame sent byte by byte arrives whole")
        report("bytes_one_at_a_time", f"{len(script)} bytes in {len(script)} writes; message intact")


@case
def flood(binary):
    """The flood limit (burst 10, then 5/s): a client sending 60 messages at
    once gets most of them refused with rate_limited; the room hears at most
    the burst plus the rate."""
    with Server(binary) as server:
        spammer, listener = in_room(server, "calm", "spammer", "listener")
        started = time.monotonic()
        spammer.send_raw(b"".join(b'{"type":"say","room":"calm","text":"spam","id":%d}\n' % i for i in range(60)))
        replies = [_say_reply(spammer) for _ in range(60)]
        elapsed = time.monotonic() - started
        accepted = sum(r["type"] == "message" for r in replies)
        limited = sum(r.get("code") == "rate_limited" for r in replies)
        listener.send("ping", id="after")
        heard = 0
        while (message := listener.receive())["type"] != "pong":
            heard += message["type"] == "message"
        report("flood", f"60 sent at once: {accepted} accepted, {limited} rate_limited; the room heard {heard}")
        expect(accepted + limited == 60 and accepted <= 10 + 5 * elapsed + 1, "the flood limit holds")
        expect(heard == accepted, "the room hears exactly what was accepted")


@case
def join_churn(binary):
    """One client joining and leaving a room 5,000 times as fast as it can:
    joins and leaves are rate-limited too, so each member hears a few dozen
    events, not ten thousand."""
    with Server(binary) as server:
        members = in_room(server, "churn", *[f"member{i}" for i in range(30)])
        counter = Reader(members[0], keep=("user_joined", "user_left"))
        churner = LineClient(server)
        churner.hello("churner")
        churner.send_raw(b'{"type":"join","room":"churn"}\n{"type":"leave","room":"churn"}\n' * 5000
                         + b'{"type":"ping","id":"end"}\n')
        limited = 0
        while True:
            message = churner.receive(timeout=60)
            if message["type"] == "pong":
                break
            limited += message.get("code") == "rate_limited"
        heard = len(counter.kept)
        report("join_churn", f"10,000 join/leave requests: {limited} rate_limited; a member heard {heard} events")
        expect(heard < 200, f"a member heard {heard} join/leave events")
        expect(limited > 9000, "most of the churn was refused")


@case
def quit_at_once(binary):
    """After quit, the others hear user_left and the nick is free at once,
    even while the quitting client keeps its socket open."""
    with Server(binary) as server:
        alice, bob = in_room(server, "exit", "alice", "bob")
        started = time.monotonic()
        bob.send("quit", reason="back soon")
        left = alice.wait_for("user_left", timeout=4)
        again = LineClient(server)
        welcome = again.hello("bob")
        waited = time.monotonic() - started
        report("quit_at_once", f"user_left and the nick free after {waited * 1000:.0f} ms, "
                               f"the old socket still open")
        expect(left["reason"] == "back soon", "the quit reason is passed on")
        expect(welcome["type"] == "welcome", f"the nick is free again at once: {welcome}")


@case
def password_guessing(binary):
    """Wrong server passwords: after 5 from one address within a minute,
    rate_limited and the connection closes; new connections from that address
    wait too; other addresses do not. 20,000 bad frames cost a handful of log
    lines."""
    with Server(binary, ["--password", "correct horse"]) as server:
        guesser = LineClient(server, source="127.0.0.2")
        codes = []
        try:
            for i in range(20):
                codes.append(guesser.hello("guesser", password=f"guess{i}")["code"])
        except (Closed, Failure):
            pass
        expect(codes[:5] == ["auth_failed"] * 5 and "rate_limited" in codes, f"throttled after 5: {codes}")
        expect(len(codes) <= 6, "the connection closes once rate_limited")
        comeback = LineClient(server, source="127.0.0.2")
        expect(comeback.hello("guesser", password="correct horse")["code"] == "rate_limited",
               "a new connection from the same address waits too")
        other = LineClient(server, source="127.0.0.3")
        expect(other.hello("honest", password="correct horse")["type"] == "welcome", "others are not affected")

        noisy = LineClient(server, source="127.0.0.4")
        before = server.log_text().count("\n")
        noisy.send_raw(b"garbage\n" * 20000 + b'{"type":"ping","id":"end"}\n')
        noisy.wait_for("error", timeout=60, id="end")
        lines = server.log_text().count("\n") - before
        report("password_guessing", f"{len(codes)} guesses before the close; 20,000 bad frames -> {lines} log lines")
        expect(lines < 30, f"20,000 bad frames wrote {lines} log lines")


@case
def look_alike_names(binary):
    """Invisible and look-alike nicks are refused; text made only of
    invisible characters is blank; a direction override in text is allowed
    (the clients isolate it)."""
    with Server(binary) as server:
        client = LineClient(server)
        for nick in ["Alice\u034f", "Alice\ufe0f", "Alice\u180b", "Alice\U000e0100", "\u3164", "\u115f\u1160",
                     "\u0430lice", "bo\u200bb"]:
            reply = client.hello(nick)
            expect(reply.get("code") == "nick_invalid", f"{nick!r} is refused: {reply}")
        expect(client.hello("alice")["type"] == "welcome", "a plain nick works")
        client.join("words")
        for text in ["\u200b\u200b", "\ufeff", "\u3164\u3164", " \u2060 "]:
            client.send("say", room="words", text=text, id="blank")
            reply = _say_reply(client)
            expect(reply.get("code") == "text_invalid", f"{text!r} counts as blank: {reply}")
        client.send("say", room="words", text="file \u202etxt.exe", id="rlo")
        expect(_say_reply(client)["type"] == "message", "a direction override is allowed in text")
        report("look_alike_names", "8 invisible or mixed-script nicks refused, 4 invisible texts blank")


@case
def small_things(binary):
    """Integer ids JSON cannot carry exactly are refused; a WebSocket upgrade
    without a key gets 400; a request with bare LF line ends is answered at
    once; two Host headers get 400."""
    with Server(binary, ["--hello-timeout", "30"]) as server:
        client = LineClient(server)
        client.send_raw(b'{"type":"ping","id":9007199254740993}\n')
        reply = client.receive()
        expect(reply.get("code") == "bad_request", f"an id of 2^53+1 is refused, not rounded: {reply}")
        client.send_raw(b'{"type":"ping","id":9007199254740991}\n')
        expect(client.receive().get("id") == 9007199254740991, "2^53-1 comes back as sent")

        answer, _ = raw_http(server.http_port, b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                               b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        expect(answer.startswith(b"HTTP/1.1 400"), f"no Sec-WebSocket-Key: 400, got {answer[:40]!r}")
        answer, took = raw_http(server.http_port, b"GET / HTTP/1.1\nHost: x\n\n")
        expect(answer.startswith(b"HTTP/1.1 200"), f"bare LF line ends are accepted: {answer[:40]!r}")
        answer, _ = raw_http(server.http_port, b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
        expect(answer.startswith(b"HTTP/1.1 400"), f"two Host headers: 400, got {answer[:40]!r}")
        report("small_things", f"id 2^53+1 refused; 400 without key; bare LF answered in {took * 1000:.0f} ms; "
                               f"double Host 400")


# ---------------------------------------------------------------- crashes and stops

@case
def kill9_midburst(binary):
    """kill -9 in the middle of a burst: after a restart every message that
    was acknowledged is in the history, and no seq is given out twice."""
    with Server(binary, ["--flood-burst", "0"]) as server:
        client, = in_room(server, "crash", "writer")
        client.send_raw(b"".join(b'{"type":"say","room":"crash","text":"m%d","id":%d}\n' % (i, i)
                                 for i in range(5000)))
        acked = {}
        while len(acked) < 1000:
            reply = _say_reply(client)
            acked[reply["seq"]] = reply["text"]
        server.kill()
        try:
            while True:
                reply = _say_reply(client)
                acked[reply["seq"]] = reply["text"]
        except (Closed, Failure, ValueError):
            pass
        server.start()
        reader = LineClient(server)
        reader.hello("reader")
        stored = _whole_history(reader, "crash")
        lost = [seq for seq, text in acked.items() if stored.get(seq) != text]
        reader.join("crash")
        reader.send("say", room="crash", text="after", id="after")
        next_seq = reader.wait_for("message", id="after")["seq"]
        report("kill9_midburst", f"{len(acked)} acknowledged before SIGKILL, {len(stored)} stored, {len(lost)} lost")
        expect(not lost, f"acknowledged messages lost: {lost[:5]}")
        expect(next_seq == max(stored) + 1, "the next seq follows the stored ones")


def _whole_history(client, room):
    stored, after = {}, 0
    while True:
        client.send("history", room=room, after=after, limit=200)
        page = client.wait_for("history_page")["messages"]
        if not page:
            return stored
        for message in page:
            stored[message["seq"]] = message["text"]
        after = page[-1]["seq"]


@case
def sigterm_under_load(binary):
    """SIGTERM while clients are sending: everyone is told, what was
    acknowledged is stored, and the server exits 0 promptly."""
    with Server(binary, ["--flood-burst", "0"]) as server:
        writers = in_room(server, "load", *[f"busy{i}" for i in range(4)])
        readers = [Reader(writer, keep=("message", "closing")) for writer in writers]
        for i, writer in enumerate(writers):
            writer.send_raw(b"".join(b'{"type":"say","room":"load","text":"w%d-%d","id":%d}\n' % (i, j, j)
                                     for j in range(3000)))
        wait_until(lambda: readers[0].count() > 100, 10, "the load to start")
        started = time.monotonic()
        code = server.stop()
        took = time.monotonic() - started
        acked, told = {}, 0
        for reader in readers:
            reader.join(20)
            for message in reader.kept:
                if message["type"] == "message" and "id" in message:
                    acked[message["seq"]] = message["text"]
                told += message["type"] == "closing"
        server.start()
        reader = LineClient(server)
        reader.hello("reader")
        stored = _whole_history(reader, "load")
        lost = [seq for seq, text in acked.items() if stored.get(seq) != text]
        report("sigterm_under_load", f"exit {code} after {took:.2f} s; {told}/4 told; {len(acked)} acknowledged "
                                     f"in the last moments, {len(lost)} lost")
        expect(code == 0, f"exit code {code}")
        expect(told == 4, "every client was told the server is closing")
        expect(not lost, f"acknowledged messages lost: {lost[:5]}")


# ---------------------------------------------------------------- runner

CASES.update(trust.CASES)
CASES.update(operations.CASES)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="path to confab-server")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--names", action="store_true", help="print the case names, one a line (for CMake)")
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    options = parser.parse_args()
    if options.names:
        print("\n".join(CASES))
        return 0
    if options.list:
        for name, function in CASES.items():
            print(f"{name}: {' '.join(function.__doc__.split())}")
        return 0
    if not options.server:
        parser.error("--server is required")
    names = options.cases or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"reliability.py: no such case: {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    passed = failed = skipped = 0
    for name in names:
        started = time.monotonic()
        try:
            CASES[name](os.path.abspath(options.server))
        except Skip as why:
            skipped += 1
            print(f"SKIP {name}: {why}", flush=True)
            continue
        except Exception:  # noqa: BLE001 - every failure is reported, then the next case runs
            failed += 1
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s)", flush=True)
            traceback.print_exc()
            continue
        passed += 1
        print(f"PASS {name} ({time.monotonic() - started:.1f} s)", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
