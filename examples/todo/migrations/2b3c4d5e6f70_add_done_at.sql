-- add done_at to todo
--
-- Revision ID: 2b3c4d5e6f70
-- Revises: 1a2b3c4d5e6f
-- Create Date: 2026-11-22 10:01:00+00:00

-- migrate:up
ALTER TABLE todo ADD COLUMN done_at VARCHAR(32);

-- migrate:down
ALTER TABLE todo DROP COLUMN done_at;
