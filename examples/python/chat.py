#!/usr/bin/env python3
"""A Confab chat client in plain Python (standard library only).

    python3 chat.py HOST PORT NICK ROOM

Type a line to say it in ROOM; "/msg NICK TEXT" whispers. Ctrl+D quits.
Every frame is one JSON object on one line (docs/protocol.md).
"""
import json
import os
import select
import socket
import sys


def send(sock, **message):
    sock.sendall(json.dumps(message).encode() + b"\n")


def show(message):
    kind = message["type"]
    if kind == "message":
        print(f"[{message['room']}] {message['from']}: {message['text']}")
    elif kind == "private":
        print(f"(private) {message['from']}: {message['text']}")
    elif kind in ("user_joined", "user_left"):
        print(f"* {message['nick']} {'joined' if kind == 'user_joined' else 'left'} {message['room']}")
    elif kind == "joined":
        print(f"* you are in {message['room']} with {', '.join(message['members'])}")
    elif kind == "welcome":
        print(f"* welcome, {message['nick']}: {message['motd']}")
    elif kind == "error":
        print(f"! {message['code']}: {message['message']}")
    elif kind == "ping":
        return "pong"
    sys.stdout.flush()


def main():
    host, port, nick, room = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.create_connection((host, port))
    send(sock, type="hello", nick=nick)
    send(sock, type="join", room=room)
    buffer, typed = b"", b""
    watched = [sock, sys.stdin]
    while True:
        readable, _, _ = select.select(watched, [], [])
        if sys.stdin in readable:
            # os.read, not readline: select() sees the descriptor, not
            # lines that Python's own buffer would keep.
            data = os.read(sys.stdin.fileno(), 65536)
            if not data:  # end of input: leave politely, and show what is still coming
                send(sock, type="quit")
                watched = [sock]
                continue
            typed += data
            while b"\n" in typed:
                raw, typed = typed.split(b"\n", 1)
                line = raw.decode()
                if line.startswith("/msg ") and line.count(" ") >= 2:
                    _, to, text = line.split(" ", 2)
                    send(sock, type="whisper", to=to, text=text)
                elif line:
                    send(sock, type="say", room=room, text=line)
        if sock in readable:
            data = sock.recv(65536)
            if not data:
                print("* the server closed the connection")
                break
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if show(json.loads(line)) == "pong":
                    send(sock, type="pong")
    sock.close()


if __name__ == "__main__":
    main()
