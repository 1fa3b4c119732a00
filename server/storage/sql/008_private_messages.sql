-- Private conversations that last (protocol section 19). A conversation is a
-- pair of identities, "a:ACCOUNTKEY" for an account and "n:NICKKEY" for a
-- guest, sorted and joined by a line break; seq counts its messages from 1.
-- recipient: the recipient's identity, so that what waits for an account
-- that was offline (delivered = 0) is found when it logs in.
CREATE TABLE private_messages (
    pair      TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    sender    TEXT    NOT NULL,
    recipient_nick TEXT NOT NULL,
    recipient TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    action    INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (pair, seq)
) WITHOUT ROWID;
CREATE INDEX private_waiting ON private_messages (recipient, delivered) WHERE delivered = 0;
