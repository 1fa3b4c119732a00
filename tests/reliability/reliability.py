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
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Closed, Failure, LineClient, Server, Skip, WsClient, connect, expect,  # noqa: E402
                     is_closed_by_peer, raw_http, wait_until, ws_frame, websocket_handshake)

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
            alice, bob = LineClient(server), LineClient(server)
            alice.hello("alice")
            bob.hello("bob")
            alice.join("disk")
            bob.join("disk")
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


# ---------------------------------------------------------------- runner

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="path to confab-server")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    options = parser.parse_args()
    if options.list:
        for name, function in CASES.items():
            print(f"{name}: {' '.join(function.__doc__.split())}")
        return 0
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
