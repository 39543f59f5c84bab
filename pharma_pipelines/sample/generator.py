"""Entry point: write a seeded sample landing zone and say what was written.

The same seed gives byte-identical files: there is no wall clock anywhere, every date is
counted from the plan start the seed names, and every random draw comes from a seeded stream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from pharma_pipelines.sample.defects import inject_defects
from pharma_pipelines.sample.documents import (
    BytePatch,
    Documents,
    RenderedFile,
    build_documents,
    render_documents,
)
from pharma_pipelines.sample.model import HORIZON_DAYS, Plant
from pharma_pipelines.sample.outlook_files import BERLIN
from pharma_pipelines.sample.plant import build_plant
from pharma_pipelines.sample.summary import Defect, GenerationSummary, WrittenFile


def generate_landing_zone(target: Path, seed: int = 7, defects: bool = False) -> GenerationSummary:
    """Write the sample plant's SAP, LIMS and Outlook exports under ``target``.

    With ``defects`` the same plant is written with one labelled defect per fault class.
    Files of an earlier run are overwritten; any other file under ``target`` stops the run,
    so a stale extract never mixes with the sample.
    """
    plant, load = build_plant(seed)
    documents = build_documents(plant)
    found: list[Defect] = []
    patches: list[BytePatch] = []
    if defects:
        found, patches = inject_defects(documents, plant)
    rendered = render_documents(documents, patches)
    _refuse_foreign_files(target, rendered)
    written = tuple(_write(target, file) for file in rendered)
    return GenerationSummary(
        seed=seed,
        plan_start=dt.datetime.combine(plant.plan_date, dt.time(), tzinfo=BERLIN),
        horizon_days=HORIZON_DAYS,
        counts=_counts(plant, documents),
        load=load,
        files=written,
        defects=tuple(found),
    )


def _refuse_foreign_files(target: Path, rendered: list[RenderedFile]) -> None:
    if not target.exists():
        return
    planned = {file.path for file in rendered}
    present = {path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()}
    foreign = sorted(present - planned)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise FileExistsError(
            f"{target} holds {len(foreign)} file(s) this sample does not write ({shown}); "
            "generate into an empty folder, or remove them, so old extracts do not mix in"
        )


def _write(target: Path, file: RenderedFile) -> WrittenFile:
    path = target / file.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(file.content)
    digest = hashlib.sha256(file.content).hexdigest()
    return WrittenFile(file.path, digest, len(file.content), file.entity)


def _counts(plant: Plant, documents: Documents) -> dict[str, int]:
    nested = sum(mail.attached_message is not None for mail in documents.mails)
    return {
        "families": len(plant.groups),
        "materials": len(plant.materials),
        "products": len(plant.products),
        "raw_materials": len(plant.raw_materials),
        "lines": len(plant.work_centers),
        "production_versions": len(plant.versions),
        "changeovers": len(plant.changeovers),
        "open_orders": len(plant.open_orders),
        "completed_orders": len(plant.completed_orders),
        "batches": len(plant.batches),
        "stock_lines": len(plant.stock),
        "specifications": len(plant.specifications),
        "samples": len(plant.samples),
        "results": len(plant.results),
        "dispositions": len(plant.dispositions),
        "customers": len(plant.customers),
        "emails": len(documents.mails),
        "attached_messages": nested,
        "order_lines": len(plant.order_lines),
    }
