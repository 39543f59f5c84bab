"""Zero-downtime change, step 3 of 3: ``raw_record.file_hash`` becomes NOT NULL.

On PostgreSQL, ``SET NOT NULL`` alone would scan the whole table under an exclusive lock,
stopping every load for the length of the scan. Instead a CHECK constraint is added
``NOT VALID`` (a moment's lock, no scan), validated (a scan that lets inserts go on), and
``SET NOT NULL`` then uses the validated constraint to skip its own scan; the helper
constraint is dropped afterwards. Each step commits on its own so that no exclusive lock
is held across a scan. ``lock_timeout`` makes a step that cannot get its lock fail fast
instead of queueing every load behind it; the revision can simply be run again.

On SQLite the column is changed by rebuilding the table, inside the upgrade's single
write-locked transaction (see ``env.py``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_raw_record_file_hash_not_null"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("raw_record") as batch:
            batch.alter_column("file_hash", existing_type=sa.String(length=64), nullable=False)
        return
    with op.get_context().autocommit_block():
        for statement in (
            "SET lock_timeout = '10s'",
            f"ALTER TABLE raw_record DROP CONSTRAINT IF EXISTS {CHECK}",
            f"ALTER TABLE raw_record ADD CONSTRAINT {CHECK} CHECK (file_hash IS NOT NULL) "
            "NOT VALID",
            f"ALTER TABLE raw_record VALIDATE CONSTRAINT {CHECK}",
            "ALTER TABLE raw_record ALTER COLUMN file_hash SET NOT NULL",
            f"ALTER TABLE raw_record DROP CONSTRAINT {CHECK}",
            "RESET lock_timeout",
        ):
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("raw_record") as batch:
        batch.alter_column("file_hash", existing_type=sa.String(length=64), nullable=True)
