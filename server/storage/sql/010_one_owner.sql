-- A room has at most one owner (protocol section 13), whatever two servers
-- of a cluster, or two claims at the same moment, decide: a second owner
-- row cannot be written. Should a database hold two already, the first by
-- account key stays.
DELETE FROM room_roles
WHERE role = 'owner'
  AND account_key > (SELECT MIN(account_key) FROM room_roles AS first
                     WHERE first.room_key = room_roles.room_key AND first.role = 'owner');
CREATE UNIQUE INDEX room_one_owner ON room_roles (room_key) WHERE role = 'owner';
