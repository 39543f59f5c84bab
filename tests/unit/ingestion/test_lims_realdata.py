"""The real LIMS files under shared/realdata/lims: counts and known values, file by file.

Each test skips when its file is absent. The numbers are what the files hold: a change
in them means a reader changed what it reads.
"""

from __future__ import annotations

from collections import Counter

import pytest

from pharma_pipelines.ingestion import ParsedExtract, ParsedFile, parse_file

from .conftest import shared_file

pytestmark = pytest.mark.realdata

INSTRUMENTS = ("realdata", "lims", "senaite.core", "instrument-and-import-files")


def _parse(*parts: str) -> ParsedFile:
    path = shared_file(*parts)
    parsed = parse_file("lims/" + "/".join(parts[2:]), path.read_bytes())
    assert parsed.quarantine_reason is None, parsed.quarantine_reason
    return parsed


def _only(parsed: ParsedFile) -> ParsedExtract:
    [extract] = parsed.extracts
    assert extract.rows_read == len(extract.rows) + len(extract.rejects)
    return extract


def _at(extract: ParsedExtract, line: int, **match: str) -> dict[str, str]:
    [row] = [
        r.values
        for r in extract.rows
        if r.row_number == line and all(r.values.get(k) == v for k, v in match.items())
    ]
    return row


def test_shimadzu_lc2040c_compound_blocks() -> None:
    parsed = _parse(*INSTRUMENTS, "LC2040C.txt")
    extract = _only(parsed)
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == ("lims/results", 55, 0)
    assert "blocks=11 statistics-rows=55 not-detected=19" in extract.layout
    assert len({r.values["block"] for r in extract.rows}) == 11
    not_detected = _at(extract, 4)
    assert (not_detected["sample_id"], not_detected["test"], not_detected["result"]) == (
        "QC PREP A",
        "CBDV - cannabidivarin",
        "-----",
    )
    cbd = _at(extract, 63)
    assert (cbd["sample_id"], cbd["test"], cbd["result"]) == (
        "OCT METHOD ",
        "CBD - cannabidiol",
        "205.625",
    )
    assert cbd["Sample Name"] == "PT Part # 38417 Lot 033116"
    assert cbd["block"] == "ID# 5 at line 57"
    assert _at(extract, 7)["measured_at"] == "10/18/2016 11:34:17 AM"
    assert sum(r.values["result"] == "-----" for r in extract.rows) == 19
    assert "batch" not in extract.rows[0].values


def test_icp_short_report() -> None:
    extract = _only(_parse(*INSTRUMENTS, "ICPlimstest.csv"))
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == ("lims/results", 463, 0)
    assert "blocks=64" in extract.layout
    calcium = _at(extract, 8)
    assert (calcium["sample_id"], calcium["test"], calcium["result"], calcium["unit"]) == (
        "QC 350 PPM",
        "Ca 315.887",
        "332.779 ",
        "mg/l",
    )
    assert calcium["Net_Intensity"] == "208,401.988 "
    assert calcium["measured_at"] == "10.03.2015  18:52"
    assert calcium["block"] == "Sample: QC 350 PPM at line 5"
    below = _at(extract, 618)
    assert (below["sample_id"], below["test"], below["result"], below["flag"]) == (
        "BOG603",
        "K 766.490",
        "0.015 ",
        "<",
    )
    assert Counter(r.values["flag"] for r in extract.rows) == {"": 419, "X": 41, "Q": 2, "<": 1}


def test_genexpert_run_export() -> None:
    parsed = _parse(*INSTRUMENTS, "GenExpert.csv")
    extract = _only(parsed)
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == ("lims/results", 7, 0)
    assert extract.encoding == "UTF-16 LE"
    assay = _at(extract, 10)
    assert (assay["sample_id"], assay["test"], assay["result"]) == (
        "AP-0001",
        "Ebola RUO",
        "Ebola GP DETECTED|Ebola NP DETECTED|",
    )
    assert [(r.values["test"], r.values["result"]) for r in extract.rows[1:]] == [
        ("CIC", "NA"),
        ("GP", "POS"),
        ("NP", "POS"),
        ("SAC", "NA"),
        ("QC-1", "NEG"),
        ("QC-2", "NEG"),
    ]
    gp = _at(extract, 34)
    assert (gp["Ct"], gp["instrument"], gp["measured_at"]) == (
        "39.1",
        "703865",
        "09/01/15 05:20:37",
    )
    assert gp["User"] == "<None>"
    notes = " ".join(parsed.notes)
    assert "a byte-order mark starts line(s) 60" in notes
    assert "report 'OPTICAL DATA' at line 62 holds no results" in notes


