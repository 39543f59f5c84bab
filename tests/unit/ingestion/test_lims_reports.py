"""LIMS report layouts from small inline inputs, each reproducing one quirk of the real files.

Instrument reports (HPLC compound blocks, ICP short report, GeneXpert run export), a
per-sample titrator sheet, a Bika analysis-request import and a SENAITE setup workbook
are recognised by content and read into ordinary kinds; bad rows are rejects with line,
column, value and reason.
"""

from __future__ import annotations

import io
import time

from openpyxl import Workbook

from pharma_pipelines.ingestion import classify, parse_file
from pharma_pipelines.ingestion.model import ParsedFile

from .builders import xlsx
from .conftest import only_extract, parse_text

# --- Shimadzu LabSolutions ---------------------------------------------------------------

_LC_HEADER = (
    "\tData Filename\tSample Name\tSample ID\tSample Type\tRet. Time\tConc.\tNTP\tNTP"
    "\tDate Acquired"
)


def _lc_block(number: int, name: str, rows: list[str]) -> list[str]:
    return [
        f"ID#\t{number}",
        f"Name\t{name}",
        _LC_HEADER,
        *rows,
        "\tAverage\t\t\t\t2.60\t0.025\t\t\t",
        "\t%RSD\t\t\t\t-----\t-----\t\t\t",
        "",
    ]


LC_TEXT = "\r\n".join(
    [
        *_lc_block(
            1,
            "CBDV - cannabidivarin",
            [
                "1\tQC A_009.lcd\tQC A\tQC A\tUnknown\t-----\t-----\t0\t0\t10/17/2016 7:55:06 PM",
                "2\tPT Lot 033116_068.lcd\tPT Part # 38417 Lot 033116\tOCT METHOD \tUnknown"
                "\t2.178\t9.161\t9963\t10690\t10/18/2016 11:34:17 AM",
            ],
        ),
        *_lc_block(
            2,
            "CBDA - cannabidiolic acid ",
            [
                "1\tQC A_009.lcd\tQC A\tQC A\tUnknown\t2.604\t0.025\t1\t2\t10/17/2016 7:55:06 PM",
                "2\tPT Lot 033116_068.lcd\tPT Part # 38417 Lot 033116\t\tUnknown"
                "\t2.596\t133.519\t3\t4\t10/18/2016 11:34:17 AM",
                "stray text\tnot part of a block",
            ],
        ),
    ]
)


def test_labsolutions_blocks_become_one_result_per_injection_and_compound() -> None:
    parsed = parse_text("lims/export.txt", LC_TEXT)
    extract = only_extract(parsed)
    assert extract.entity == "lims/results"
    assert extract.layout.startswith("shimadzu-labsolutions sep=TAB blocks=2 statistics-rows=4")
    by_line = {row.row_number: row.values for row in extract.rows}
    assert sorted(by_line) == [4, 5, 12]
    not_detected = by_line[4]
    assert (not_detected["test"], not_detected["result"]) == ("CBDV - cannabidivarin", "-----")
    assert not_detected["block"] == "ID# 1 at line 1"
    detected = by_line[5]
    assert detected["sample_id"] == "OCT METHOD "
    assert detected["Sample Name"] == "PT Part # 38417 Lot 033116"
    assert detected["measured_at"] == "10/18/2016 11:34:17 AM"
    assert (detected["NTP"], detected["NTP (2)"]) == ("9963", "10690")
    assert by_line[12]["test"] == "CBDA - cannabidiolic acid "
    assert extract.header_map["result"] == "Conc."
    rejects = {r.row_number: r for r in extract.rejects}
    assert sorted(rejects) == [13, 14]
    assert rejects[13].column == "Sample ID"
    assert "names no sample id" in rejects[13].reason
    assert "fits no part of a compound block" in rejects[14].reason
    assert extract.rows_read == 5
    assert any("4 statistics rows" in note for note in parsed.notes)


