-- /me: a message said as an action ("* alice waves") is stored as such, so
-- that history and catch-up show it the same way.
ALTER TABLE messages ADD COLUMN action INTEGER NOT NULL DEFAULT 0;
