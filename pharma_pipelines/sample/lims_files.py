"""LIMS exports: samples, results from two labs, specifications and dispositions.

The chemistry lab exports with a decimal point; the microbiology lab's workstation runs a
German locale and writes ``;``, decimal commas and day-first dates. Censored results keep
their reporting limit (``<0.05``, ``<10``) so they can be judged against a specification.
"""

from __future__ import annotations

from pharma_pipelines.sample.formats import decimal_comma, german_date
from pharma_pipelines.sample.model import Lab, Plant, Result
from pharma_pipelines.sample.tables import Table, TextLayout

_EXPORT = TextLayout(",", "utf-8", "\n")
_GERMAN_WORKSTATION = TextLayout(";", "utf-8", "\r\n")


def lims_tables(plant: Plant, stamp: str) -> list[Table]:
    return [
        samples(plant, stamp),
        chemistry_results(plant, stamp),
        microbiology_results(plant, stamp),
        specifications(plant, stamp),
        dispositions(plant, stamp),
    ]


def samples(plant: Plant, stamp: str) -> Table:
    header = ["Sample ID", "Batch", "Material", "Sample Type", "Date Sampled"]
    rows = [
        [s.sample_id, s.batch, s.material, s.sample_type, s.sampled_on.isoformat()]
        for s in plant.samples
    ]
    return Table(f"lims/samples_{stamp}.csv", "lims/samples", _EXPORT, header, rows)


_FIRST_RESULT_ID = 700_001


def chemistry_results(plant: Plant, stamp: str) -> Table:
    """The chemistry LIMS numbers every result; a retest names the result it repeats."""
    header = [
        "Result ID",
        "Sample ID",
        "Batch",
        "Test",
        "Run",
        "Result",
        "Unit",
        "Result Date",
        "Result Status",
        "Invalidation Reason",
        "Retest Of",
    ]
    results = [r for r in plant.results if r.lab is Lab.CHEMISTRY]
    ids = {(r.sample_id, r.test, r.run): _FIRST_RESULT_ID + i for i, r in enumerate(results)}
    rows = [
        [
            str(ids[(r.sample_id, r.test, r.run)]),
            r.sample_id,
            r.batch,
            r.test,
            str(r.run),
            r.value,
            r.unit,
            _moment(r),
            "Valid" if r.valid else "Invalidated",
            r.reason or "",
            str(ids[(r.sample_id, r.test, r.retest_of)]) if r.retest_of else "",
        ]
        for r in results
    ]
    return Table(f"lims/results_{stamp}.csv", "lims/results", _EXPORT, header, rows)


def _moment(result: Result) -> str:
    day = result.result_date.isoformat()
    return f"{day} {result.result_time:%H:%M}" if result.result_time else day


def microbiology_results(plant: Plant, stamp: str) -> Table:
    """The micro workstation writes a replicate number and a J/N validity flag."""
    header = [
        "SampleID",
        "Lot",
        "Analysis",
        "Replicate",
        "Value",
        "Unit",
        "ResultCaptureDate",
        "Valid",
        "Invalidation Comment",
    ]
    rows = [
        [
            r.sample_id,
            r.batch,
            r.test,
            str(r.run),
            decimal_comma(r.value),
            r.unit,
            german_date(r.result_date),
            "J" if r.valid else "N",
            r.reason or "",
        ]
        for r in plant.results
        if r.lab is Lab.MICROBIOLOGY
    ]
    return Table(
        f"lims/results_micro_{stamp}.csv", "lims/results", _GERMAN_WORKSTATION, header, rows
    )


def specifications(plant: Plant, stamp: str) -> Table:
    header = ["Material", "Test", "Min", "Max", "Text Spec", "Unit", "Release Relevant"]
    rows = [
        [
            spec.material,
            spec.test,
            spec.spec_min or "",
            spec.spec_max or "",
            spec.text_spec or "",
            spec.unit,
            "Y" if spec.release_relevant else "N",
        ]
        for spec in plant.specifications
    ]
    return Table(f"lims/specifications_{stamp}.csv", "lims/specifications", _EXPORT, header, rows)


def dispositions(plant: Plant, stamp: str) -> Table:
    header = ["Lot", "Product", "Disposition", "Decision Date", "Decided By"]
    rows = [
        [
            d.batch,
            d.material,
            d.decision.value,
            d.decided_on.isoformat() if d.decided_on else "",
            d.decided_by or "",
        ]
        for d in plant.dispositions
    ]
    return Table(
        f"lims/batch_disposition_{stamp}.csv", "lims/batch_disposition", _EXPORT, header, rows
    )