def test_labsolutions_is_known_by_content_not_name() -> None:
    assert classify("sap/ZZ_upload.csv", LC_TEXT.encode()).kind == "lims/results"
    plain = "Sample ID\tBatch\tTest\tResult\r\nS1\tB1\tASSAY\t99.0\r\n"
    assert classify("lims/LC2040C.txt", plain.encode()).kind == "lims/results"
    assert "header at line 1 maps to lims/results" in classify("LC2040C.txt", plain.encode()).reason


# --- ICP short report --------------------------------------------------------------------

ICP_TEXT = "\n".join(
    [
        ",,,ICP Short Report (lines),,,,,,",
        ",,,,,,,,,",
        "Sample:,QC 350 PPM,Method:,150309,Measured:,10.03.2015  18:52,,,,",
        ",,,,,,,,,",
        "LineName,,Net_Intensity,Cc,SD,RSD,,,,",
        'Ca 315.887,,"208,401.988 ",,,332.779 ,4.99 ,,mg/l,1.50 ',
        'Na 589.592,,"1,334,510.690 ",,,341.064 ,2.59 ,,mg/l,0.76 ',
        ",,,,,,,,,",
        "Sample:,MPS-S22,Method:,150309,Measured:,10.03.2015  18:45,,,,",
        "LineName,,Net_Intensity,Cc,SD,RSD,,,,",
        "Mn 257.610,,425.142 ,,,-0.005,0.00 ,X,mg/l,12.30 ",
        'K 766.490,,"6,240.398 ",,,0.015 ,0.04 ,<,mg/l,235.48 ',
        'Fe 259.940,,"3,894.196 ",7,,0.064 ,0.00 ,,mg/l,3.32 ',
        'Si 251.611,,"62,892.387 ",,,n/a,0.13 ,,mg/l,2.89 ',
        'Al 396.152,,"81,96.668 ",,,0.052 ,0.00 ,,mg/l,5.68 ',
        ",,,,,,,,,",
        "Print Date: 11-03-2015,,,,,Page -1 of 1,,,,",
    ]
)


def test_icp_short_report_reads_cells_under_merged_labels() -> None:
    parsed = parse_text("lab/icp.csv", ICP_TEXT)
    extract = only_extract(parsed)
    assert extract.entity == "lims/results"
    assert "cells: LineName=1 Net_Intensity=3 Cc=6 SD=7 flag=8 unit=9 RSD=10" in extract.layout
    by_line = {row.row_number: row.values for row in extract.rows}
    assert sorted(by_line) == [6, 7, 11, 12]
    calcium = by_line[6]
    assert calcium["sample_id"] == "QC 350 PPM"
    assert (calcium["test"], calcium["result"], calcium["unit"]) == (
        "Ca 315.887",
        "332.779 ",
        "mg/l",
    )
    assert calcium["Net_Intensity"] == "208,401.988 "
    assert (calcium["SD"], calcium["RSD"]) == ("4.99 ", "1.50 ")
    assert calcium["measured_at"] == "10.03.2015  18:52"
    assert calcium["method"] == "150309"
    assert calcium["block"] == "Sample: QC 350 PPM at line 3"
    assert by_line[7]["Net_Intensity"] == "1,334,510.690 "
    assert (by_line[11]["result"], by_line[11]["flag"]) == ("-0.005", "X")
    assert (by_line[12]["result"], by_line[12]["flag"]) == ("0.015 ", "<")
    assert extract.decimal_separator == "."
    rejects = {r.row_number: r for r in extract.rejects}
    assert sorted(rejects) == [13, 14, 15]
    assert "cell 4 holds '7'" in rejects[13].reason
    assert "shifted" in rejects[13].reason
    assert (rejects[14].column, rejects[14].raw_value) == ("Cc", "n/a")
    assert (rejects[15].column, rejects[15].raw_value) == ("Net_Intensity", "81,96.668 ")
    assert "does not match the file's number format" in rejects[15].reason
    assert extract.rows_read == 7
    assert any("2 title and page-footer lines" in note for note in parsed.notes)


