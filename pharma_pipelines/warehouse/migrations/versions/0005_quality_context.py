"""The quality context's tables: batch yields, curation exclusions, kept validations.

Adds ``curated_batch_yield`` (yields as their reports state them, BR-12),
``curation_exclusion`` (raw rows left out of a curated table on purpose),
``quality_validation`` (each expectation-suite result, by run) and the nullable
``curation_issue.raw_record_id`` that ties an issue to its raw row.

Every change is additive: new tables, and a nullable column without a default, which
PostgreSQL adds without rewriting the table. A release that predates this revision keeps
working while it is applied, since it neither reads the new tables nor writes the new
column (its issues simply carry no raw row id until the next materialization rebuilds them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "curated_batch_yield",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=True),
        sa.Column("container_count", sa.Integer(), nullable=True),
        sa.Column("container_count_raw", sa.String(), nullable=True),
        sa.Column("yield_pct", sa.Float(), nullable=True),
        sa.Column("yield_pct_raw", sa.String(), nullable=True),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_batch_yield_batch"), "curated_batch_yield", ["batch"], unique=False
    )

    op.create_table(
        "curation_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("curated_table", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("raw_record_id", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curation_exclusion_curated_table"),
        "curation_exclusion",
        ["curated_table"],
        unique=False,
    )

    op.create_table(
        "quality_validation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("asset_key", sa.String(length=128), nullable=False),
        sa.Column("suite", sa.String(length=128), nullable=False),
        sa.Column("suite_version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("expectations", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_quality_validation_run_id"), "quality_validation", ["run_id"], unique=False
    )

    op.add_column("curation_issue", sa.Column("raw_record_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by rebuilding the table: batch mode does that there.
    with op.batch_alter_table("curation_issue") as batch:
        batch.drop_column("raw_record_id")
    op.drop_index(op.f("ix_quality_validation_run_id"), table_name="quality_validation")
    op.drop_table("quality_validation")
    op.drop_index(op.f("ix_curation_exclusion_curated_table"), table_name="curation_exclusion")
    op.drop_table("curation_exclusion")
    op.drop_index(op.f("ix_curated_batch_yield_batch"), table_name="curated_batch_yield")
    op.drop_table("curated_batch_yield")
