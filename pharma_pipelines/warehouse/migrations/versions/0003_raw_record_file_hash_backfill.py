"""Zero-downtime change, step 2 of 3: ``raw_record.file_hash`` is backfilled in batches.

Rows are filled in ranges of :data:`BATCH` ids, each range its own short transaction on
PostgreSQL (outside the revision's transaction), so no lock is held on more than one range
at a time and loads keep running beside it. The loop ends when a pass finds no empty row;
rows inserted meanwhile were filled by 0002's trigger. On SQLite the whole upgrade holds the
write lock anyway (see ``env.py``): the batches only keep each statement small.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000

_NEXT_EMPTY = sa.text("SELECT min(id) FROM raw_record WHERE file_hash IS NULL AND id >= :start")
_FILL = sa.text(
    "UPDATE raw_record SET file_hash = "
    "(SELECT content_hash FROM loaded_file WHERE loaded_file.id = raw_record.file_id) "
    "WHERE id >= :start AND id < :stop AND file_hash IS NULL"
)


def _backfill(connection: sa.Connection) -> None:
    start = 0
    while (first := connection.execute(_NEXT_EMPTY, {"start": start}).scalar()) is not None:
        connection.execute(_FILL, {"start": first, "stop": first + BATCH})
        start = first + BATCH


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            _backfill(op.get_bind())
    else:
        _backfill(op.get_bind())


def downgrade() -> None:
    # The backfilled values are what the trigger and the loader write as well: nothing to undo.
    pass