def test_icp_block_with_an_unknown_header_rejects_its_rows() -> None:
    text = ICP_TEXT.replace(
        "LineName,,Net_Intensity,Cc,SD,RSD", "LineName,,Intensity,Conc,SD,RSD", 1
    )
    extract = only_extract(parse_text("icp.csv", text))
    first_block = [r for r in extract.rejects if r.row_number in (6, 7)]
    assert len(first_block) == 2
    assert "not the short report's (LineName, Net_Intensity, Cc, SD, RSD)" in first_block[0].reason


# --- Cepheid GeneXpert -------------------------------------------------------------------

GENEXPERT_TEXT = "\n".join(
    [
        "RESULT TABLE",
        "Sample ID,AP-0001",
        "Patient ID",
        "Assay,Ebola RUO",
        "Test Result,Ebola GP DETECTED|Ebola NP DETECTED|",
        "",
        "History",
        "<None>",
        "",
        "Instrument S/N,703865",
        "Expiration Date,20/12/99",
        "Start Time,09/01/15 05:20:37",
        "User,<None>",
        "",
        "Analyte Result",
        "Analyte Name,Ct,EndPt,Analyte Result,Probe Check Result",
        "CIC,32.1,178,NA,PASS",
        "GP,39.1,105,POS,PASS",
        "QC-1,0.0,0,NEG,PASS",
        "QC-2,0.0,0,<None>,PASS",
        "",
        "Detail",
        "Analyte Name,Prb Chk 1,Prb Chk 2,Probe Check Result",
        "CIC,93,122,PASS",
        "",
        "Melt Peaks",
        "<Not applicable>",
        "\ufeff",
        "",
        "OPTICAL DATA",
        "Sample ID,AP-0001",
        "Notes",
        "<Insufficient privilege to access data>",
        "",
    ]
)


def _genexpert() -> ParsedFile:
    # UTF-16 LE with its BOM, and the second export's BOM in the middle of the text.
    return parse_file("lims/run.csv", GENEXPERT_TEXT.encode("utf-16"))


