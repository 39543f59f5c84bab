"""Scenarios of release_checks.feature (shared steps only: tests/features/conftest.py)."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("release_checks.feature")
