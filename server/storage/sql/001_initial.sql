-- Rooms are keyed by their folded name (see nameKey in shared/names.h) and
-- remember how they were first spelled. A room's row outlives its members.
CREATE TABLE rooms (
    key   TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- seq is per room, starts at 1 and is never reused: the highest stored seq is
-- where a restarted server carries on.
CREATE TABLE messages (
    room_key TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    sender   TEXT    NOT NULL,
    text     TEXT    NOT NULL,
    ts       INTEGER NOT NULL,
    PRIMARY KEY (room_key, seq)
) WITHOUT ROWID;