def test_mettler_toledo_dl55_titrator_sheet() -> None:
    parsed = _parse(*INSTRUMENTS, "metlerToledoDL55.xlsx")
    extract = _only(parsed)
    assert (extract.entity, extract.part, len(extract.rows), len(extract.rejects)) == (
        "lims/results",
        "Sheet1",
        85,
        0,
    )
    assert Counter(r.values["test"] for r in extract.rows) == dict.fromkeys(
        ["pH", "EC", "TEMP", "TACI", "TALK"], 17
    )
    assert _at(extract, 2, test="pH")["result"] == "6.08"
    out_of_order = _at(extract, 15, test="TALK")
    assert (out_of_order["sample_id"], out_of_order["result"]) == ("A00034651008", "102.25")
    assert sum("skipped: the sheet is empty" in note for note in parsed.notes) == 2


def test_bika_analysis_request_import() -> None:
    parsed = _parse("realdata", "lims", "bika.lims.legacy", "BikaARImportTemplate.csv")
    extract = _only(parsed)
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == ("lims/samples", 10, 0)
    first = _at(extract, 9)
    assert (first["sample_id"], first["batch"], first["sample_type"], first["sample_point"]) == (
        "HHS14001",
        "CC 201506",
        "Canola",
        "Rooikloof Farm",
    )
    assert (first["DateSampled"], first["Activity Sampled"]) == ("3/9/2014", "Drilling")
    assert first["Header Data: Client name"] == "Happy Hills"
    assert "analysis-flags=17" in extract.layout
    assert [r.values["sample_id"] for r in extract.rows][-1] == "HHS14010"
    assert not any("says" in note or "totals row counts" in note for note in parsed.notes)


def test_senaite_setup_workbook() -> None:
    parsed = _parse("realdata", "lims", "senaite.core", "setupdata", "test.xlsx")
    assert parsed.kind == "lims/setup_workbook"
    counts = {
        (e.entity, e.part): (len(e.rows), len(e.rejects), e.rows_read) for e in parsed.extracts
    }
    assert counts == {
        ("lims/sample_types", "Sample Types"): (12, 0, 12),
        ("lims/analysis_services", "Analysis Services"): (25, 0, 25),
        ("lims/specifications", "Analysis Specifications"): (217, 39, 256),
    }
    by_entity = {e.entity: e for e in parsed.extracts}
    calcium = _at(by_entity["lims/analysis_services"], 6)
    assert (calcium["keyword"], calcium["title"], calcium["unit"]) == ("Ca", "Calcium", "mg/l")
    assert (calcium["lower_detection_limit"], calcium["upper_detection_limit"]) == (
        "0",
        "1000000000",
    )
    specs = by_entity["lims/specifications"]
    magnesium = _at(specs, 31)
    assert (magnesium["material"], magnesium["test"], magnesium["spec_min"]) == (
        "Barley",
        "Magnesium",
        "5",
    )
    assert _at(specs, 243)["client"] == "Happy Hills"
    rejects = Counter(r.column for r in specs.rejects)
    assert rejects == {"min": 1, "SampleType_title": 38}
    [backtick] = [r for r in specs.rejects if r.column == "min"]
    assert (backtick.row_number, backtick.raw_value) == (23, "`")
    notes = " ".join(parsed.notes)
    assert "55 setup sheets skipped" in notes
    assert "lack the three header rows (keys, title, labels): 'Instructions', 'Constants'" in notes


def test_zagar_batch_size_normalisation() -> None:
    extract = _only(_parse("realdata", "lims", "zagar2022-pharma-batches", "Normalization.csv"))
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == (
        "lims/batch_size_normalisation",
        25,
        0,
    )
    assert _at(extract, 5) == {
        "product_code": "4",
        "batch_size": "583000",
        "normalisation_factor": "5.83",
    }
