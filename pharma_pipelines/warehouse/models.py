"""Warehouse tables as SQLAlchemy 2.0 typed models.

The layers live here, mirroring the asset graph:

- landing and raw: what arrived, byte for byte accounted. ``LandingFile`` is every file seen
  in the landing zone; ``LoadedFile`` is one load of one file into one raw entity (or its
  quarantine); ``RawRecord`` keeps each source row as the original text (a JSON object of
  canonical field to text) with its lineage; ``RawReject`` keeps each row that could not be
  used, with the reason. Raw tables are append-only: a file version (content hash) is loaded
  once per entity.
- curated: typed, deduplicated tables rebuilt from raw in one transaction. Every curated row
  carries ``raw_record_ids`` so it can be traced back to the rows and files it came from.
- planning: each plant's scheduling problems and solved schedules, problems by content hash.
- quality: the full result of every expectation-suite validation, by run.
- stewardship: data stewards' decisions on failed checks, append-only (triggers in
  ``append_only.py`` refuse UPDATE and DELETE).

The annotation drives the column (``Mapped[str | None]`` is a nullable column); the shared
type map turns ``datetime`` into a timezone-aware column and ``dict``/``list`` into JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pharma_pipelines.warehouse import append_only


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[int]: JSON,
        list[str]: JSON,
    }


# --- landing and raw -------------------------------------------------------------------


class LandingFile(Base):
    """One version (content hash) of one file seen in the landing zone."""

    __tablename__ = "landing_file"
    __table_args__ = (UniqueConstraint("relative_path", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    relative_path: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    kind: Mapped[str | None] = mapped_column(String(64))
    classification: Mapped[str]
    first_seen_at: Mapped[dt.datetime]
    run_id: Mapped[str] = mapped_column(String(64))


class LoadedFile(Base):
    """One load of one file version into one raw entity, or its quarantine.

    ``status`` is ``loaded``, ``quarantined`` or ``duplicate`` (a mail already loaded from
    another file under the same Message-ID); ``quarantine_reason`` says why for the latter two.
    """

    __tablename__ = "loaded_file"
    __table_args__ = (
        UniqueConstraint("entity", "content_hash"),
        CheckConstraint(
            "status IN ('loaded', 'quarantined', 'duplicate')", name="ck_loaded_file_status"
        ),
        CheckConstraint(
            "rows_read = rows_loaded + rows_rejected AND rows_loaded >= 0 AND rows_rejected >= 0",
            name="ck_loaded_file_rows_reconcile",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(64), index=True)
    relative_path: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    quarantine_reason: Mapped[str | None]
    encoding: Mapped[str | None]
    layout: Mapped[str | None]
    decimal_separator: Mapped[str | None] = mapped_column(String(1))
    notes: Mapped[list[str]] = mapped_column(default=list)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_loaded: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[dt.datetime]
    run_id: Mapped[str] = mapped_column(String(64))

    records: Mapped[list[RawRecord]] = relationship(back_populates="file", lazy="raise")


class RawRecord(Base):
    """One source row, every value kept as the original text.

    ``file_hash`` is the SHA-256 of the file the row was read from (``loaded_file``'s content
    hash), so a raw row names its source bytes on its own, as an exported row must.
    """

    __tablename__ = "raw_record"
    __table_args__ = (Index("ix_raw_record_entity_file", "entity", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("loaded_file.id"))
    entity: Mapped[str] = mapped_column(String(64))
    row_number: Mapped[int]
    payload: Mapped[dict[str, Any]]
    file_hash: Mapped[str] = mapped_column(String(64))

    file: Mapped[LoadedFile] = relationship(back_populates="records", lazy="raise")


class RawReject(Base):
    """One source row kept aside because it cannot be used, with the reason."""

    __tablename__ = "raw_reject"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("loaded_file.id"), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    row_number: Mapped[int]
    column_name: Mapped[str | None]
    raw_value: Mapped[str | None]
    rule: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str]


class RawAttachment(Base):
    """A file found inside an e-mail, kept byte for byte with where it came from.

    The bytes live only here, never on disk; ``file_name`` is already a safe plain name.
    ``attachment_number`` is the row number of the same attachment in ``outlook/attachments``:
    one mail may hold the same file twice under one name (a logo in every reply).
    """

    __tablename__ = "raw_attachment"
    __table_args__ = (UniqueConstraint("file_id", "attachment_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("loaded_file.id"), index=True)
    attachment_number: Mapped[int]
    message_id: Mapped[str]
    container_path: Mapped[str]
    file_name: Mapped[str]
    content_type: Mapped[str]
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


# --- curated ---------------------------------------------------------------------------


class CuratedUnit(Base):
    """A unit of measure in force: a landed T006 row, or the built-in set's definition.

    ``additive_constant`` is decimal text so that it stays exact; ``origin`` says which.
    """

    __tablename__ = "curated_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(8), index=True)
    dimension: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[int]
    denominator: Mapped[int]
    exponent: Mapped[int]
    additive_constant: Mapped[str] = mapped_column(String(32))
    decimals: Mapped[int]
    iso_code: Mapped[str | None] = mapped_column(String(8))
    iso_primary: Mapped[bool]
    commercial_code: Mapped[str | None] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(16))
    raw_record_ids: Mapped[list[int]]


class CuratedProduct(Base):
    """A finished product (SAP material of type FERT) and the family it belongs to."""

    __tablename__ = "curated_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    material: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str | None]
    material_type: Mapped[str | None] = mapped_column(String(8))
    family: Mapped[str] = mapped_column(String(40))
    base_unit: Mapped[str | None] = mapped_column(String(8))
    plant: Mapped[str | None] = mapped_column(String(8))
    shelf_life_days: Mapped[int | None]
    raw_record_ids: Mapped[list[int]]


class CuratedBatch(Base):
    """A produced batch with its quality-control status from the LIMS."""

    __tablename__ = "curated_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(40), index=True)
    material: Mapped[str | None] = mapped_column(String(40))
    plant: Mapped[str | None] = mapped_column(String(8))
    manufactured_on: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]
    disposition: Mapped[str | None] = mapped_column(String(16))
    qc_status: Mapped[str] = mapped_column(String(16))
    results_total: Mapped[int]
    results_failed: Mapped[int]
    results_open: Mapped[int]
    tests_not_evaluable: Mapped[int]
    results_invalidated: Mapped[int]
    had_oos: Mapped[bool]
    valid_oos: Mapped[int]
    raw_record_ids: Mapped[list[int]]


class CuratedQcResult(Base):
    """One LIMS result (one run of a test), typed, with its specification and verdict.

    ``verdict`` judges this result alone; ``test_verdict``, ``had_oos`` and ``is_final``
    come from all runs of the same batch and test (retests, re-samples, invalidations).
    """

    __tablename__ = "curated_qc_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[str | None] = mapped_column(String(64))
    batch: Mapped[str] = mapped_column(String(40), index=True)
    material: Mapped[str | None] = mapped_column(String(40))
    test: Mapped[str] = mapped_column(String(128))
    raw_result: Mapped[str]
    qualifier: Mapped[str | None] = mapped_column(String(2))
    value: Mapped[float | None]
    censored: Mapped[bool]
    text_result: Mapped[str | None]
    unit: Mapped[str | None] = mapped_column(String(32))
    spec_min: Mapped[float | None]
    spec_max: Mapped[float | None]
    text_spec: Mapped[str | None]
    release_relevant: Mapped[bool]
    verdict: Mapped[str] = mapped_column(String(16))
    result_id: Mapped[str | None]
    sample_type: Mapped[str | None]
    run: Mapped[int | None]
    is_retest: Mapped[bool]
    retest_of: Mapped[str | None]
    result_date: Mapped[dt.date | None]
    result_time: Mapped[dt.time | None]
    status: Mapped[str] = mapped_column(String(16))
    invalidation_reason: Mapped[str | None]
    is_final: Mapped[bool]
    superseded_by: Mapped[int | None]
    test_verdict: Mapped[str] = mapped_column(String(16))
    had_oos: Mapped[bool]
    valid_oos: Mapped[bool]
    raw_record_ids: Mapped[list[int]]


class CuratedBatchYield(Base):
    """A batch's yield as its yield report states it: containers filled and % of theoretical.

    ``container_count`` and ``yield_pct`` are NULL where the report left the cell blank or
    wrote something that is not a number; ``*_raw`` keep the text as written either way.
    """

    __tablename__ = "curated_batch_yield"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(40), index=True)
    material: Mapped[str | None] = mapped_column(String(40))
    container_count: Mapped[int | None]
    container_count_raw: Mapped[str | None]
    yield_pct: Mapped[float | None]
    yield_pct_raw: Mapped[str | None]
    raw_record_ids: Mapped[list[int]]


class CuratedDemand(Base):
    """A customer order line received by e-mail."""

    __tablename__ = "curated_demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer: Mapped[str | None]
    po_number: Mapped[str | None] = mapped_column(String(64))
    item: Mapped[str | None] = mapped_column(String(16))
    material: Mapped[str] = mapped_column(String(40), index=True)
    quantity: Mapped[float]
    unit: Mapped[str | None] = mapped_column(String(8))
    base_quantity: Mapped[float | None]
    base_unit: Mapped[str | None] = mapped_column(String(8))
    requested_date: Mapped[dt.date]
    message_id: Mapped[str | None]
    attachment: Mapped[str | None]
    raw_record_ids: Mapped[list[int]]


class CuratedProductionOrder(Base):
    """An SAP production order with its dates and scheduling relevance."""

    __tablename__ = "curated_production_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    order: Mapped[str] = mapped_column(String(20), index=True)
    material: Mapped[str] = mapped_column(String(40))
    plant: Mapped[str | None] = mapped_column(String(8))
    quantity: Mapped[float]
    unit: Mapped[str | None] = mapped_column(String(8))
    base_quantity: Mapped[float | None]
    base_unit: Mapped[str | None] = mapped_column(String(8))
    start_date: Mapped[dt.date]
    finish_date: Mapped[dt.date]
    priority: Mapped[int]
    system_status: Mapped[str | None] = mapped_column(String(64))
    is_open: Mapped[bool]
    raw_record_ids: Mapped[list[int]]


class CuratedLine(Base):
    """A production line (SAP work center) and when it is available."""

    __tablename__ = "curated_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_center: Mapped[str] = mapped_column(String(16), index=True)
    plant: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str | None]
    available_from: Mapped[dt.date | None]
    available_to: Mapped[dt.date | None]
    hours_per_day: Mapped[float]
    raw_record_ids: Mapped[list[int]]


class CuratedLineEligibility(Base):
    """That a product may run on a line, and how fast (SAP production version)."""

    __tablename__ = "curated_line_eligibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    material: Mapped[str] = mapped_column(String(40), index=True)
    work_center: Mapped[str] = mapped_column(String(16))
    rate_per_hour: Mapped[float]
    unit: Mapped[str | None] = mapped_column(String(8))
    base_rate_per_hour: Mapped[float]
    base_unit: Mapped[str | None] = mapped_column(String(8))
    raw_record_ids: Mapped[list[int]]


class CuratedChangeover(Base):
    """Minutes of changeover on a line from one product family to another."""

    __tablename__ = "curated_changeover"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_center: Mapped[str] = mapped_column(String(16), index=True)
    from_family: Mapped[str] = mapped_column(String(40))
    to_family: Mapped[str] = mapped_column(String(40))
    minutes: Mapped[int]
    raw_record_ids: Mapped[list[int]]


class CurationIssue(Base):
    """A raw row left out of a curated table because a value could not be typed."""

    __tablename__ = "curation_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    curated_table: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str]
    row_number: Mapped[int]
    column_name: Mapped[str]
    raw_value: Mapped[str]
    reason: Mapped[str]
    raw_record_id: Mapped[int | None]


class CurationExclusion(Base):
    """A raw row left out of a curated table on purpose: superseded, or outside its scope.

    With the curated rows' lineage and the curation issues it accounts for every raw row.
    """

    __tablename__ = "curation_exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    curated_table: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    raw_record_id: Mapped[int]
    source_file: Mapped[str]
    row_number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str]


# --- planning --------------------------------------------------------------------------


class PlanningProblem(Base):
    """A plant's scheduling problem as built from the curated tables, kept by content hash."""

    __tablename__ = "planning_problem"
    __table_args__ = (UniqueConstraint("plant", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plant: Mapped[str] = mapped_column(String(8), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    problem: Mapped[dict[str, Any]]
    order_count: Mapped[int]
    created_at: Mapped[dt.datetime]
    run_id: Mapped[str] = mapped_column(String(64))


class PlanningSchedule(Base):
    """One solve of one plant's problem: status, objective and the scheduled orders.

    Only a ``verified`` schedule is published and has ``lines``. ``least_bad_plan`` holds,
    for an INFEASIBLE solve, the plan found with the deadlines softened and the deadlines
    it misses: shown to the planner, never published.
    """

    __tablename__ = "planning_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    plant: Mapped[str] = mapped_column(String(8), index=True)
    problem_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(24))
    objective: Mapped[float | None]
    bound: Mapped[float | None]
    gap: Mapped[float | None]
    solve_seconds: Mapped[float]
    verified: Mapped[bool]
    schedule: Mapped[dict[str, Any]]
    least_bad_plan: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime]
    run_id: Mapped[str] = mapped_column(String(64))

    lines: Mapped[list[PlanningScheduleLine]] = relationship(
        back_populates="schedule", lazy="selectin", cascade="all, delete-orphan"
    )


class PlanningScheduleLine(Base):
    """One scheduled order: on which line, when, and the changeover before it."""

    __tablename__ = "planning_schedule_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("planning_schedule.id"), index=True)
    order: Mapped[str] = mapped_column(String(20))
    material: Mapped[str] = mapped_column(String(40))
    line: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int]
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    changeover_minutes: Mapped[int]
    due_at: Mapped[dt.datetime]
    tardiness_minutes: Mapped[int]

    schedule: Mapped[PlanningSchedule] = relationship(back_populates="lines", lazy="raise")


