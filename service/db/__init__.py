"""Database: engine and sessions, the ORM tables (all in tables.py), migrations and queries."""
