-- Read markers (protocol section 20): how far an account has read each of
-- its conversations, "#ROOMKEY" for a room and "@IDENTITY" for a private
-- conversation (see 008_private_messages.sql), so that unread counts survive
-- a reconnect and follow the account from one device to the next.
CREATE TABLE read_markers (
    account      TEXT    NOT NULL,
    conversation TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (account, conversation)
) WITHOUT ROWID;
