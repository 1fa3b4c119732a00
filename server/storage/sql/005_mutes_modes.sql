-- Mutes (protocol section 13): target is 'account:KEY' for a logged-in user,
-- 'nick:KEY' otherwise. until is a wall-clock time in ms, NULL for ever.
CREATE TABLE room_mutes (
    room_key TEXT NOT NULL,
    target   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    until    INTEGER,
    PRIMARY KEY (room_key, target)
) WITHOUT ROWID;

-- Room modes; a room without a row has none. room_key '' is never used.
CREATE TABLE room_modes (
    room_key     TEXT PRIMARY KEY,
    invite_only  INTEGER NOT NULL DEFAULT 0,
    join_key     TEXT    NOT NULL DEFAULT '',
    topic_locked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
