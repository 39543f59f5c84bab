"""The initial warehouse schema: landing, raw, curated, planning and stewardship tables.

The stewards' decisions table is append-only: its triggers (``append_only``, the one place
their DDL is written) are installed with it.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pharma_pipelines.warehouse import append_only

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_disposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("asset_key", sa.String(length=512), nullable=False),
        sa.Column("check_name", sa.String(length=256), nullable=False),
        sa.Column("partition_key", sa.String(length=64), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_run_id", sa.String(length=64), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluation_description", sa.String(), nullable=True),
        sa.Column("materialization_storage_id", sa.Integer(), nullable=False),
        sa.Column("materialization_run_id", sa.String(length=64), nullable=False),
        sa.Column("materialized_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_version", sa.String(length=128), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "decision IN ('ACCEPT', 'REJECT')", name="ck_check_disposition_decision"
        ),
        sa.CheckConstraint("length(trim(decided_by)) > 0", name="ck_check_disposition_decided_by"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="ck_check_disposition_reason"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_check_disposition_check",
        "check_disposition",
        ["asset_key", "check_name", "partition_key"],
        unique=False,
    )

    for statement in append_only.trigger_statements(
        "check_disposition", op.get_bind().dialect.name
    ):
        op.execute(statement)

    op.create_table(
        "curated_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=True),
        sa.Column("plant", sa.String(length=8), nullable=True),
        sa.Column("manufactured_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=True),
        sa.Column("qc_status", sa.String(length=16), nullable=False),
        sa.Column("results_total", sa.Integer(), nullable=False),
        sa.Column("results_failed", sa.Integer(), nullable=False),
        sa.Column("results_open", sa.Integer(), nullable=False),
        sa.Column("tests_not_evaluable", sa.Integer(), nullable=False),
        sa.Column("results_invalidated", sa.Integer(), nullable=False),
        sa.Column("had_oos", sa.Boolean(), nullable=False),
        sa.Column("valid_oos", sa.Integer(), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_curated_batch_batch"), "curated_batch", ["batch"], unique=False)

    op.create_table(
        "curated_changeover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_center", sa.String(length=16), nullable=False),
        sa.Column("from_family", sa.String(length=40), nullable=False),
        sa.Column("to_family", sa.String(length=40), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_changeover_work_center"),
        "curated_changeover",
        ["work_center"],
        unique=False,
    )

    op.create_table(
        "curated_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(), nullable=True),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("item", sa.String(length=16), nullable=True),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("base_quantity", sa.Float(), nullable=True),
        sa.Column("base_unit", sa.String(length=8), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("attachment", sa.String(), nullable=True),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_demand_material"), "curated_demand", ["material"], unique=False
    )

    op.create_table(
        "curated_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_center", sa.String(length=16), nullable=False),
        sa.Column("plant", sa.String(length=8), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("available_to", sa.Date(), nullable=True),
        sa.Column("hours_per_day", sa.Float(), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_line_work_center"), "curated_line", ["work_center"], unique=False
    )

    op.create_table(
        "curated_line_eligibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("work_center", sa.String(length=16), nullable=False),
        sa.Column("rate_per_hour", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("base_rate_per_hour", sa.Float(), nullable=False),
        sa.Column("base_unit", sa.String(length=8), nullable=True),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_line_eligibility_material"),
        "curated_line_eligibility",
        ["material"],
        unique=False,
    )

    op.create_table(
        "curated_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("material_type", sa.String(length=8), nullable=True),
        sa.Column("family", sa.String(length=40), nullable=False),
        sa.Column("base_unit", sa.String(length=8), nullable=True),
        sa.Column("plant", sa.String(length=8), nullable=True),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_product_material"), "curated_product", ["material"], unique=False
    )

    op.create_table(
        "curated_production_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order", sa.String(length=20), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("plant", sa.String(length=8), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("base_quantity", sa.Float(), nullable=True),
        sa.Column("base_unit", sa.String(length=8), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("finish_date", sa.Date(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("system_status", sa.String(length=64), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_production_order_order"),
        "curated_production_order",
        ["order"],
        unique=False,
    )

    op.create_table(
        "curated_qc_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.String(length=64), nullable=True),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=True),
        sa.Column("test", sa.String(length=128), nullable=False),
        sa.Column("raw_result", sa.String(), nullable=False),
        sa.Column("qualifier", sa.String(length=2), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("censored", sa.Boolean(), nullable=False),
        sa.Column("text_result", sa.String(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("spec_min", sa.Float(), nullable=True),
        sa.Column("spec_max", sa.Float(), nullable=True),
        sa.Column("text_spec", sa.String(), nullable=True),
        sa.Column("release_relevant", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("result_id", sa.String(), nullable=True),
        sa.Column("sample_type", sa.String(), nullable=True),
        sa.Column("run", sa.Integer(), nullable=True),
        sa.Column("is_retest", sa.Boolean(), nullable=False),
        sa.Column("retest_of", sa.String(), nullable=True),
        sa.Column("result_date", sa.Date(), nullable=True),
        sa.Column("result_time", sa.Time(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("invalidation_reason", sa.String(), nullable=True),
        sa.Column("is_final", sa.Boolean(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("test_verdict", sa.String(length=16), nullable=False),
        sa.Column("had_oos", sa.Boolean(), nullable=False),
        sa.Column("valid_oos", sa.Boolean(), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curated_qc_result_batch"), "curated_qc_result", ["batch"], unique=False
    )

    op.create_table(
        "curated_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("exponent", sa.Integer(), nullable=False),
        sa.Column("additive_constant", sa.String(length=32), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("iso_code", sa.String(length=8), nullable=True),
        sa.Column("iso_primary", sa.Boolean(), nullable=False),
        sa.Column("commercial_code", sa.String(length=8), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("raw_record_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_curated_unit_unit"), "curated_unit", ["unit"], unique=False)

    op.create_table(
        "curation_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("curated_table", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(), nullable=False),
        sa.Column("raw_value", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_curation_issue_curated_table"), "curation_issue", ["curated_table"], unique=False
    )

    op.create_table(
        "landing_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("relative_path", sa.String(length=1024), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=True),
        sa.Column("classification", sa.String(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relative_path", "content_hash"),
    )
    op.create_index(
        op.f("ix_landing_file_content_hash"), "landing_file", ["content_hash"], unique=False
    )

    op.create_table(
        "loaded_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("relative_path", sa.String(length=1024), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("quarantine_reason", sa.String(), nullable=True),
        sa.Column("encoding", sa.String(), nullable=True),
        sa.Column("layout", sa.String(), nullable=True),
        sa.Column("decimal_separator", sa.String(length=1), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "status IN ('loaded', 'quarantined', 'duplicate')", name="ck_loaded_file_status"
        ),
        sa.CheckConstraint(
            "rows_read = rows_loaded + rows_rejected AND rows_loaded >= 0 AND rows_rejected >= 0",
            name="ck_loaded_file_rows_reconcile",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity", "content_hash"),
    )
    op.create_index(op.f("ix_loaded_file_entity"), "loaded_file", ["entity"], unique=False)

    op.create_table(
        "planning_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plant", sa.String(length=8), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plant", "content_hash"),
    )
    op.create_index(op.f("ix_planning_problem_plant"), "planning_problem", ["plant"], unique=False)

    op.create_table(
        "planning_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plant", sa.String(length=8), nullable=False),
        sa.Column("problem_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("least_bad_plan", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_planning_schedule_plant"), "planning_schedule", ["plant"], unique=False
    )
    op.create_index(
        op.f("ix_planning_schedule_problem_hash"),
        "planning_schedule",
        ["problem_hash"],
        unique=False,
    )

    op.create_table(
        "planning_schedule_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("order", sa.String(length=20), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changeover_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tardiness_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["planning_schedule.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_planning_schedule_line_schedule_id"),
        "planning_schedule_line",
        ["schedule_id"],
        unique=False,
    )

    op.create_table(
        "raw_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("attachment_number", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("container_path", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["loaded_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_id", "attachment_number"),
    )
    op.create_index(op.f("ix_raw_attachment_file_id"), "raw_attachment", ["file_id"], unique=False)
    op.create_index(op.f("ix_raw_attachment_sha256"), "raw_attachment", ["sha256"], unique=False)

    op.create_table(
        "raw_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["loaded_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_raw_record_entity_file", "raw_record", ["entity", "file_id"], unique=False)

    op.create_table(
        "raw_reject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(), nullable=True),
        sa.Column("raw_value", sa.String(), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["loaded_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_raw_reject_file_id"), "raw_reject", ["file_id"], unique=False)


def downgrade() -> None:
    op.drop_table("raw_reject")
    op.drop_table("raw_record")
    op.drop_table("raw_attachment")
    op.drop_table("planning_schedule_line")
    op.drop_table("planning_schedule")
    op.drop_table("planning_problem")
    op.drop_table("loaded_file")
    op.drop_table("landing_file")
    op.drop_table("curation_issue")
    op.drop_table("curated_unit")
    op.drop_table("curated_qc_result")
    op.drop_table("curated_production_order")
    op.drop_table("curated_product")
    op.drop_table("curated_line_eligibility")
    op.drop_table("curated_line")
    op.drop_table("curated_demand")
    op.drop_table("curated_changeover")
    op.drop_table("curated_batch")
    op.drop_table("check_disposition")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {append_only.PG_FUNCTION}()")
