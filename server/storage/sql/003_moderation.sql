-- Roles per room (protocol section 13). Roles belong to accounts;
-- a member has no row. role is 'op' or 'owner'.
CREATE TABLE room_roles (
    room_key    TEXT NOT NULL,
    account_key TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (room_key, account_key)
) WITHOUT ROWID;

-- Every moderation action: who, what, to whom, why, when. room_key is empty
-- for actions on the whole server.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    ts       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    room_key TEXT    NOT NULL,
    room     TEXT,
    target   TEXT,
    reason   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_room ON audit (room_key, ts);
