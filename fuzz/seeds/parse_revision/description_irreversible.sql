-- add orders and their index
--
-- Orders belong to accounts.
-- The index serves the account page.
--
-- Revision ID: 0f9e8d7c6b5a
-- Revises: 1975ea83b712
-- Create Date: 2026-11-23 09:30:00+00:00
-- Transactional: false

-- migrate:up
-- a comment inside the up section
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id),
    total NUMERIC(10, 2) NOT NULL DEFAULT 0
);
CREATE INDEX CONCURRENTLY orders_account ON orders (account_id);
