-- misspelt key
-- Revison ID: abc
-- Revises: <base>
-- migrate:up
SELECT 1;
