"""The steward's digest on a hand-made morning: what awaits a decision, what is stale, plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from pharma_pipelines.alerting.digest import (
    Decision,
    NoDecisionLog,
    PlantSchedule,
    compose_digest,
)
from pharma_pipelines.alerting.model import CheckFailure
from tests.unit.alerting.failures import duplicate_products

UTC = dt.UTC
WEDNESDAY_0600_BERLIN = dt.datetime(2027, 1, 6, 5, 0, tzinfo=UTC)
LIMIT = dt.timedelta(hours=48)

DUPLICATES = duplicate_products(
    failing_since=dt.datetime(2027, 1, 4, 4, 12, tzinfo=UTC),
    evaluated_at=dt.datetime(2027, 1, 5, 4, 10, tzinfo=UTC),
)
OOS_RELEASE = duplicate_products(
    asset="curated/batches",
    check="released_batches_have_no_valid_oos",
    run_id="b7e1d2c3-0000-4000-8000-000000000001",
    measured="2 of 57 released batches with a valid OOS result",
    expected="0 released batches with a valid OOS result",
    failed_count=2,
    total=57,
    evaluated_at=dt.datetime(2027, 1, 5, 20, 0, tzinfo=UTC),
    failing_since=None,
)
STALE_STOCK = duplicate_products(
    asset="raw/sap/stock",
    check="stock_is_fresh",
    family="input_freshness",
    run_id="c0ffee00-0000-4000-8000-000000000002",
    measured="extracted 2027-01-04 22:00, 30.5 h before the plan time",
    expected="at most 24 h old",
    failed_count=1,
    total=1,
    evaluated_at=dt.datetime(2027, 1, 6, 4, 30, tzinfo=UTC),
    failing_since=dt.datetime(2027, 1, 6, 4, 30, tzinfo=UTC),
)
RARE_REJECTS = duplicate_products(
    asset="raw/sap/batches", check="rejected_rows_are_rare", severity="WARN"
)
ACCEPTED = duplicate_products(asset="curated/demand", check="material_is_a_known_product")


class AcceptedDemand:
    """A decision log holding one acceptance, on the demand check."""

    def decisions_for(self, failure: CheckFailure) -> Sequence[Decision]:
        if failure.check == "material_is_a_known_product":
            return [
                Decision(
                    decision="accept",
                    by="m.kraus",
                    at=dt.datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
                    reason="new product, master data follows",
                )
            ]
        return []


SCHEDULES = [
    PlantSchedule(
        plant="0100",
        status="OPTIMAL",
        objective=1234.5,
        gap=0.0,
        solved_at=dt.datetime(2027, 1, 5, 5, 30, tzinfo=UTC),
        verified=True,
        run_id="d00dfeed-0000-4000-8000-000000000003",
    ),
    PlantSchedule(
        plant="0200",
        status="FEASIBLE",
        objective=880.0,
        gap=0.0412,
        solved_at=dt.datetime(2027, 1, 5, 5, 41, tzinfo=UTC),
        verified=True,
        run_id="d00dfeed-0000-4000-8000-000000000004",
    ),
    PlantSchedule(
        plant="0300",
        status="INFEASIBLE",
        solved_at=dt.datetime(2027, 1, 5, 5, 45, tzinfo=UTC),
        run_id="d00dfeed-0000-4000-8000-000000000005",
    ),
    PlantSchedule(plant="0400"),
]

# The whole page, as the steward reads it in the UI.
EXPECTED = (Path(__file__).parent / "expected_digest.md").read_text(encoding="utf-8")


def morning_digest(decisions=None):
    return compose_digest(
        [STALE_STOCK, RARE_REJECTS, OOS_RELEASE, ACCEPTED, DUPLICATES],
        decisions or AcceptedDemand(),
        SCHEDULES,
        generated_at=WEDNESDAY_0600_BERLIN,
        timezone="Europe/Berlin",
        decision_limit=LIMIT,
    )


def test_the_digest_of_a_hand_made_morning_reads_as_expected():
    digest = morning_digest()
    assert digest.markdown() == EXPECTED


def test_a_failure_with_a_recorded_decision_no_longer_awaits_one():
    undecided = morning_digest(NoDecisionLog())
    decided = morning_digest()
    assert {f.check for f in undecided.awaiting} - {f.check for f in decided.awaiting} == {
        "material_is_a_known_product"
    }


def test_warn_failures_never_await_a_decision_and_waiting_counts_from_the_first_failure():
    digest = morning_digest()
    assert "rejected_rows_are_rare" not in {f.check for f in digest.awaiting}
    assert digest.waited(DUPLICATES) == dt.timedelta(days=2, minutes=48)
    assert digest.waited(OOS_RELEASE) == dt.timedelta(hours=9)
    assert [f.check for f in digest.overdue] == ["material_is_unique"]


def test_a_quiet_morning_says_so_in_every_section():
    digest = compose_digest(
        [],
        NoDecisionLog(),
        [],
        generated_at=WEDNESDAY_0600_BERLIN,
        timezone="Europe/Berlin",
        decision_limit=LIMIT,
    )
    text = digest.markdown()
    assert (
        "## Failures awaiting a decision (0)\n\n_No failed ERROR check awaits a decision._" in text
    )
    assert "## Stale inputs (0)\n\n_No freshness check failed on its latest evaluation._" in text
    assert "## Schedules\n\n_No plant is planned._" in text
