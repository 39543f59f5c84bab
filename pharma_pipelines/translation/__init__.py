"""Translations between bounded contexts (the only place that knows two of them)."""
