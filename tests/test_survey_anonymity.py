"""Small-group suppression that survives subtraction.

Each fixture organisation has one small group (3 or 2 respondents, minimum 5). For every KPI, every
breakdown and every wave we try every subtraction a reader can make from what the KPI table
shows: a visible parent (department or organisation) minus any subset of its visible children
(divisions of the department; departments of the organisation; all divisions of the
organisation). No difference may equal the small group's true (n, numerator, denominator), and no difference
may describe a group of 1–4 respondents.
"""

from __future__ import annotations

import importlib.util
from itertools import combinations
from pathlib import Path

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.survey.scores import survey_kpis

_spec = importlib.util.spec_from_file_location(
    "survey_city", Path(__file__).parent / "fixtures/survey/city.py"
)
city = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(city)

MIN = 5


CITIES = {
    # the fixture city: B (3) is small among A (12), B, C (8) in D1; D2 = E (9) + F (11)
    "small_division": (None, None, "B"),
    # D2's only division is small: D2 itself equals E, so the parent must be hidden too
    "only_child": ({"A": 12, "C": 8, "E": 3}, {"A": "D1", "C": "D1", "E": "D2"}, "E"),
    # 2 respondents coded to department D2 itself (an invisible remainder of D2)
    "department_remainder": (
        {"A": 12, "C": 8, "E": 9, "F": 11, "D2": 2},
        {"A": "D1", "C": "D1", "E": "D2", "F": "D2"},
        "D2~",
    ),
}


def _subsets(rows: list[dict]):
    for size in range(len(rows) + 1):
        yield from combinations(rows, size)


def _diff(parent: dict, subset: tuple[dict, ...], col: str) -> float | None:
    if parent[col] is None or any(r[col] is None for r in subset):
        return None
    return parent[col] - sum(r[col] for r in subset)


def _families(parent: dict[str, str]) -> list[tuple[str, list[str]]]:
    depts = sorted(set(parent.values()))
    fams = [("ORG", depts), ("ORG", sorted(parent))]
    fams += [(d, sorted(u for u, p in parent.items() if p == d)) for d in depts]
    return fams


def _shown_and_truth(name: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str], str]:
    sizes, parent, small = CITIES[name]
    ds = city.datasets(sizes, parent)
    shown = survey_kpis(ds, Config(min_group_survey=MIN))
    # At a minimum of 3 the divisions are all shown: their true numbers.
    truth = survey_kpis(ds, Config(min_group_survey=3))
    return shown, truth, parent or city.PARENT, small


def _true_small(truth: pl.DataFrame, small: str, key: tuple) -> tuple | None:
    """True (n, numerator, denominator) of the small group; for a department remainder it is
    the department minus its divisions."""
    kpi, bd, period = key
    f = truth.filter(
        pl.col("kpi") == kpi,
        pl.col("period") == period,
        pl.col("breakdown").is_null() if bd is None else pl.col("breakdown") == bd,
    )
    rows = {r["unit_code"]: r for r in f.iter_rows(named=True)}
    if not small.endswith("~"):
        r = rows.get(small)
        return None if r is None else (r["n"], r["numerator"], r["denominator"])
    dept = rows[small[:-1]]
    kids = [r for r in rows.values() if r["parent_code"] == small[:-1]]
    return tuple(
        None
        if dept[c] is None or any(k[c] is None for k in kids)
        else dept[c] - sum(k[c] for k in kids)
        for c in ("n", "numerator", "denominator")
    )

@pytest.mark.parametrize("name", list(CITIES))
def test_small_group_cannot_be_recovered(name):
    shown, truth, parent, small = _shown_and_truth(name)
    if not small.endswith("~"):
        rows = shown.filter(pl.col("unit_code") == small)
        assert rows.height and rows["suppressed"].all()
        assert (
            rows.select("value", "numerator", "denominator", "n").null_count().row(0)
            == (rows.height,) * 4
        )
    tried = 0
    for key, cell in shown.group_by("kpi", "breakdown", "period"):
        target = _true_small(truth, small, key)
        visible = {r["unit_code"]: r for r in cell.iter_rows(named=True) if not r["suppressed"]}
        for parent_code, children in _families(parent):
            if parent_code not in visible:
                continue
            kids = [visible[c] for c in children if c in visible]
            for subset in _subsets(kids):
                tried += 1
                got = tuple(
                    _diff(visible[parent_code], subset, c)
                    for c in ("n", "numerator", "denominator")
                )
                assert got != target, (name, key, parent_code, [r["unit_code"] for r in subset])
                for v in (got[0], got[2]):  # respondents and answers behind any difference
                    assert v is None or v == 0 or v >= MIN, (name, key, parent_code, got)
    assert tried > 100


def test_only_child_hides_its_department():
    shown, *_ = _shown_and_truth("only_child")
    d2 = shown.filter(pl.col("unit_code") == "D2")
    assert d2["suppressed"].all()


def test_response_rate_and_counts_of_hidden_units_are_hidden():
    shown = survey_kpis(city.datasets(), Config(min_group_survey=MIN))
    rr = shown.filter(
        pl.col("kpi") == "survey_response_rate", pl.col("unit_code").is_in(["B", "C"])
    )
    assert rr.height == 4 and rr["suppressed"].all() and rr["denominator"].null_count() == 4
    # The complement is the next-smallest sibling of B (C: 8 < A: 12), not a larger one.
    assert not shown.filter(pl.col("unit_code") == "A")["suppressed"].any()


def test_hidden_item_cannot_be_recovered_from_its_dimension():
    # Division E: 9 respondents, but only 4 answered Q5 → Q5 hidden for E; its dimension 働き方
    # (Q4 + Q5) must not let dimension − Q4 give Q5 back.
    ds = city.datasets()
    skip = (
        (pl.col("unit_code") == "E")
        & (pl.col("item_id") == "Q5")
        & (pl.col("respondent_id") > "R027")
    )
    ds["survey"] = ds["survey"].with_columns(
        value=pl.when(skip).then(None).otherwise(pl.col("value"))
    )
    k = survey_kpis(ds, Config()).filter(pl.col("unit_code") == "E", pl.col("period") == "FY2024")
    q5 = k.filter(pl.col("kpi") == "item_favourable", pl.col("breakdown") == "Q5").row(
        0, named=True
    )
    q4 = k.filter(pl.col("kpi") == "item_favourable", pl.col("breakdown") == "Q4").row(
        0, named=True
    )
    dim = k.filter(pl.col("kpi") == "dimension_favourable", pl.col("breakdown") == "働き方").row(
        0, named=True
    )
    assert q5["suppressed"]
    assert q4["suppressed"] or dim["suppressed"]
