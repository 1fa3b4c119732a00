-- Edits, deletions and reactions (protocol section 18). A message keeps its
-- row: an edit replaces its text, a deletion empties it, and reactions are
-- kept with it as JSON ([{"emoji":"👍","nicks":["bob"]}]), so every history
-- page shows each message as it is now.
--
-- account: the sender's account key when logged in (NULL for a guest), so
-- that only its owner may edit it even after the nick changes hands.
-- rev: the room revision of the message's last change; with the room's
-- highest rev, a client that was away asks for what changed since.
ALTER TABLE messages ADD COLUMN account TEXT;
ALTER TABLE messages ADD COLUMN edited INTEGER;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN reactions TEXT;
ALTER TABLE messages ADD COLUMN rev INTEGER;
CREATE INDEX messages_by_rev ON messages (room_key, rev) WHERE rev IS NOT NULL;
