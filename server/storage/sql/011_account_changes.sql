-- Account administration from the shell (confab-server account ...): each
-- change adds one to `generation` in its own transaction; a running server
-- reads the number every few seconds and, when it moved, reads accounts,
-- roles and bans again.
CREATE TABLE account_changes (generation INTEGER NOT NULL);
INSERT INTO account_changes (generation) VALUES (0);
