-- Accounts (protocol section 12) are keyed like nicks (nameKey) and
-- keep the spelling they were registered with. password_hash is libcrypt's
-- yescrypt string ("$y$..."), salted and slow. The password itself is never
-- stored.
CREATE TABLE accounts (
    key           TEXT PRIMARY KEY,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created       INTEGER NOT NULL
) WITHOUT ROWID;
