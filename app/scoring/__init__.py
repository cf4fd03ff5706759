"""Scoring helpers shared by the domains (pure: no database, no web)."""