# --- quality ---------------------------------------------------------------------------


class QualityValidation(Base):
    """One run of an expectation suite over one curated table, with Great Expectations' result.

    Kept in the warehouse, keyed by the Dagster run, because the run's own storage is a
    container's disk in production and GxP records must outlive it.
    """

    __tablename__ = "quality_validation"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    asset_key: Mapped[str] = mapped_column(String(128))
    suite: Mapped[str] = mapped_column(String(128))
    suite_version: Mapped[int]
    data_version: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool]
    expectations: Mapped[int]
    failed: Mapped[int]
    result: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


# --- stewardship -----------------------------------------------------------------------


class CheckDisposition(Base):
    """A data steward's decision on one failed check evaluation: accept it, with a reason, or
    reject it.

    A row names the check (asset, check name and the plant partition of a partitioned check),
    the evaluation decided on (its id in the Dagster instance, its run and time, what it
    measured) and the data that evaluation judged: the materialization's storage id, run and
    data version. An accepted failure lets planning go ahead on exactly that data; new data is
    checked afresh. Rows are never changed or removed (database triggers refuse UPDATE and
    DELETE), and ``content_hash``, the SHA-256 of every other column but the id, shows a row
    altered behind the triggers' back.
    """

    __tablename__ = "check_disposition"
    __table_args__ = (
        CheckConstraint("decision IN ('ACCEPT', 'REJECT')", name="ck_check_disposition_decision"),
        CheckConstraint("length(trim(reason)) > 0", name="ck_check_disposition_reason"),
        CheckConstraint("length(trim(decided_by)) > 0", name="ck_check_disposition_decided_by"),
        Index("ix_check_disposition_check", "asset_key", "check_name", "partition_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decided_at: Mapped[dt.datetime]
    decided_by: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str]
    asset_key: Mapped[str] = mapped_column(String(512))
    check_name: Mapped[str] = mapped_column(String(256))
    partition_key: Mapped[str | None] = mapped_column(String(64))
    evaluation_id: Mapped[int]
    evaluation_run_id: Mapped[str] = mapped_column(String(64))
    evaluated_at: Mapped[dt.datetime]
    evaluation_description: Mapped[str | None]
    materialization_storage_id: Mapped[int]
    materialization_run_id: Mapped[str] = mapped_column(String(64))
    materialized_at: Mapped[dt.datetime]
    data_version: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))


APPEND_ONLY_TABLES: tuple[type[Base], ...] = (CheckDisposition,)
for _model in APPEND_ONLY_TABLES:
    append_only.attach(Base.metadata.tables[_model.__tablename__])


CURATED_TABLES: tuple[type[Base], ...] = (
    CuratedUnit,
    CuratedProduct,
    CuratedBatch,
    CuratedBatchYield,
    CuratedQcResult,
    CuratedDemand,
    CuratedProductionOrder,
    CuratedLine,
    CuratedLineEligibility,
    CuratedChangeover,
)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed as one (``__table__`` is typed as any FROM clause)."""
    return Base.metadata.tables[model.__tablename__]
