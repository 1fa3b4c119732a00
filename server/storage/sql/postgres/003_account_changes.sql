-- Account administration from the shell (see ../011_account_changes.sql).
CREATE TABLE account_changes (generation BIGINT NOT NULL);
INSERT INTO account_changes (generation) VALUES (0);
