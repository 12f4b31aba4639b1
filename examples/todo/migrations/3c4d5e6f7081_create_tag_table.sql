-- create tag table
--
-- One developer adds tags while another adds priorities; both branch from
-- 2b3c4d5e6f70 and are joined by the merge revision 5e6f708192a3.
--
-- Revision ID: 3c4d5e6f7081
-- Revises: 2b3c4d5e6f70
-- Create Date: 2026-11-22 10:02:00+00:00

-- migrate:up
CREATE TABLE tag (
    id BIGINT NOT NULL PRIMARY KEY,
    name VARCHAR(50) NOT NULL UNIQUE
);

-- migrate:down
DROP TABLE tag;
