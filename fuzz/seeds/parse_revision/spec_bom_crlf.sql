-- create account table
--
-- Revision ID: 1975ea83b712
-- Revises: <base>
-- Create Date: 2026-11-22 10:00:00+00:00
-- Branch Labels: accounts
-- Depends On: 55af2cb1c267

-- migrate:up
CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);

-- migrate:down
DROP TABLE account;
