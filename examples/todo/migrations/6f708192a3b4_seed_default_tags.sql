-- seed default tags
--
-- Revision ID: 6f708192a3b4
-- Revises: 5e6f708192a3
-- Create Date: 2026-11-22 10:05:00+00:00

-- migrate:up
INSERT INTO tag (id, name) VALUES (1, 'home'), (2, 'work'), (3, 'errand');

-- migrate:down
DELETE FROM tag WHERE id IN (1, 2, 3);
