"""The files describe one plant: orders fit the lines, dispositions follow results, demand
follows the orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from tests.unit.sample.landing_reader import Landing, any_day, order_lines, sap_day, verdict

LOAD_BAND = (0.55, 0.70)


def _open_orders(landing: Landing) -> list[dict[str, str]]:
    rows = landing.rows("sap/AFKO_", "utf-8", "\t")
    return [row for row in rows if row["STTXT"].split()[0] in ("CRTD", "REL")]


def _rates(landing: Landing) -> dict[str, dict[str, float]]:
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for row in landing.rows("sap/MKAL_", "utf-8", ";"):
        rates[row["MATNR"]][row["ARBPL"]] = float(row["RATE"])
    return rates


def _plan_date(landing: Landing) -> dt.date:
    return landing.summary.plan_start.date()


def test_each_open_order_has_an_eligible_line_and_runs_4_to_16_hours(clean: Landing) -> None:
    rates = _rates(clean)
    for order in _open_orders(clean):
        lines = rates[order["MATNR"]]
        assert lines, f"order {order['AUFNR']} has no production version"
        hours = [float(order["GAMNG"]) / rate for rate in lines.values()]
        assert all(4 <= h <= 16 for h in hours), (order["AUFNR"], hours)


def test_each_product_runs_on_two_or_three_lines_at_different_rates(clean: Landing) -> None:
    lines = {row["ARBPL"] for row in clean.rows("sap/CRHD_", "utf-8", "\t")}
    for material, rates in _rates(clean).items():
        assert 2 <= len(rates) <= 3, material
        assert set(rates) <= lines
        assert len(set(rates.values())) == len(rates)


def test_open_order_load_is_55_to_70_percent_of_capacity(clean: Landing) -> None:
    plan_date = _plan_date(clean)
    capacity = 0.0
    for center in clean.rows("sap/CRHD_", "utf-8", "\t"):
        for offset in range(14):
            day = plan_date + dt.timedelta(days=offset)
            if sap_day(center["BEGDA"]) <= day <= sap_day(center["ENDDA"]):
                capacity += float(center["KAPAZ"])
    rates = _rates(clean)
    hours = sum(
        float(order["GAMNG"]) / fmean(rates[order["MATNR"]].values())
        for order in _open_orders(clean)
    )

    assert LOAD_BAND[0] <= hours / capacity <= LOAD_BAND[1]
    assert abs(hours - clean.summary.load.order_hours_mean_rate) < 0.5
    assert capacity == clean.summary.load.capacity_hours


def test_changeover_matrix_is_complete_short_within_long_across_and_asymmetric(
    clean: Landing,
) -> None:
    rows = clean.rows("sap/ZPP_changeover_matrix_", "utf-8", ",")
    minutes = {
        (r["Work Center"], r["From Material Group"], r["To Material Group"]): int(
            r["Changeover Minutes"]
        )
        for r in rows
    }
    centers = {key[0] for key in minutes}
    groups = {key[1] for key in minutes}

    assert len(centers) == 4
    assert len(minutes) == len(rows) == 4 * 3 * 3
    for (center, source, target), value in minutes.items():
        if source == target:
            assert 30 <= value <= 90
        else:
            assert 180 <= value <= 480
            assert value != minutes[(center, target, source)]
    assert groups == {"00100", "00200", "00300"}


def test_order_dates_spread_over_the_horizon_and_some_are_tight(clean: Landing) -> None:
    plan_date = _plan_date(clean)
    horizon_end = plan_date + dt.timedelta(days=13)
    orders = _open_orders(clean)
    windows = [(sap_day(o["GSTRP"]), sap_day(o["GLTRP"])) for o in orders]

    assert all(start <= finish <= horizon_end for start, finish in windows)
    assert all(start >= plan_date - dt.timedelta(days=3) for start, _ in windows)
    assert len({start for start, _ in windows}) >= 7
    assert len({finish for _, finish in windows}) >= 7
    assert sum((finish - start).days <= 1 for start, finish in windows) >= 5


def test_completed_orders_finished_before_the_plan_starts(clean: Landing) -> None:
    rows = clean.rows("sap/AFKO_", "utf-8", "\t")
    completed = [row for row in rows if row["STTXT"].startswith("TECO")]

    assert completed
    assert all(sap_day(row["GETRI"]) < _plan_date(clean) for row in completed)


def test_every_product_batch_comes_from_a_completed_order_of_its_material(
    clean: Landing,
) -> None:
    orders = {row["AUFNR"]: row for row in clean.rows("sap/AFKO_", "utf-8", "\t")}
    products = {
        row["Materialnummer"]
        for row in clean.rows("sap/MARA_", "cp1252", ";")
        if row["Materialart"] == "FERT"
    }
    for batch in clean.rows("sap/MCH1_", "utf-8", ","):
        if batch["MATNR"] not in products:
            assert batch["AUFNR"] == ""
            continue
        order = orders[batch["AUFNR"]]
        assert order["MATNR"] == batch["MATNR"]
        assert order["STTXT"].startswith("TECO")
        assert batch["HSDAT"] == order["GETRI"]


@dataclass(frozen=True)
class _Run:
    """One result row as the LIMS file states it: its order, validity and verdict."""

    moment: str
    run: int
    valid: bool
    reason: str
    verdict: str


@dataclass
class _Judged:
    """The release-relevant tests of one batch: the final verdict and the OOS on record."""

    final: dict[str, str] = field(default_factory=dict)
    valid_oos: set[str] = field(default_factory=set)
    had_oos: set[str] = field(default_factory=set)


def _judged_results(landing: Landing) -> dict[str, _Judged]:
    specs = {
        (row["Material"], row["Test"]): row
        for row in landing.rows("lims/specifications_", "utf-8", ",")
    }
    material_of = {
        row["Sample ID"]: row["Material"] for row in landing.rows("lims/samples_", "utf-8", ",")
    }
    chemistry = [
        (
            r["Sample ID"],
            r["Batch"],
            r["Test"],
            r["Result"],
            r["Result Date"],
            r["Run"],
            r["Result Status"] == "Valid",
            r["Invalidation Reason"],
        )
        for r in landing.rows("lims/results_2", "utf-8", ",")
    ]
    micro = [
        (
            r["SampleID"],
            r["Lot"],
            r["Analysis"],
            r["Value"],
            any_day(r["ResultCaptureDate"]).isoformat(),
            r["Replicate"],
            r["Valid"] == "J",
            r["Invalidation Comment"],
        )
        for r in landing.rows("lims/results_micro_", "utf-8", ";")
    ]
    runs: dict[tuple[str, str], list[_Run]] = defaultdict(list)
    for sample, batch, test, value, moment, run, valid, reason in chemistry + micro:
        spec = specs[(material_of[sample], test)]
        if spec["Release Relevant"] == "Y":
            judged = verdict(value, spec["Min"], spec["Max"], spec["Text Spec"])
            runs[(batch, test)].append(_Run(moment, int(run), valid, reason, judged))
    judged: dict[str, _Judged] = defaultdict(_Judged)
    for (batch, test), history in runs.items():
        valid = sorted((run for run in history if run.valid), key=lambda r: (r.moment, r.run))
        if valid:
            judged[batch].final[test] = valid[-1].verdict
        for run in history:
            if run.verdict == "FAIL":
                judged[batch].had_oos.add(test)
                if run.valid or not run.reason:
                    judged[batch].valid_oos.add(test)
    return judged


def _release_relevant_tests(landing: Landing) -> dict[str, set[str]]:
    tests: dict[str, set[str]] = defaultdict(set)
    for row in landing.rows("lims/specifications_", "utf-8", ","):
        if row["Release Relevant"] == "Y":
            tests[row["Material"]].add(row["Test"])
    return tests


def test_dispositions_follow_the_release_relevant_results(clean: Landing) -> None:
    judged = _judged_results(clean)
    required = _release_relevant_tests(clean)
    decisions = clean.rows("lims/batch_disposition_", "utf-8", ",")

    assert {row["Disposition"] for row in decisions} == {"RELEASED", "QUARANTINE", "REJECTED"}
    for row in decisions:
        batch = judged[row["Lot"]]
        verdicts = batch.final
        complete = set(verdicts) == required[row["Product"]]
        if row["Disposition"] == "RELEASED":
            assert complete, (row["Lot"], verdicts)
            assert set(verdicts.values()) == {"PASS"}, (row["Lot"], verdicts)
            assert not batch.valid_oos, (row["Lot"], batch.valid_oos)
            assert row["Decision Date"]
            assert row["Decided By"]
        elif row["Disposition"] == "REJECTED":
            assert "FAIL" in verdicts.values(), row["Lot"]
        else:
            # Quarantine: results still missing, or an OOS that only a retest stands against.
            assert not complete or batch.valid_oos, row["Lot"]
            assert "FAIL" not in verdicts.values(), row["Lot"]
            assert row["Decision Date"] == ""


def test_the_lims_history_holds_each_retest_case(clean: Landing) -> None:
    judged = _judged_results(clean)
    decision = {
        row["Lot"]: row["Disposition"]
        for row in clean.rows("lims/batch_disposition_", "utf-8", ",")
    }
    chemistry = clean.rows("lims/results_2", "utf-8", ",")
    micro = clean.rows("lims/results_micro_", "utf-8", ";")
    samples = clean.rows("lims/samples_", "utf-8", ",")
    ids = {row["Result ID"] for row in chemistry}

    assert len(ids) == len(chemistry)
    assert {row["Retest Of"] for row in chemistry} - {""} <= ids
    assert [row["Replicate"] for row in micro].count("2") == 1
    assert [row["Valid"] for row in micro].count("N") == 1
    assert any(" " in row["Result Date"] for row in chemistry)
    assert [row["Sample Type"] for row in samples].count("Resample") == 1
    with_oos = {lot for lot, batch in judged.items() if batch.had_oos}
    rejected = {lot for lot, value in decision.items() if value == "REJECTED"}
    retested_oos = with_oos - rejected
    assert len(retested_oos) == 2
    assert {decision[lot] for lot in retested_oos} == {"RELEASED", "QUARANTINE"}
    for lot in retested_oos:
        assert set(judged[lot].final.values()) == {"PASS"}
        assert bool(judged[lot].valid_oos) == (decision[lot] == "QUARANTINE")


def test_stock_type_follows_the_disposition(clean: Landing) -> None:
    decision = {
        row["Lot"]: row["Disposition"]
        for row in clean.rows("lims/batch_disposition_", "utf-8", ",")
    }
    column_for = {"RELEASED": "CLABS", "QUARANTINE": "CINSM", "REJECTED": "CSPEM"}
    for row in clean.rows("sap/MCHB_", "utf-8", ";"):
        if row["CHARG"] not in decision:
            continue
        held = {c for c in ("CLABS", "CINSM", "CSPEM") if row[c] != "0,000"}
        assert held == {column_for[decision[row["CHARG"]]]}, row


def test_lims_records_point_at_known_samples_batches_and_materials(clean: Landing) -> None:
    batches = {row["CHARG"]: row["MATNR"] for row in clean.rows("sap/MCH1_", "utf-8", ",")}
    samples = {row["Sample ID"]: row for row in clean.rows("lims/samples_", "utf-8", ",")}
    for sample in samples.values():
        assert batches[sample["Batch"]] == sample["Material"]
    for row in clean.rows("lims/results_2", "utf-8", ","):
        assert samples[row["Sample ID"]]["Batch"] == row["Batch"]
    for row in clean.rows("lims/results_micro_", "utf-8", ";"):
        assert samples[row["SampleID"]]["Batch"] == row["Lot"]
    for row in clean.rows("lims/batch_disposition_", "utf-8", ","):
        assert batches[row["Lot"]] == row["Product"]


def test_customer_demand_is_for_known_products_and_in_line_with_orders(clean: Landing) -> None:
    products = {
        row["Materialnummer"]
        for row in clean.rows("sap/MARA_", "cp1252", ";")
        if row["Materialart"] == "FERT"
    }
    demand = 0.0
    for path in sorted(clean.root.glob("outlook/*.eml")):
        message = clean.mail(path.relative_to(clean.root).as_posix())
        sent = message["Date"].datetime.date()
        for line in order_lines(message):
            assert line["Material"] in products
            assert any_day(line["Requested Date"]) > sent
            demand += float(line["Quantity"])
    supply = sum(float(order["GAMNG"]) for order in _open_orders(clean))

    assert 0.8 <= demand / supply <= 1.1


def test_every_unit_written_is_in_the_plants_unit_table(clean: Landing) -> None:
    t006 = [row.split(",") for row in clean.raw("sap/T006_").decode("utf-8").splitlines()]
    keys = {row[1] for row in t006}
    iso_codes = {row[16] for row in t006}
    written = {
        *(row["Basismengeneinheit"] for row in clean.rows("sap/MARA_", "cp1252", ";")),
        *(row["GMEIN"] for row in clean.rows("sap/AFKO_", "utf-8", "\t")),
        *(row["MEINS"] for row in clean.rows("sap/MCHB_", "utf-8", ";")),
        *(row["MEINS"] for row in clean.rows("sap/MKAL_", "utf-8", ";")),
    }
    mailed = {
        line["Unit"]
        for path in sorted(clean.root.glob("outlook/*.eml"))
        for line in order_lines(clean.mail(path.relative_to(clean.root).as_posix()))
    }

    assert written <= keys, written - keys
    assert mailed <= keys | iso_codes, mailed - keys - iso_codes
