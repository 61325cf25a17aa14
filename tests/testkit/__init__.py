"""Shared test helpers: databases, factories, local servers. Importable as `testkit` (see pyproject pythonpath)."""
