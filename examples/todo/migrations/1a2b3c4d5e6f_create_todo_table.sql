-- create todo table
--
-- Revision ID: 1a2b3c4d5e6f
-- Revises: <base>
-- Create Date: 2026-11-22 10:00:00+00:00

-- migrate:up
CREATE TABLE todo (
    id BIGINT NOT NULL PRIMARY KEY,
    title VARCHAR(200) NOT NULL
);

-- migrate:down
DROP TABLE todo;
