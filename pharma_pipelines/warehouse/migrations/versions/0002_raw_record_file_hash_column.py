"""Zero-downtime change, step 1 of 3: raw rows get a nullable ``file_hash`` column.

The three revisions 0002 to 0004 are the worked example of changing a large table while
loads keep running: add the column nullable (this revision, instant on PostgreSQL: no table
rewrite), backfill it in short batches (0003), then constrain it (0004).

During a release the migration task runs while the previous release may still be loading
files, and that code does not know the column. On PostgreSQL a trigger therefore fills it on
insert whenever the writer left it empty, from the row's ``loaded_file``; so rows written by
either release have it, during the backfill and after the constraint. The trigger can be
dropped by a later revision once no release older than this one can run.

A SQLite warehouse is an embedded, single-user file that migrates itself before the new code
uses it, so no older writer can meet the new column there and no trigger is needed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "pharma_raw_record_file_hash"
TRIGGER = "raw_record_file_hash_on_insert"


def upgrade() -> None:
    op.add_column("raw_record", sa.Column("file_hash", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.file_hash IS NULL THEN "
            "SELECT content_hash INTO NEW.file_hash FROM loaded_file WHERE id = NEW.file_id; "
            "END IF; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON raw_record "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON raw_record")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    with op.batch_alter_table("raw_record") as batch:
        batch.drop_column("file_hash")
