-- add priority to todo
--
-- Revision ID: 4d5e6f708192
-- Revises: 2b3c4d5e6f70
-- Create Date: 2026-11-22 10:03:00+00:00

-- migrate:up
ALTER TABLE todo ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE todo DROP COLUMN priority;
