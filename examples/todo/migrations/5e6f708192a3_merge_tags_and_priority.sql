-- merge tags and priority
--
-- Revision ID: 5e6f708192a3
-- Revises: 3c4d5e6f7081, 4d5e6f708192
-- Create Date: 2026-11-22 10:04:00+00:00

-- migrate:up
CREATE TABLE todo_tag (
    todo_id BIGINT NOT NULL,
    tag_id BIGINT NOT NULL,
    PRIMARY KEY (todo_id, tag_id)
);

-- migrate:down
DROP TABLE todo_tag;
