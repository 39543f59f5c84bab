"""Raw assets: the landing-zone inventory and one asset per extract kind.

``landing/file_inventory`` hashes every file in the landing zone and classifies each new
file version into an extract kind; a file no kind fits is quarantined there with the
reason. Each raw asset then loads the file versions of its kind it has not loaded before
(by content hash), keeping every value as text with its lineage, rejected rows aside with
their reasons, and unreadable files quarantined. Re-running loads nothing twice.

Mail is loaded once by content too: a mail file whose own Message-ID was loaded from another
file (a ``.msg`` re-export of an ``.eml``, the same mail saved twice) is recorded as
``duplicate`` naming the first file, and an attachment whose bytes were stored before keeps
its row but not its lines (``duplicate_of`` names the first one).
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import dagster as dg
import pandas as pd

from pharma_pipelines.assets.automation import RAW_RETRY_POLICY
from pharma_pipelines.assets.checks_support import policy_args, to_check_result
from pharma_pipelines.ingestion import (
    EMAIL_KIND,
    Classification,
    ParsedExtract,
    ParsedFile,
    classify,
    content_hash,
    kind_summary,
    parse_file,
)
from pharma_pipelines.keys import (
    INVENTORY_KEY,
    OUTLOOK_ENTITIES,
    SINGLE_FILE_ENTITIES,
    file_entities,
    raw_key,
)
from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.rules import ratio_at_most, rows_reconcile
from pharma_pipelines.resources import LandingZone, WarehouseResource
from pharma_pipelines.warehouse.raw_repository import (
    DUPLICATE,
    LOADED,
    QUARANTINED,
    AttachmentToStore,
    FileLoad,
    LoadOutcome,
    RawRepository,
    RejectToStore,
    RowToStore,
)

UNRECOGNISED = "landing/unrecognised"
MAX_REJECT_RATIO = 0.01
OWNER = "team:data-platform"
SOURCE_SYSTEMS = {
    "sap": "SAP ERP",
    "lims": "the LIMS",
    "outlook": "the Outlook mailboxes that receive customers' orders",
    "regulatory": "the US FDA's public product registers",
}
"""Where each source's extracts come from, as the asset catalogue names it."""


