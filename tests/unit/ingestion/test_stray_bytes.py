"""A stray control byte in a text export costs one row, not the whole file."""

from pharma_pipelines.ingestion import parse_file

RESULTS = (
    "Sample ID;Batch;Test;Result;Unit\r\n"
    "S1;B1;ASSAY;99.5;%\r\n"
    "S2;B2;ASSAY;98.7;%\r\n"
    "S3;B3;ASSAY;100.1;%\r\n"
)


def test_one_nul_byte_rejects_its_row_and_keeps_the_rest():
    data = RESULTS.replace("S2", "S\x002").encode("utf-8")
    parsed = parse_file("lims/results.csv", data)
    assert parsed.quarantine_reason is None
    [extract] = parsed.extracts
    assert [row.values["sample_id"] for row in extract.rows] == ["S1", "S3"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column) == (3, "Sample ID")
    assert "NUL" in reject.reason


def test_a_file_full_of_nul_bytes_is_still_binary():
    data = b"\x00\x00\x00\x07" * 500
    parsed = parse_file("lims/results.csv", data)
    assert parsed.quarantine_reason is not None
    assert "binary" in parsed.quarantine_reason


def test_a_header_that_mixes_separators_quarantines_the_file():
    data = (
        b"Sample ID;Batch;Material,Sample Type;Date Sampled\r\n"
        b"S1;0000104601;000000000000017919,Release;2027-01-04\r\n"
        b"S2;0000104602;000000000000017919,Release;2027-01-05\r\n"
    )
    parsed = parse_file("lims/samples.csv", data)
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert "mixes separators" in parsed.quarantine_reason
    assert "'Material'" in parsed.quarantine_reason


def test_two_columns_for_one_field_that_disagree_reject_the_row():
    data = (
        b"Lot;Disposition;Decision Date;Disposition\r\n"
        b"B1;RELEASED;2027-01-04;RELEASED\r\n"
        b"B2;RELEASED;2027-01-04;REJECTED\r\n"
    )
    [extract] = parse_file("lims/batch_disposition.csv", data).extracts
    assert [row.values["batch"] for row in extract.rows] == ["B1"]
    [reject] = extract.rejects
    assert reject.row_number == 3
    assert "'REJECTED'" in reject.reason
    assert "'RELEASED'" in reject.reason


def test_a_byte_order_mark_inside_the_file_rejects_its_row():
    data = ("\ufeff" + RESULTS + "\ufeffS4;B4;ASSAY;99.0;%\r\n").encode("utf-8")
    [extract] = parse_file("lims/results.csv", data).extracts
    assert [row.values["sample_id"] for row in extract.rows] == ["S1", "S2", "S3"]
    [reject] = extract.rejects
    assert reject.row_number == 5
    assert "U+FEFF" in reject.reason


def test_a_utf8_row_in_a_windows_1252_file_is_rejected_not_garbled():
    header = "MATNR;MAKTX;MATKL\r\n".encode("cp1252")
    good = "000000000000012345;Tabletten 5 mg – Blister;00100\r\n".encode("cp1252")
    mixed = "000000000000067890;Prüfmuster;00100\r\n".encode()
    [extract] = parse_file("sap/MARA.csv", header + good + mixed).extracts
    assert [row.values["description"] for row in extract.rows] == ["Tabletten 5 mg – Blister"]
    [reject] = extract.rejects
    assert reject.row_number == 3
    assert "two encodings" in reject.reason


def test_a_very_long_field_loads():
    long_text = "x" * 200_000
    data = f"Sample ID;Batch;Test;Result;Unit\r\nS1;B1;APPEARANCE;{long_text};\r\n".encode()
    parsed = parse_file("lims/results.csv", data)
    assert parsed.quarantine_reason is None
    [extract] = parsed.extracts
    assert extract.rows[0].values["result"] == long_text
