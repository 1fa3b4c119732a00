-- Room bans (protocol section 13). mask_key is Mask::key(): two spellings of
-- one mask are one ban. until is a wall-clock time in ms, NULL for ever.
CREATE TABLE room_bans (
    room_key TEXT    NOT NULL,
    mask_key TEXT    NOT NULL,
    mask     TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    reason   TEXT    NOT NULL DEFAULT '',
    until    INTEGER,
    PRIMARY KEY (room_key, mask_key)
) WITHOUT ROWID;
