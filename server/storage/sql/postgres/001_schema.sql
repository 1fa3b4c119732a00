-- The PostgreSQL schema for cluster mode: the same tables as SQLite's
-- migrations 001 to 009 end with (see ../001_initial.sql onwards for what
-- each holds), with 64-bit numbers, and two counters the servers share:
-- rooms.last_seq and last_rev (and private_pairs.last_seq) are raised in the
-- same transaction as the insert they number, so the row lock orders the
-- servers' commits and no number is given twice or skipped.
CREATE TABLE rooms (
    key      TEXT PRIMARY KEY,
    name     TEXT   NOT NULL,
    topic    TEXT   NOT NULL DEFAULT '',
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_rev BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE messages (
    room_key  TEXT    NOT NULL,
    seq       BIGINT  NOT NULL,
    sender    TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    ts        BIGINT  NOT NULL,
    action    INTEGER NOT NULL DEFAULT 0,
    account   TEXT,
    edited    BIGINT,
    deleted   INTEGER NOT NULL DEFAULT 0,
    reactions TEXT,
    rev       BIGINT,
    PRIMARY KEY (room_key, seq)
);
CREATE INDEX messages_by_rev ON messages (room_key, rev) WHERE rev IS NOT NULL;

CREATE TABLE accounts (
    key           TEXT PRIMARY KEY,
    name          TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    created       BIGINT NOT NULL
);

CREATE TABLE room_roles (
    room_key    TEXT NOT NULL,
    account_key TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (room_key, account_key)
);

CREATE TABLE audit (
    id       BIGSERIAL PRIMARY KEY,
    ts       BIGINT NOT NULL,
    actor    TEXT   NOT NULL,
    action   TEXT   NOT NULL,
    room_key TEXT   NOT NULL,
    room     TEXT,
    target   TEXT,
    reason   TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_room ON audit (room_key, ts);

CREATE TABLE room_bans (
    room_key TEXT NOT NULL,
    mask_key TEXT NOT NULL,
    mask     TEXT NOT NULL,
    actor    TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    until    BIGINT,
    PRIMARY KEY (room_key, mask_key)
);

CREATE TABLE room_mutes (
    room_key TEXT NOT NULL,
    target   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    until    BIGINT,
    PRIMARY KEY (room_key, target)
);

CREATE TABLE room_modes (
    room_key     TEXT PRIMARY KEY,
    invite_only  INTEGER NOT NULL DEFAULT 0,
    join_key     TEXT    NOT NULL DEFAULT '',
    topic_locked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE private_pairs (
    pair     TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE private_messages (
    pair           TEXT    NOT NULL,
    seq            BIGINT  NOT NULL,
    sender         TEXT    NOT NULL,
    recipient_nick TEXT    NOT NULL,
    recipient      TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    ts             BIGINT  NOT NULL,
    action         INTEGER NOT NULL DEFAULT 0,
    delivered      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (pair, seq)
);
CREATE INDEX private_waiting ON private_messages (recipient, delivered) WHERE delivered = 0;

CREATE TABLE read_markers (
    account      TEXT   NOT NULL,
    conversation TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (account, conversation)
);
