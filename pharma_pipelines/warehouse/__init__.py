"""Warehouse: SQLAlchemy models and repositories (no Dagster, no business rules)."""
