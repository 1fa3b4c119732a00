"""Reliability cases for what an operator does to a running server, as
docs/server.md tells them to: a backup taken while people write."""

import os
import shutil
import subprocess
import threading
import time

from harness import Closed, Failure, LineClient, Server, expect, wait_until

CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


def _writer(server, nick, stop, acknowledged, lock):
    """Says numbered lines in the room until told to stop; each one the
    server echoes (stored, then sent) goes into `acknowledged`, with the
    moment it came back."""
    client = LineClient(server)
    expect(client.hello(nick)["type"] == "welcome", f"{nick} gets in")
    client.join("backup")
    number = 0
    try:
        while not stop.is_set():
            number += 1
            text = f"{nick} {number}"
            client.send("say", room="backup", text=text, id=number)
            echo = client.wait_for("message", room="backup", text=text)
            with lock:
                acknowledged.append((time.monotonic(), text, echo["seq"]))
    except Closed:
        pass
    finally:
        client.close()


def _history(server, room):
    """Every message of the room, by text, reading pages until the end."""
    reader = LineClient(server)
    expect(reader.hello("reader")["type"] == "welcome", "the reader gets in")
    texts, after = {}, 0
    while True:
        reader.send("history", room=room, after=after, limit=200, id=after)
        page = reader.wait_for("history_page", room=room)
        for message in page["messages"]:
            texts[message["text"]] = message["seq"]
            after = max(after, message["seq"])
        if len(page["messages"]) < 200 and not page.get("more"):
            break
    reader.close()
    return texts


@case
def backup_while_writing(binary):
    """docs/server.md, "Backups and restore": sqlite3 -readonly DB ".backup
    COPY" while four clients write as fast as they are answered. The copy
    passes an integrity check, and a server started on it has every message
    acknowledged before the backup began, and numbers new ones after them."""
    if not shutil.which("sqlite3"):
        raise Failure("sqlite3 is not installed (./test.sh installs it)")
    # No request buckets: the writers go as fast as they are answered.
    with Server(binary, args=["--flood-burst", "0"]) as server:
        stop, lock, acknowledged = threading.Event(), threading.Lock(), []
        writers = [threading.Thread(target=_writer, args=(server, f"writer{n}", stop, acknowledged, lock))
                   for n in range(4)]
        for writer in writers:
            writer.start()
        try:
            wait_until(lambda: len(acknowledged) >= 400, 60, "400 messages acknowledged")
            copy = os.path.join(server.directory, "copy.db")
            began = time.monotonic()
            backup = subprocess.run(["sqlite3", "-readonly", server.db, f".backup {copy}"], capture_output=True,
                                    text=True, timeout=120)
            expect(backup.returncode == 0, f"the backup worked: {backup.stderr}")
            count_at_end = len(acknowledged)
            wait_until(lambda: len(acknowledged) >= count_at_end + 100, 60, "writing went on after the backup")
        finally:
            stop.set()
            for writer in writers:
                writer.join(30)
        with lock:
            before = [(text, seq) for moment, text, seq in acknowledged if moment < began]
        check = subprocess.run(["sqlite3", copy, "PRAGMA integrity_check"], capture_output=True, text=True)
        expect(check.stdout.strip() == "ok", f"the copy passes an integrity check: {check.stdout}{check.stderr}")
        print(f"  acknowledged before the backup: {len(before)}, in all: {len(acknowledged)}", flush=True)
        server.stop()

        # Restored: a server of its own on the copy, as the docs restore it.
        restored_dir = os.path.join(server.directory, "restored")
        os.makedirs(restored_dir)
        restored_db = os.path.join(restored_dir, "history.db")
        shutil.copy(copy, restored_db)
        with Server(binary, directory=restored_dir, db=restored_db) as restored:
            texts = _history(restored, "backup")
            missing = [text for text, seq in before if texts.get(text) != seq]
            expect(not missing, f"every message acknowledged before the backup is restored, with its seq; "
                                f"missing: {missing[:5]} ({len(missing)})")
            client = LineClient(restored)
            expect(client.hello("after")["type"] == "welcome", "a client gets into the restored server")
            client.join("backup")
            client.send("say", room="backup", text="after the restore", id=1)
            seq = client.wait_for("message", room="backup", text="after the restore")["seq"]
            expect(seq > max(texts.values()), f"new messages are numbered after the restored ones ({seq})")
            client.close()
            restored.stop()