@dg.asset(
    key=INVENTORY_KEY,
    group_name="landing",
    retry_policy=RAW_RETRY_POLICY,
    kinds={"python", "sql"},
    owners=[OWNER],
    tags={"layer": "landing"},
    description=(
        "Every file version (path and SHA-256) that has reached the landing zone, with the "
        "extract kind it was classified as. Files that match no kind are quarantined here "
        "with the reason, so every file is accounted for."
    ),
)
def file_inventory(
    context: dg.AssetExecutionContext,
    landing: LandingZone,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    repository = warehouse.raw()
    entries = list(landing.entries())
    context.log.info("landing zone %s lists %d files", landing.describe(), len(entries))

    new_files = 0
    kinds: Counter[str] = Counter()
    unrecognised: list[str] = []
    for entry in entries:
        if entry.is_link:
            digest = content_hash(f"link:{entry.link_target}".encode())
            classification = Classification(
                kind=None,
                reason=(
                    f"{entry.relative_path}: a symbolic link to {entry.link_target!r}; links "
                    "are not followed (they may point outside the landing zone): copy the file"
                ),
            )
        else:
            data = landing.read(entry.relative_path)
            digest = content_hash(data)
            classification = classify(entry.relative_path, data, landing.read_limits())
        kinds[classification.kind or UNRECOGNISED] += 1
        if repository.record_landing_file(
            entry.relative_path,
            digest,
            entry.size_bytes,
            classification.kind,
            classification.reason,
            context.run.run_id,
        ):
            new_files += 1
        if classification.kind is None:
            unrecognised.append(entry.relative_path)
            repository.store(
                FileLoad(
                    entity=UNRECOGNISED,
                    relative_path=entry.relative_path,
                    content_hash=digest,
                    encoding=None,
                    layout=None,
                    quarantine_reason=classification.reason,
                ),
                context.run.run_id,
            )
    context.log.info(
        "classified %d files (%d new versions); %d match no extract kind",
        len(entries),
        new_files,
        len(unrecognised),
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(repository.inventory_version()),
        metadata={
            "landing_zone": landing.describe(),
            "files": len(entries),
            "new_file_versions": new_files,
            "unrecognised_files": len(unrecognised),
            "files_by_kind": dg.MetadataValue.json(dict(sorted(kinds.items()))),
        },
    )


@dg.asset_check(
    asset=INVENTORY_KEY,
    description="Every landed file matches an extract kind (others sit in quarantine).",
    **policy_args(CheckFamily.COMPLETENESS),
)
def every_file_has_a_known_kind(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    files = _latest_inventory(warehouse)
    unknown = files[files["kind"].isna()] if not files.empty else files
    outcome = ratio_at_most(
        "every landed file matches an extract kind",
        unknown[["relative_path", "classification"]] if not unknown.empty else unknown,
        len(files),
        0.0,
        "files match no kind",
    )
    return to_check_result(outcome, CheckFamily.COMPLETENESS, warehouse.raw().inventory_version())


def _latest_inventory(warehouse: WarehouseResource) -> pd.DataFrame:
    files = warehouse.raw().landing_files()
    frame = pd.DataFrame(
        [
            {
                "relative_path": f.relative_path,
                "content_hash": f.content_hash,
                "kind": f.kind,
                "classification": f.classification,
            }
            for f in files
        ]
    )
    return frame.drop_duplicates("relative_path", keep="last") if not frame.empty else frame


# --- loading ---------------------------------------------------------------------------


def file_loads(
    parsed: ParsedFile, entities: Iterable[str], duplicate: tuple[str, bool] | None = None
) -> list[FileLoad]:
    """What one parsed file contributes to each of ``entities``.

    ``duplicate`` is (reason, whether a person must compare) for a mail loaded before.
    """
    if duplicate is not None:
        reason, compare = duplicate
        return [
            FileLoad(
                entity=entity,
                relative_path=parsed.relative_path,
                content_hash=parsed.content_hash,
                encoding=None,
                layout=None,
                notes=[reason] if compare else [],
                duplicate_reason=reason,
            )
            for entity in entities
        ]
    if parsed.quarantine_reason is not None:
        return [
            FileLoad(
                entity=entity,
                relative_path=parsed.relative_path,
                content_hash=parsed.content_hash,
                encoding=None,
                layout=None,
                quarantine_reason=parsed.quarantine_reason,
            )
            for entity in entities
        ]
    loads = []
    for entity in entities:
        extracts = [e for e in parsed.extracts if e.entity == entity]
        loads.append(
            FileLoad(
                entity=entity,
                relative_path=parsed.relative_path,
                content_hash=parsed.content_hash,
                encoding=_joined(e.encoding for e in extracts),
                layout=_joined(_layout(e) for e in extracts),
                decimal_separator=_decimal_separator(extracts),
                notes=list(parsed.notes),
                rows=[row for e in extracts for row in _rows_to_store(e)],
                rejects=[
                    RejectToStore(r.row_number, r.column, r.raw_value, r.reason, r.rule)
                    for e in extracts
                    for r in e.rejects
                ],
                attachments=[
                    AttachmentToStore(
                        attachment_number=number,
                        message_id=a.message_id,
                        container_path=a.container_path,
                        file_name=a.file_name,
                        content_type=a.content_type,
                        sha256=a.sha256,
                        content=a.content,
                    )
                    for number, a in enumerate(parsed.attachments, start=1)
                ]
                if entity == "outlook/attachments"
                else [],
            )
        )
    return loads


def _rows_to_store(extract: ParsedExtract) -> Iterable[RowToStore]:
    """The extract's rows; a row from one sheet or attachment of several names its part."""
    for row in extract.rows:
        values = dict(row.values)
        if extract.part:
            values.setdefault("_part", extract.part)
        yield RowToStore(row_number=row.row_number, values=values)


def _decimal_separator(extracts: Sequence[ParsedExtract]) -> str | None:
    """The decimal separator the parser read the file with, when all its parts agree."""
    found = {e.decimal_separator for e in extracts if e.decimal_separator}
    return found.pop() if len(found) == 1 else None


def _layout(extract: ParsedExtract) -> str:
    return f"{extract.part}: {extract.layout}" if extract.part else extract.layout


def _joined(values: Iterable[str]) -> str | None:
    unique = list(dict.fromkeys(v for v in values if v))
    return "; ".join(unique) if unique else None


def load_new_files(
    context: dg.AssetExecutionContext,
    landing: LandingZone,
    warehouse: WarehouseResource,
    accepts: Callable[[str], bool],
    entities: Sequence[str],
) -> list[LoadOutcome]:
    """Load every not-yet-loaded version of the files ``accepts`` into ``entities``."""
    repository = warehouse.raw()
    done = repository.loaded_hashes(entities[0])
    # Only the few unloaded candidates touch the landing zone; a full listing per raw
    # asset would walk the whole folder some thirty times a run.
    candidates = [
        f
        for f in repository.landing_files()
        if f.kind is not None
        and accepts(f.kind)
        and f.content_hash not in done
        and landing.exists(f.relative_path)
    ]
    outcomes: list[LoadOutcome] = []
    for landed in candidates:
        data = landing.read(landed.relative_path)
        if content_hash(data) != landed.content_hash:
            context.log.warning(
                "%s changed since the inventory ran; it is loaded on the next run",
                landed.relative_path,
            )
            continue
        path = landed.relative_path
        parsed = parse_file(
            path,
            data,
            landing.read_limits(),
            first_seen=lambda sha256, path=path: repository.first_attachment(sha256, path),
        )
        for load in file_loads(parsed, entities, _duplicate_mail(parsed, repository)):
            outcome = repository.store(load, context.run.run_id)
            outcomes.append(outcome)
            context.log.info(
                "%s -> %s: %d read, %d loaded, %d rejected%s",
                load.relative_path,
                load.entity,
                outcome.rows_read,
                outcome.rows_loaded,
                outcome.rows_rejected,
                f" ({outcome.status}: {outcome.quarantine_reason})"
                if outcome.status in (QUARANTINED, DUPLICATE)
                else "",
            )
        done.add(landed.content_hash)
    return outcomes


def _duplicate_mail(parsed: ParsedFile, repository: RawRepository) -> tuple[str, bool] | None:
    """Why a mail file is the same mail as one loaded from another file, if it is.

    Only a real Message-ID counts (a generated one is unique per file anyway). The second
    copy loads nothing; when it holds attachments the first lacks, a person must compare.
    """
    messages = parsed.extract("outlook/messages") if parsed.kind == EMAIL_KIND else None
    first_row = next((r for r in messages.rows if r.row_number == 1), None) if messages else None
    message_id = first_row.values.get("message_id", "") if first_row else ""
    if not message_id or message_id.startswith("generated:"):
        return None
    first = repository.first_load_of_message(message_id, parsed.relative_path)
    if first is None:
        return None
    reason = (
        f"same mail (Message-ID {message_id}) as {first.relative_path!r}, loaded "
        f"{first.loaded_at:%Y-%m-%d %H:%M} UTC in run {first.run_id[:8]}; its messages, "
        "attachments and lines are loaded once, from that file"
    )
    known = repository.attachment_hashes(first.content_hash)
    new = [a.file_name for a in parsed.attachments if a.sha256 not in known]
    if new:
        reason += (
            f"; but this copy holds attachments the first does not ({', '.join(new)}): "
            "a person must compare the two"
        )
    return reason, bool(new)


def load_metadata(
    outcomes: Sequence[LoadOutcome], entity: str, warehouse: WarehouseResource
) -> dict[str, Any]:
    mine = [o for o in outcomes if o.entity == entity]
    return {
        "files_loaded": sum(1 for o in mine if o.status == LOADED),
        "files_quarantined": sum(1 for o in mine if o.status == QUARANTINED),
        "files_duplicate": sum(1 for o in mine if o.status == DUPLICATE),
        "rows_read": sum(o.rows_read for o in mine),
        "rows_loaded": sum(o.rows_loaded for o in mine),
        "rows_rejected": sum(o.rows_rejected for o in mine),
        "rows_in_table": warehouse.raw().entity_counts([entity])[entity],
        "files": dg.MetadataValue.md(
            "\n".join(
                f"- `{o.relative_path}`: {o.rows_loaded} loaded, {o.rows_rejected} rejected"
                + (f", {o.status}: {o.quarantine_reason}" if o.quarantine_reason else "")
                for o in mine
            )
            or "_no new files_"
        ),
    }


def _entity_description(entity: str) -> str:
    """What a raw table holds and where it comes from, for the catalogue reader."""
    source = entity.split("/", 1)[0]
    return (
        f"Raw {kind_summary(entity)}, from {SOURCE_SYSTEMS[source]}. One row per source "
        "record, every value kept as the original text under its canonical field name "
        "(docs/raw-entities.md), with lineage: source file, content hash, row number, run. "
        f"Stored in the warehouse table raw_record as entity {entity}; each landed file "
        "version is loaded once. Rows that cannot be used are in raw_reject with the "
        "reason; unreadable files are quarantined (loaded_file)."
    )


def _build_single_raw_asset(entity: str) -> dg.AssetsDefinition:
    source = entity.split("/", 1)[0]

    @dg.asset(
        key=raw_key(entity),
        deps=[INVENTORY_KEY],
        group_name=f"raw_{source}",
        kinds={"python", "sql"},
        owners=[OWNER],
        tags={"source": source, "layer": "raw"},
        description=_entity_description(entity),
        retry_policy=RAW_RETRY_POLICY,
    )
    def _raw_asset(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        outcomes = load_new_files(
            context, landing, warehouse, lambda kind: entity in file_entities(kind), [entity]
        )
        return dg.MaterializeResult(
            data_version=dg.DataVersion(warehouse.raw().entity_version(entity)),
            metadata=load_metadata(outcomes, entity, warehouse),
        )

    return _raw_asset


@dg.multi_asset(
    name="raw_outlook",
    retry_policy=RAW_RETRY_POLICY,
    specs=[
        dg.AssetSpec(
            raw_key(entity),
            deps=[INVENTORY_KEY],
            group_name="raw_outlook",
            kinds={"python", "sql"},
            owners=[OWNER],
            tags={"source": "outlook", "layer": "raw"},
            description=_entity_description(entity),
        )
        for entity in OUTLOOK_ENTITIES
    ],
)
def raw_outlook(
    context: dg.AssetExecutionContext,
    landing: LandingZone,
    warehouse: WarehouseResource,
) -> Iterable[dg.MaterializeResult]:
    """Messages, their attachments and the order lines inside them, from one parse."""
    outcomes = load_new_files(context, landing, warehouse, _is_outlook_kind, list(OUTLOOK_ENTITIES))
    for entity in OUTLOOK_ENTITIES:
        yield dg.MaterializeResult(
            asset_key=raw_key(entity),
            data_version=dg.DataVersion(warehouse.raw().entity_version(entity)),
            metadata=load_metadata(outcomes, entity, warehouse),
        )


def _is_outlook_kind(kind: str) -> bool:
    return kind.startswith("outlook/")


def _build_raw_checks(entity: str) -> list[dg.AssetChecksDefinition]:
    key = raw_key(entity)

    @dg.asset_check(
        asset=key,
        name="rows_reconcile",
        description="Per file: rows read = rows stored + rows rejected, counted in tables.",
        **policy_args(CheckFamily.RECONCILIATION),
    )
    def _reconcile(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return to_check_result(
            rows_reconcile(warehouse.raw().accounting(entity)),
            CheckFamily.RECONCILIATION,
            warehouse.raw().entity_version(entity),
        )

    @dg.asset_check(
        asset=key,
        name="rejected_rows_are_rare",
        description=f"At most {MAX_REJECT_RATIO:.0%} of the rows read are rejected.",
        **policy_args(CheckFamily.COMPLETENESS),
    )
    def _rejects(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        rejects = warehouse.raw().rejects_frame(entity)
        total = warehouse.raw().rows_read(entity)
        return to_check_result(
            ratio_at_most(
                "rejected rows are rare", rejects, total, MAX_REJECT_RATIO, "rows rejected"
            ),
            CheckFamily.COMPLETENESS,
            warehouse.raw().entity_version(entity),
        )

    @dg.asset_check(
        asset=key,
        name="no_quarantined_files",
        description="No file of this kind had to be quarantined as unreadable.",
        **policy_args(CheckFamily.COMPLETENESS),
    )
    def _quarantine(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        accounting = warehouse.raw().accounting(entity)
        quarantined = (
            accounting[accounting["status"] == QUARANTINED] if not accounting.empty else accounting
        )
        shown = (
            quarantined[["relative_path", "quarantine_reason"]]
            if not quarantined.empty
            else quarantined
        )
        return to_check_result(
            ratio_at_most("no quarantined files", shown, len(accounting), 0.0, "files quarantined"),
            CheckFamily.COMPLETENESS,
            warehouse.raw().entity_version(entity),
        )

    return [_reconcile, _rejects, _quarantine]


@dg.asset_check(
    asset=raw_key("outlook/messages"),
    name="mail_read_without_findings",
    description=(
        "Every message was read without findings: an attachment that looked like data but "
        "could not be read, a message without a date, an undecodable header."
    ),
    **policy_args(CheckFamily.COMPLETENESS),
)
def mail_read_without_findings(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    files = warehouse.raw().loaded_files()
    mine = [f for f in files if f.entity == "outlook/messages"]
    findings = pd.DataFrame(
        [{"file": f.relative_path, "finding": note} for f in mine for note in f.notes or []],
        columns=pd.Index(["file", "finding"]),
    )
    outcome = ratio_at_most(
        "mail read without findings",
        findings,
        len(mine),
        0.0,
        f"findings in {findings['file'].nunique()} mail files",
    )
    return to_check_result(
        outcome, CheckFamily.COMPLETENESS, warehouse.raw().entity_version("outlook/messages")
    )


@dg.asset_check(
    asset=raw_key("outlook/messages"),
    name="every_mail_yields_lines",
    description=(
        "Every mail file yields order or forecast lines. The others are the steward's review "
        "list, each with its reason: no readable order (review_reason), a message a person "
        "must open (a rejected message row: undecodable winmail.dat, a refused attachment) "
        "or a mail file quarantined unread (over a size limit, not a readable message)."
    ),
    **policy_args(CheckFamily.COMPLETENESS),
)
def every_mail_yields_lines(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    repository = warehouse.raw()
    outcome = ratio_at_most(
        "every mail yields order or forecast lines",
        mails_to_review(repository),
        sum(1 for f in repository.loaded_files() if f.entity == "outlook/messages"),
        0.0,
        "mail files need review",
    )
    return to_check_result(
        outcome, CheckFamily.COMPLETENESS, repository.entity_version("outlook/messages")
    )


def mails_to_review(repository: RawRepository) -> pd.DataFrame:
    """Mail a person must read: no readable order, a rejected message, a refused file."""
    columns = ["file", "message", "subject", "reason"]
    messages = repository.records_frame("outlook/messages")
    rows: list[dict[str, Any]] = []
    if not messages.empty and "review_reason" in messages.columns:
        flagged = messages[messages["review_reason"].fillna("") != ""]
        rows.extend(
            {
                "file": m["source_file"],
                "message": m["message_id"],
                "subject": m["subject"],
                "reason": m["review_reason"],
            }
            for _, m in flagged.iterrows()
        )
    accounting = repository.accounting("outlook/messages")
    if not accounting.empty:
        refused = accounting[accounting["status"] == QUARANTINED]
        rows.extend(
            {
                "file": f["relative_path"],
                "message": "",
                "subject": "",
                "reason": f["quarantine_reason"],
            }
            for _, f in refused.iterrows()
        )
    rejects = repository.rejects_frame("outlook/messages")
    rows.extend(
        {
            "file": r["file"],
            "message": f"record {r['row']}",
            "subject": r["raw_value"],
            "reason": r["reason"],
        }
        for _, r in rejects.iterrows()
    )
    return pd.DataFrame(rows, columns=pd.Index(columns))


raw_assets = [_build_single_raw_asset(entity) for entity in SINGLE_FILE_ENTITIES]
raw_checks = [
    mail_read_without_findings,
    every_mail_yields_lines,
    *(
        check
        for entity in (*SINGLE_FILE_ENTITIES, *OUTLOOK_ENTITIES)
        for check in _build_raw_checks(entity)
    ),
]
