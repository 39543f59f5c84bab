"""LIMS files: long results (with spec columns), wide results, specs, samples, disposition."""

from __future__ import annotations

from .conftest import only_extract, parse_text

RESULTS = (
    "sample_id;batch;test_code;test_name;result_raw;unit;spec_min;spec_max;spec_text\r\n"
    "S-24-0101;B240311A;ASSAY;Assay (HPLC);99.4;%;95.0;105.0;\r\n"
    "S-24-0101;B240311A;RS-A;Related substance A;<0.05;%;;0.10;\r\n"
    "S-24-0101;B240311A;APP;Appearance;Complies;;;;Complies\r\n"
    "S-24-0101;B240311A;WATER;Water (KF);0,8;%;;1.0;\r\n"
    "S-24-0103;B240313C;PSD;Particle size d90;see attachment;µm;;250;\r\n"
    "S-24-0104;;ASSAY;Assay (HPLC);99.0;%;95.0;105.0;\r\n"
    "S-24-0105;B240315E;ASSAY;Assay (HPLC);99.0;%;95,0;105.0;\r\n"
)


def test_long_results_keep_result_text_and_spec_columns_br07() -> None:
    extract = only_extract(parse_text("lims/results.csv", RESULTS))
    assert extract.entity == "lims/results"
    assert [r.values["result"] for r in extract.rows] == [
        "99.4",
        "<0.05",
        "Complies",
        "0,8",
        "see attachment",
    ]
    assert extract.rows[1].values["spec_max"] == "0.10"
    assert extract.rows[2].values["text_spec"] == "Complies"
    assert extract.rows[4].values["unit"] == "µm"
    assert [(r.row_number, r.column) for r in extract.rejects] == [(7, "batch"), (8, "spec_min")]
    assert extract.rows_read == 7


def test_wide_results_one_batch_per_row() -> None:
    text = (
        "batch;code;strength;api_water;dissolution_av;impurity_o\r\n"
        "1;25;5MG;1.53;93.83;0.05\r\n"
        "2;25;5MG;1.53;99.67;<0.05\r\n"
        ";25;5MG;1.50;98.10;0.04\r\n"
    )
    extract = only_extract(parse_text("lims/Laboratory.csv", text))
    assert extract.entity == "lims/results_wide"
    assert extract.layout == "csv sep=';' decimal='.'"
    assert extract.rows[1].values["impurity_o"] == "<0.05"
    assert extract.rows[0].values["strength"] == "5MG"
    [reject] = extract.rejects
    assert (reject.row_number, reject.column) == (4, "batch")


def test_a_batch_column_alone_is_not_wide_results() -> None:
    parsed = parse_text(
        "rooms.csv", "batch;shift;owner;room\r\nB1;early;Ann;R1\r\nB2;late;Bob;R2\r\n"
    )
    assert parsed.quarantine_reason is not None
    assert "only 0 of its 3 other columns hold result-like values" in parsed.quarantine_reason


def test_specifications_samples_and_disposition() -> None:
    specs = only_extract(
        parse_text("s.csv", "Material;Test;Min;Max;Unit;Text Spec\r\n0001;ASSAY;95.0;105.0;%;\r\n")
    )
    samples = only_extract(
        parse_text(
            "p.csv",
            "Sample ID;Batch;Sample Type;Date Sampled\r\nS-1;B1;Release;2024-03-12 10:15\r\n",
        )
    )
    disposition = only_extract(
        parse_text(
            "d.csv",
            "Batch;Material;Usage Decision;Decision Date;QP\r\n"
            "B1;0001;Released;15.03.2024;Dr. A\r\n",
        )
    )
    assert specs.entity == "lims/specifications"
    assert samples.entity == "lims/samples"
    assert samples.rows[0].values["sampled_on"] == "2024-03-12 10:15"
    assert disposition.entity == "lims/batch_disposition"
    assert disposition.rows[0].values["disposition"] == "Released"


def test_slash_dates_are_rejected_not_guessed() -> None:
    extract = only_extract(
        parse_text("p.csv", "Sample ID;Batch;Date Sampled\r\nS-1;B1;3/9/2014\r\n")
    )
    [reject] = extract.rejects
    assert "slash date whose day and month order cannot be known" in reject.reason


def test_retest_columns_are_conformed_and_stay_text() -> None:
    chemistry = only_extract(
        parse_text(
            "lims/results.csv",
            "Result ID,Sample ID,Batch,Test,Run,Result,Result Date,Result Status,"
            "Invalidation Reason,Retest Of\n"
            "10001,S-1,B1,ASSAY,1,91.2,2027-01-03 09:12,Invalidated,Laboratory error,\n"
            "10002,S-1,B1,ASSAY,R2,99.1,2027-01-05 14:40,Valid,,10001\n",
        )
    )
    micro = only_extract(
        parse_text(
            "lims/micro.csv",
            "SampleID;Lot;Analysis;Value;Replicate;Valid;Invalidation Comment;Analysed At\r\n"
            "S-2;B2;TAMC;<10;1;N;Negative control grew;05.01.2027 08:00\r\n",
        )
    )
    assert chemistry.entity == micro.entity == "lims/results"
    first, second = (row.values for row in chemistry.rows)
    assert (first["status"], first["invalidation_reason"]) == ("Invalidated", "Laboratory error")
    assert (second["run"], second["retest_of"], second["result_id"]) == ("R2", "10001", "10002")
    assert second["result_date"] == "2027-01-05 14:40"
    [row] = micro.rows
    assert (row.values["run"], row.values["valid"]) == ("1", "N")
    assert row.values["invalidation_reason"] == "Negative control grew"
    assert row.values["result_date"] == "05.01.2027 08:00"
    assert chemistry.rejects == []
    assert micro.rejects == []


def test_a_disposition_file_with_a_status_column_stays_a_disposition() -> None:
    extract = only_extract(
        parse_text("lims/d.csv", "Lot,Product,Status,Decision Date\nB1,0001,Released,2027-01-05\n")
    )
    assert extract.entity == "lims/batch_disposition"
