#!/usr/bin/env python3
"""A Confab client in plain Python, written from docs/protocol.md alone.

Run as a test: chat_demo.py PATH-TO-confab-server. It starts the server on
free ports with a throw-away database, connects two users, has them talk,
and checks what they receive. Only the standard library is used, so a
student can copy the ChatClient class and start chatting.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time


class ChatClient:
    """One connection to a Confab server over TCP (JSON lines)."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = self.sock.makefile("r", encoding="utf-8", newline="\n")

    def send(self, message_type, **fields):
        fields["type"] = message_type
        line = json.dumps(fields, ensure_ascii=False) + "\n"
        self.sock.sendall(line.encode("utf-8"))

    def receive(self):
        line = self.reader.readline()
        if not line:
            raise ConnectionError("the server closed the connection")
        return json.loads(line)

    def wait_for(self, message_type):
        while True:
            message = self.receive()
            if message["type"] == "ping":
                self.send("pong")
            elif message["type"] == message_type:
                return message

    def close(self):
        self.sock.close()


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def start_server(binary, directory):
    port_file = os.path.join(directory, "ports.json")
    server = subprocess.Popen(
        [binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
         "--db", os.path.join(directory, "history.db"), "--port-file", port_file, "--discovery-port", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists(port_file):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)  # polling a file the server writes once it listens
    with open(port_file) as f:
        return server, json.load(f)["tcp"]


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as directory:
        server, port = start_server(binary, directory)
        try:
            alice = ChatClient("127.0.0.1", port)
            bob = ChatClient("127.0.0.1", port)

            alice.send("hello", nick="alice", client="chat_demo.py")
            welcome = alice.wait_for("welcome")
            expect(welcome["nick"] == "alice", "alice is welcomed")
            bob.send("hello", nick="bob")
            bob.wait_for("welcome")

            alice.send("join", room="lobby", id=1)
            joined = alice.wait_for("joined")
            expect(joined["id"] == 1, "the id comes back")
            bob.send("join", room="lobby")
            bob.wait_for("joined")
            expect(alice.wait_for("user_joined")["nick"] == "bob", "alice sees bob arrive")

            alice.send("say", room="lobby", text="hi bob, héllo ✓", id="m1")
            echo = alice.wait_for("message")
            heard = bob.wait_for("message")
            expect(echo["id"] == "m1" and "id" not in heard, "only the sender's copy has the id")
            expect(heard["text"] == "hi bob, héllo ✓", "text arrives intact")
            expect(heard["seq"] == echo["seq"] == 1, "the first message is seq 1")

            bob.send("whisper", to="alice", text="psst")
            private = alice.wait_for("private")
            expect(private["from"] == "bob", "whispers say who sent them")

            bob.send("say", room="nowhere", text="hello?")
            error = bob.wait_for("error")
            expect(error["code"] == "not_in_room", "errors have codes")

            alice.send("history", room="lobby", after=0)
            page = alice.wait_for("history_page")
            expect([m["text"] for m in page["messages"]] == ["hi bob, héllo ✓"], "history has the message")

            bob.send("quit", reason="done")
            left = alice.wait_for("user_left")
            expect(left["reason"] == "done", "the quit reason is passed on")
            alice.close()
            bob.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
        expect(server.returncode == 0, "the server exits cleanly on SIGTERM")
    print("chat_demo: 10 passed, 0 failed")


if __name__ == "__main__":
    main()
