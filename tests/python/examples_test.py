#!/usr/bin/env python3
"""Runs one of the example clients in examples/ against a real
confab-server: it joins a room, says a line and whispers one (typed on its
standard input), and shows what a peer says back.

Usage: examples_test.py PATH-TO-confab-server COMMAND...   (the client, without HOST PORT NICK ROOM)
"""

import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time


def main():
    server_binary, command = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as work:
        ports_file = os.path.join(work, "ports.json")
        server = subprocess.Popen([server_binary, "--tcp-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
                                   "--db", os.path.join(work, "h.db"), "--port-file", ports_file,
                                   "--discovery-port", "0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while not os.path.exists(ports_file):
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.05)
            with open(ports_file) as handle:
                port = json.load(handle)["tcp"]
            return run(command, port)
        finally:
            server.terminate()
            server.wait(20)


def run(command, port):
    peer = socket.create_connection(("127.0.0.1", port), timeout=20)
    reader = peer.makefile("rb")
    peer.sendall(b'{"type":"hello","nick":"peer"}\n{"type":"join","room":"class"}\n')

    def wait(predicate, what):
        while True:
            message = json.loads(reader.readline())
            if predicate(message):
                return message
            assert message["type"] != "error", f"{what}: {message}"

    wait(lambda m: m["type"] == "joined", "peer joins")
    client = subprocess.Popen(command + ["127.0.0.1", str(port), "student", "class"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in client.stdout], daemon=True).start()
    try:
        wait(lambda m: m["type"] == "user_joined" and m["nick"] == "student", "the example joins")
        client.stdin.write("hello, class\n/msg peer psst, peer\n")
        client.stdin.flush()
        said = wait(lambda m: m["type"] == "message" and m["from"] == "student", "the example says a line")
        assert said["text"] == "hello, class", said
        whisper = wait(lambda m: m["type"] == "private", "the example whispers")
        assert whisper["from"] == "student" and whisper["text"] == "psst, peer", whisper
        peer.sendall(b'{"type":"say","room":"class","text":"hi back from the peer"}\n')
        seen = []
        deadline = time.monotonic() + 20
        while not any("hi back from the peer" in line for line in seen):
            assert time.monotonic() < deadline, f"the example never showed the answer: {seen}"
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
        client.stdin.close()  # Ctrl+D: the example says quit and ends
        assert client.wait(20) == 0, "the example did not end cleanly"
        wait(lambda m: m["type"] == "user_left" and m["nick"] == "student", "the example quits")
        print(f"{' '.join(command)}: joined, said, whispered, received, quit")
        return 0
    finally:
        if client.poll() is None:
            client.kill()


if __name__ == "__main__":
    sys.exit(main())
