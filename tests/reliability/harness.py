"""What the reliability cases share: a real confab-server process on free
loopback ports, clients for JSON lines and WebSocket (plain or TLS) written
on bare sockets, and the server's resident memory.

Only the Python standard library and the openssl command are used. Every
socket goes to 127.0.0.0/8; nothing leaves the machine.
"""

import base64
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time


class Failure(AssertionError):
    pass


class Skip(Exception):
    """The case cannot run on this machine (says why); it is not a failure."""


def expect(condition, what):
    if not condition:
        raise Failure(what)


def wait_until(predicate, timeout, what, interval=0.02):
    """Polls a condition of another process (a file, a socket's state, /proc)
    that sends no signal of its own; fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout} s: {what}")
        time.sleep(interval)


# ---------------------------------------------------------------- the server

class Server:
    """confab-server on ports 0 of 127.0.0.1, in a directory of its own."""

    def __init__(self, binary, args=(), directory=None, launcher=(), db=None, tls=False, env=None):
        self.binary = binary
        self.own_directory = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="confab-reliability-")
        self.args = list(args)
        self.launcher = list(launcher)
        self.db = db or os.path.join(self.directory, "history.db")
        self.tls = tls
        self.env = env
        self.process = None
        self.log_path = os.path.join(self.directory, "server.log")
        if tls:
            self.cert, self.key = make_certificate(self.directory)
        self.start()

    def start(self):
        port_file = os.path.join(self.directory, "ports.json")
        if os.path.exists(port_file):
            os.remove(port_file)
        command = self.launcher + [self.binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
                                   "--db", self.db, "--port-file", port_file, "--discovery-port", "0"] + self.args
        if self.tls:
            command += ["--tls-cert", self.cert, "--tls-key", self.key]
        self.log = open(self.log_path, "ab")
        env = dict(os.environ)
        env.update(self.env or {})
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log, env=env)
        wait_until(lambda: os.path.exists(port_file) or self.process.poll() is not None, 30,
                   "the server to start")
        if self.process.poll() is not None:
            raise Failure(f"the server did not start: {self.log_text()[-2000:]}")
        with open(port_file) as f:
            ports = json.load(f)
        self.tcp_port, self.http_port = ports["tcp"], ports["http"]

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def rss_kib(self):
        """Resident memory of the server process (not of a launcher)."""
        pid = self.server_pid()
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise Failure("no VmRSS in /proc")

    def server_pid(self):
        if not self.launcher:
            return self.process.pid
        # The launcher (prlimit, unshare) execs or forks the server: find it.
        for pid in [self.process.pid] + children(self.process.pid):
            try:
                with open(f"/proc/{pid}/exe", "rb"):
                    pass
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "confab-server":
                    return pid
            except OSError:
                continue
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=20):
        """SIGTERM; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise Failure("the server did not stop within 20 s of SIGTERM")
        self.log.close()
        return self.process.returncode

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log.close()

    def cleanup(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def tls_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(port, source="127.0.0.1", tls=False, timeout=10.0):
    """A TCP socket from `source` (any 127.x address) to the server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    if tls:
        sock = tls_context().wrap_socket(sock, server_hostname="localhost")
    return sock


# ---------------------------------------------------------------- clients

class Closed(Exception):
    pass


class _Client:
    """What JSON-lines and WebSocket clients share: a socket, a buffer of
    bytes received, and waiting for messages. Subclasses say how a message
    is framed (send, receive)."""

    def __init__(self, sock, timeout, buffer=b""):
        self.sock = sock
        self.timeout = timeout
        self.buffer = buffer

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as e:
            raise Closed(str(e))
        if not data:
            raise Closed("end of stream")
        self.buffer += data

    def wait_for(self, message_type, timeout=None, **match):
        """The next message of that type (and those field values); others are
        skipped. A server ping is answered."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self.receive(max(0.001, deadline - time.monotonic()))
            if message["type"] == "ping":
                self.send("pong")
                continue
            if message["type"] == message_type and all(message.get(k) == v for k, v in match.items()):
                return message

    def hello(self, nick, **fields):
        """welcome, or the error that refused the hello."""
        self.send("hello", nick=nick, **fields)
        while True:
            message = self.receive()
            if message["type"] in ("welcome", "error"):
                return message

    def join(self, room):
        self.send("join", room=room)
        return self.wait_for("joined", room=room)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class LineClient(_Client):
    """JSON lines over TCP (or TLS)."""

    def __init__(self, server=None, port=None, tls=False, source="127.0.0.1", timeout=20.0):
        super().__init__(connect(port or server.tcp_port, source, tls=tls, timeout=timeout), timeout)

    def send(self, message_type, **fields):
        fields["type"] = message_type
        self.send_raw(json.dumps(fields, ensure_ascii=False).encode() + b"\n")

    def send_raw(self, data):
        self.sock.sendall(data)

    def receive(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out waiting for a message")
            self._fill(left)
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def wait_closed(self, timeout=20.0):
        """Reads until the server closes; returns what came before."""
        messages = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("the server did not close the connection")
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    messages.append(json.loads(line))
                self._fill(left)
        except Closed:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                messages.append(json.loads(line))
            return messages


def websocket_handshake(sock, host="localhost", extra=b"", path=b"/ws"):
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n"
                 + extra + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            raise Failure(f"no handshake answer: {head!r}")
        head += data
    head, rest = head.split(b"\r\n\r\n", 1)
    expect(head.startswith(b"HTTP/1.1 101"), f"the WebSocket handshake is answered with 101: {head[:80]!r}")
    return rest


def ws_frame(opcode, payload, fin=True):
    """A masked client frame."""
    mask = os.urandom(4)
    header = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", n)
    masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    return header + mask + masked


class WsClient(_Client):
    """JSON over WebSocket (ws:// or wss://), frames made by hand."""

    def __init__(self, server, tls=False, source="127.0.0.1", timeout=20.0):
        sock = connect(server.http_port, source, tls=tls, timeout=timeout)
        super().__init__(sock, timeout, websocket_handshake(sock))
        self.close_code = None

    def send(self, message_type, **fields):
        fields["type"] = message_type
        self.sock.sendall(ws_frame(0x1, json.dumps(fields).encode()))

    def send_frame(self, opcode, payload, fin=True):
        self.sock.sendall(ws_frame(opcode, payload, fin))

    def next_frame(self, timeout=None):
        """(opcode, payload) of the next server frame."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            if len(self.buffer) >= 2:
                n = self.buffer[1] & 0x7F
                offset = 2
                if n == 126 and len(self.buffer) >= 4:
                    n, offset = struct.unpack("!H", self.buffer[2:4])[0], 4
                elif n == 127 and len(self.buffer) >= 10:
                    n, offset = struct.unpack("!Q", self.buffer[2:10])[0], 10
                if n < 126 or offset > 2:
                    if len(self.buffer) >= offset + n:
                        opcode = self.buffer[0] & 0x0F
                        payload = self.buffer[offset:offset + n]
                        self.buffer = self.buffer[offset + n:]
                        return opcode, payload
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out waiting for a WebSocket frame")
            self._fill(left)

    def receive(self, timeout=None):
        while True:
            opcode, payload = self.next_frame(timeout)
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(f"close frame {self.close_code}")


def in_room(server, room, *nicks, tls=False, websocket=False):
    """Clients logged in as `nicks`, each in `room`."""
    clients = []
    for nick in nicks:
        client = WsClient(server, tls=tls) if websocket else LineClient(server, tls=tls)
        expect(client.hello(nick)["type"] == "welcome", f"{nick} gets in")
        client.join(room)
        clients.append(client)
    return clients


def is_closed_by_peer(sock):
    """Whether the server has closed (or reset) a socket we never read from.
    Reads and discards what is waiting, without blocking."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(1 << 20)
            if not data:
                return True
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
        return True
    finally:
        sock.setblocking(True)


def raw_http(port, request, tls=False, timeout=10.0):
    """Sends bytes to the HTTP port and returns (answer, seconds taken)."""
    sock = connect(port, tls=tls, timeout=timeout)
    started = time.monotonic()
    sock.sendall(request)
    answer = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (socket.timeout, ConnectionResetError):
        pass
    sock.close()
    return answer, time.monotonic() - started


def expect_memory(condition, what):
    """Memory bounds mean little under AddressSanitizer, which keeps freed
    memory in quarantine: a sanitizer build (CONFAB_SANITIZED=1, set by
    CMake) reports the figure but does not judge it."""
    if os.environ.get("CONFAB_SANITIZED") != "1":
        expect(condition, what)


def peak_rss_while(server, action, interval=0.05):
    """Runs action() on a thread and samples the server's memory meanwhile;
    returns (action's result, peak RSS in KiB)."""
    result, peak, done = {}, [server.rss_kib()], threading.Event()

    def run():
        try:
            result["value"] = action()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            result["error"] = e
        done.set()

    threading.Thread(target=run, daemon=True).start()
    while not done.wait(interval):
        try:
            peak.append(server.rss_kib())
        except (OSError, Failure):
            break
    if "error" in result:
        raise result["error"]
    return result.get("value"), max(peak)


def stuff(sock, frame, limit_bytes, seconds):
    """Sends `frame` again and again without reading, until the server stops
    taking it (its buffers and ours are full), drops the connection, or the
    budget runs out. Returns (bytes sent, how it ended)."""
    sock.settimeout(2.0)
    sent = 0
    deadline = time.monotonic() + seconds
    batch = frame * max(1, 16384 // len(frame))
    try:
        while sent < limit_bytes and time.monotonic() < deadline:
            sock.sendall(batch)
            sent += len(batch)
        return sent, "budget spent"
    except socket.timeout:
        return sent, "server stopped reading"
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
        return sent, "dropped"
