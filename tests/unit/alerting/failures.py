"""Hand-made check failures for the alerting tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pharma_pipelines.alerting.model import CheckFailure, rows_from_markdown

DUPLICATES = """| material | plant | description |
| --- | --- | --- |
| 000000000000011878 | 0100 | Ibuprofen 400 mg \\| 20 tablets |
| 000000000000011878 | 0100 | Ibuprofen 400mg 20 St |
| 000000000000011879 | 0100 | Paracetamol 500 mg |
| 000000000000011879 | 0100 | Paracetamol 500mg |
| 000000000000011880 | 0100 | Aspirin 100 mg |
| 000000000000011880 | 0100 | Aspirin 100mg |"""

MONDAY_0412 = dt.datetime(2027, 1, 4, 4, 12, tzinfo=dt.UTC)


def duplicate_products(**changes: object) -> CheckFailure:
    failure = CheckFailure(
        asset="curated/products",
        check="material_is_unique",
        severity="ERROR",
        run_id="3f2a9c1e-0b7d-4c55-9e61-5b0a3c2d1e0f",
        evaluated_at=MONDAY_0412,
        description="unique key (material): measured 6 of 41 rows share a key; expected 0",
        measured="6 of 41 rows share a key",
        expected="0 duplicated rows",
        failed_count=6,
        total=41,
        failing_rows=rows_from_markdown(DUPLICATES),
        storage_id=1207,
        check_url=(
            "http://127.0.0.1:3000/assets/curated/products?view=checks"
            "&checkDetail=material_is_unique"
        ),
        run_url="http://127.0.0.1:3000/runs/3f2a9c1e-0b7d-4c55-9e61-5b0a3c2d1e0f",
    )
    return replace(failure, **changes)
