"""Accounts, organisations, roles, login and API tokens."""
