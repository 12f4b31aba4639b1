-- merge heads
--
-- Revision ID: a1b2c3d4e5f6
-- Revises: 0f9e8d7c6b5a, 55af2cb1c267

-- migrate:up

-- migrate:down
