-- A room has at most one owner, whatever two servers decide at the same
-- moment (see ../010_one_owner.sql).
DELETE FROM room_roles
WHERE role = 'owner'
  AND account_key > (SELECT MIN(account_key) FROM room_roles AS first
                     WHERE first.room_key = room_roles.room_key AND first.role = 'owner');
CREATE UNIQUE INDEX room_one_owner ON room_roles (room_key) WHERE role = 'owner';