def test_genexpert_run_export_yields_assay_and_analyte_results() -> None:
    parsed = _genexpert()
    extract = only_extract(parsed)
    assert extract.entity == "lims/results"
    assert extract.encoding == "UTF-16 LE"
    by_line = {row.row_number: row.values for row in extract.rows}
    assert sorted(by_line) == [5, 17, 18, 19]
    assay = by_line[5]
    assert (assay["test"], assay["result"]) == ("Ebola RUO", "Ebola GP DETECTED|Ebola NP DETECTED|")
    assert assay["block"] == "RESULT TABLE at line 1"
    analyte = by_line[17]
    assert (analyte["sample_id"], analyte["test"], analyte["result"]) == ("AP-0001", "CIC", "NA")
    assert (analyte["Ct"], analyte["EndPt"], analyte["method"]) == ("32.1", "178", "Ebola RUO")
    assert analyte["measured_at"] == "09/01/15 05:20:37"
    assert analyte["instrument"] == "703865"
    assert analyte["User"] == "<None>"
    assert analyte["block"] == "RESULT TABLE > Analyte Result at line 15"
    assert [by_line[n]["result"] for n in (18, 19)] == ["POS", "NEG"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (20, "Analyte Result", "<None>")
    assert "placeholder '<None>'" in reject.reason
    notes = " ".join(parsed.notes)
    assert "a byte-order mark starts line(s) 28" in notes
    assert "sub-table 'Detail' at line 22" in notes
    assert "report 'OPTICAL DATA' at line 30 holds no results" in notes
    assert "Melt Peaks (<Not applicable>)" in notes


# --- per-sample titrator sheet -----------------------------------------------------------


def test_per_sample_sheet_gives_one_result_per_sample_and_measurand() -> None:
    rows = [
        ["BOTTLE NUMBER", "pH", "EC", "TEMP"],
        ["A00034648001", 6.08, 61.509, 25.8],
        ["A00034648002", 6.08, None, 25.8],
        [None, 7.1, 20.5, 26.0],
        ["A00034651001", 8.35, 21.631, 26.2],
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Sheet2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_file("lims/titrator.xlsx", buffer.getvalue())
    extract = only_extract(parsed)
    assert extract.entity == "lims/results"
    assert extract.part == "Sheet1"
    assert len(extract.rows) == 8
    first = extract.rows[0].values
    assert (first["sample_id"], first["test"], first["result"]) == ("A00034648001", "pH", "6.08")
    assert first["block"] == "Sheet1"
    assert [(r.row_number, r.values["test"]) for r in extract.rows[3:5]] == [(3, "pH"), (3, "TEMP")]
    assert extract.blank_records == 1
    [reject] = extract.rejects
    assert (reject.row_number, reject.column) == (4, "BOTTLE NUMBER")
    assert any("sheet 'Sheet2' skipped: the sheet is empty" in note for note in parsed.notes)


def test_per_sample_text_table_and_a_text_column_that_keeps_it_out() -> None:
    text = "Sample ID;pH;Conductivity\r\nS-1;6,08;61,5\r\nS-2;6,10;<0,5\r\n"
    extract = only_extract(parse_text("lims/meter.csv", text))
    assert [(r.values["test"], r.values["result"]) for r in extract.rows] == [
        ("pH", "6,08"),
        ("Conductivity", "61,5"),
        ("pH", "6,10"),
        ("Conductivity", "<0,5"),
    ]
    assert extract.decimal_separator == ","
    remarks = "Sample ID;pH;Remark\r\nS-1;6,08;fine\r\nS-2;6,10;cloudy\r\n"
    assert parse_text("lims/meter.csv", remarks).quarantine_reason is not None


# --- Bika analysis-request import --------------------------------------------------------

BIKA_TEXT = "\n".join(
    [
        "Header,File name,Client name,Client ID,Contact,No of Samples,,,",
        "Header Data,ARImport,Happy Hills,HH,Rita Mohale,3,,,",
        "Batch Header,title,description,ClientBatchID,,,,,",
        "Batch Data,Happy Hills Survey 13,,CC 201506,,,,,",
        "Samples,ClientSampleID,DateSampled,Activity Sampled\u00a0,SampleType,"
        "Total number of Analyses or Profiles,Ca,pH,Fe",
        "Analysis price,,,,,,,,",
        "Total Analyses or Profiles,,,,,5,2,2,2",
        "Sample 1,HHS14001,3/9/2014,Drilling,Canola,2,1,1,",
        "Sample 2,HHS14002,3/9/2014,Drilling,Lucerne,2,,1,1",
        "Sample 3,HHS14003,3/9/2014,Drilling,Water,2,1,,",
        "Sample 4,HHS14004,3/9/2014,Drilling,Water,1,,x,",
    ]
)


def test_bika_import_registers_samples_with_their_batch() -> None:
    parsed = parse_text("lims/ar_import.csv", BIKA_TEXT)
    extract = only_extract(parsed)
    assert extract.entity == "lims/samples"
    assert [r.row_number for r in extract.rows] == [8, 9]
    first = extract.rows[0].values
    assert (first["sample_id"], first["batch"], first["sample_type"]) == (
        "HHS14001",
        "CC 201506",
        "Canola",
    )
    assert first["DateSampled"] == "3/9/2014"
    assert "sampled_on" not in first
    assert first["Activity Sampled"] == "Drilling"
    assert extract.header_map["Activity Sampled"] == "Activity Sampled\u00a0"
    assert first["Header Data: Client name"] == "Happy Hills"
    assert (first["Ca"], first["pH"], first["Fe"]) == ("1", "1", "")
    rejects = {r.row_number: r for r in extract.rejects}
    assert sorted(rejects) == [10, 11]
    assert "states 2 analyses but flags 1" in rejects[10].reason
    assert (rejects[11].column, rejects[11].raw_value) == ("pH", "x")
    notes = " ".join(parsed.notes)
    assert "Header Data says 3 samples, the file has 4" in notes
    assert "the totals row counts 2 for 'Fe', the samples flag it 1 times" in notes
    assert "sampled_on stays empty" in notes


def test_bika_import_without_batch_data_rejects_every_sample() -> None:
    text = "\n".join(line for line in BIKA_TEXT.split("\n") if not line.startswith("Batch"))
    extract = only_extract(parse_text("ar.csv", text))
    assert extract.rows == []
    assert {r.column for r in extract.rejects[:2]} == {"Batch Data: ClientBatchID"}


def test_bika_import_rows_outside_the_layout_are_rejected() -> None:
    text = BIKA_TEXT.replace("Batch Header,title", "Batch Heading,title", 1) + "\nRemark,see me"
    extract = only_extract(parse_text("ar.csv", text))
    rejects = {r.row_number: r.reason for r in extract.rejects}
    assert "row type 'Batch Heading' is none of" in rejects[3]
    assert "a 'Batch Data' row without the 'Batch Header' row above it" in rejects[4]
    assert "row type 'Remark'" in rejects[12]


# --- SENAITE setup workbook --------------------------------------------------------------


def _setup_workbook(*, bloat: bool = False) -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = "Instructions"
    instructions.append(["Instructions"])
    instructions.append(["Sheet names are case sensitive."])
    sheets = {
        "Sample Types": [
            ["title", "description", "RetentionPeriod", "Hazardous", "Prefix"],
            ["Sample Types"],
            ["Title", "Description", "Retention period (days)", "Hazardous", "Prefix"],
            ["Ŝunnyside Water", "Potable", 10, 1, "H2O"],
        ],
        "Analysis Services": [
            ["title", "Keyword", "Unit", "Precision", "LowerDetectionLimit", "UpperDetectionLimit"],
            ["Analysis Services - The 'tests'", None, None, "Limits"],
            ["Title", "Keyword", "Unit", "Precision", "LDL", "UDL"],
            ["Calcium", "Ca", "mg/l", 2, 0.05, 1000000000],
            [],
            ["Conductivity", "Cond", "mS/m", 2, "n.a.", 1000],
        ],
        "Lab Contacts": [
            ["Firstname", "Surname", "EmailAddress"],
            ["Lab contacts"],
            ["First name", "Surname", "Email"],
            ["Ann", "Example", "ann@example.com"],
        ],
        "Analysis Specifications": [
            ["Title", "Client_title", "SampleType_title", "service", "min", "max", "error"],
            ["Analysis Specifications"],
            [
                "Title",
                "Client",
                "Sample type",
                "Analysis service",
                "Minimum",
                "Maximum",
                "Tolerance %",
            ],
            ["Water", None, "Ŝunnyside Water", "Calcium", 9, 11, 10, "a note beside the table"],
            ["Water", None, "Ŝunnyside Water", "Conductivity", "`", 11, 10],
            [],
            ["Test Spec 1", None, None, "Calcium", 1, 5, 10],
            ["Water", "Happy Hills", "Ŝunnyside Water", "Calcium", 10, 14, 9],
        ],
    }
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if bloat:
            # Formatting far below the data makes the sheet claim a million rows.
            sheet.cell(row=1_048_576, column=1).number_format = "0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_setup_workbook_reads_three_kinds_and_names_the_skipped_sheets() -> None:
    parsed = parse_file("setup/test.xlsx", _setup_workbook())
    assert parsed.quarantine_reason is None
    assert parsed.kind == "lims/setup_workbook"
    by_entity = {e.entity: e for e in parsed.extracts}
    assert set(by_entity) == {"lims/sample_types", "lims/analysis_services", "lims/specifications"}

    [sample_type] = by_entity["lims/sample_types"].rows
    assert sample_type.row_number == 4
    assert (sample_type.values["sample_type"], sample_type.values["prefix"]) == (
        "Ŝunnyside Water",
        "H2O",
    )
    assert sample_type.values["retention_days"] == "10"

    services = by_entity["lims/analysis_services"]
    [calcium] = services.rows
    assert (calcium.values["keyword"], calcium.values["unit"]) == ("Ca", "mg/l")
    assert calcium.values["lower_detection_limit"] == "0.05"
    assert calcium.values["upper_detection_limit"] == "1000000000"
    [bad_limit] = services.rejects
    assert (bad_limit.row_number, bad_limit.column, bad_limit.raw_value) == (
        6,
        "LowerDetectionLimit",
        "n.a.",
    )
    assert services.part == "Analysis Services"
    assert "header-rows=1-3" in services.layout

    specs = by_entity["lims/specifications"]
    assert [r.row_number for r in specs.rows] == [4, 8]
    general, client = (r.values for r in specs.rows)
    assert (general["material"], general["test"], general["spec_min"], general["spec_max"]) == (
        "Ŝunnyside Water",
        "Calcium",
        "9",
        "11",
    )
    assert general["tolerance_percent"] == "10"
    assert general["column_8"] == "a note beside the table"
    assert (client["client"], client["spec_min"]) == ("Happy Hills", "10")
    rejects = {r.row_number: r for r in specs.rejects}
    assert sorted(rejects) == [5, 7]
    assert (rejects[5].column, rejects[5].raw_value) == ("min", "`")
    assert rejects[7].column == "SampleType_title"
    assert specs.rows_read == 4

    notes = " ".join(parsed.notes)
    assert "1 setup sheets skipped, their tables are no extract kind: 'Lab Contacts'" in notes
    assert "lack the three header rows (keys, title, labels): 'Instructions'" in notes


def test_setup_workbook_sheets_claiming_a_million_rows_stop_at_their_data() -> None:
    data = _setup_workbook(bloat=True)
    started = time.perf_counter()
    parsed = parse_file("setup/test.xlsx", data)
    elapsed = time.perf_counter() - started
    assert elapsed < 10
    counts = {e.entity: (len(e.rows), len(e.rejects)) for e in parsed.extracts}
    assert counts == {
        "lims/sample_types": (1, 0),
        "lims/analysis_services": (1, 1),
        "lims/specifications": (2, 2),
    }


def test_a_workbook_without_setup_keys_is_not_a_setup_workbook() -> None:
    rows = [["title", "description"], ["Sample Matrices"], ["Title", "Description"], ["Grain", ""]]
    parsed = parse_file("lims/matrices.xlsx", xlsx(rows, title="Sample Matrices"))
    assert parsed.quarantine_reason is not None
    assert "none of the 1 sheets" in parsed.quarantine_reason


# --- batch size normalisation ------------------------------------------------------------


def test_batch_size_normalisation_lookup() -> None:
    text = (
        "Product code;Batch Size (tablets);Normalisation factor\r\n"
        "1;240000;2.4\r\n"
        "4;583000;5.83\r\n"
        "5;2.400.000;24\r\n"
    )
    extract = only_extract(parse_text("lims/Normalization.csv", text))
    assert extract.entity == "lims/batch_size_normalisation"
    assert [r.values for r in extract.rows] == [
        {"product_code": "1", "batch_size": "240000", "normalisation_factor": "2.4"},
        {"product_code": "4", "batch_size": "583000", "normalisation_factor": "5.83"},
    ]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (
        4,
        "Batch Size (tablets)",
        "2.400.000",
    )
