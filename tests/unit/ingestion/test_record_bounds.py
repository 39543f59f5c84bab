"""Record bounds found in bulk agree with Python's csv reader, record by record."""

from __future__ import annotations

import csv
import io
import random

import pytest

from pharma_pipelines.ingestion.record_bounds import field_counts, plain_quotes, record_bounds

FIELDS = ["", "a", "b1", "  ", "ü", '"x;y"', '"two\nlines"', '"say ""hi"""', '""', '"\r\n"']
BREAKS = ["\n", "\r\n", "\r", "\n\n"]
PIECES = [*FIELDS, ";", "\n", "\r", '"']


def _records(seed: int, count: int = 400) -> list[str]:
    """Texts of well-formed records: quotes open and close fields."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        records = [
            ";".join(rng.choices(FIELDS, k=rng.randint(1, 4))) + rng.choice(BREAKS)
            for _ in range(rng.randint(0, 6))
        ]
        text = "".join(records)
        texts.append(text.rstrip("\r\n") if rng.random() < 0.3 else text)  # last one open
    return texts


def _csv_records(text: str) -> list[tuple[int, list[str]]]:
    """(first line, fields) of each record as ``csv`` reads it, without the row path's
    runaway-quote judgement (tested in test_delimited)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=False)
    records, previous = [], 0
    for fields in reader:
        records.append((previous + 1, fields))
        previous = reader.line_num
    return records


def _assert_like_csv(text: str) -> None:
    data = text.encode()
    bounds = record_bounds(data)
    assert bounds is not None
    records = _csv_records(text)
    assert bounds.lines.tolist() == [line for line, _ in records], repr(text)
    assert field_counts(data, bounds, ";").tolist() == [len(f) for _, f in records]
    for start, end, (_, fields) in zip(bounds.starts, bounds.ends, records, strict=True):
        again = [f for _, f in _csv_records(data[start:end].decode())]
        assert again == ([fields] if fields else [])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bounds_give_csv_records_and_lines(seed: int) -> None:
    for text in _records(seed):
        data = text.encode()
        bounds = record_bounds(data)
        assert bounds is not None
        assert plain_quotes(data, bounds, ";"), repr(text)
        _assert_like_csv(text)


def test_texts_with_plain_quotes_are_split_like_csv() -> None:
    # Random pieces, stray quotes included: whatever plain_quotes lets through agrees.
    rng = random.Random(4)
    passed = 0
    for _ in range(3000):
        text = "".join(rng.choices(PIECES, k=rng.randint(0, 20)))
        data = text.encode()
        bounds = record_bounds(data)
        if bounds is not None and plain_quotes(data, bounds, ";"):
            _assert_like_csv(text)
            passed += 1
    assert passed > 500


def test_an_unclosed_quote_has_no_bounds() -> None:
    assert record_bounds(b'a;"b\nc;d\n') is None


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('a;"b";c\n', True),
        ('a;"b""c";d\n', True),
        ('"";x\n', True),
        ('a;12" pipe, 3" tube\n', False),
        ('a; "b";c\n', False),
        ('a;"b"c;d\n', False),
    ],
)
def test_plain_quotes_open_and_close_fields(text: str, plain: bool) -> None:
    data = text.encode()
    bounds = record_bounds(data)
    assert bounds is not None
    assert plain_quotes(data, bounds, ";") is plain


def test_a_bom_is_skipped_and_lines_still_count_from_one() -> None:
    data = b'\xef\xbb\xbf"h1";h2\r\nx;y\r\n'
    bounds = record_bounds(data, start=3)
    assert bounds is not None
    assert plain_quotes(data, bounds, ";", start=3)
    assert (bounds.starts.tolist(), bounds.lines.tolist()) == ([3, 12], [1, 2])
