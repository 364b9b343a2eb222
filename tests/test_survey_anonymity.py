"""Small-group suppression that survives subtraction.

The fixture city has one small division (B, 3 respondents, minimum 5). For every KPI, every
breakdown and every wave we try every subtraction a reader can make from what the KPI table
shows: a visible parent (department or organisation) minus any subset of its visible children
(divisions of the department; departments of the organisation; all divisions of the
organisation). No difference may equal B's true (n, numerator, denominator), and no difference
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


@pytest.fixture(scope="module")
def shown() -> pl.DataFrame:
    return survey_kpis(city.datasets(), Config(min_group_survey=MIN))


@pytest.fixture(scope="module")
def truth() -> pl.DataFrame:
    # At a minimum of 3 nothing in the fixture is small, so this run shows B's true numbers.
    k = survey_kpis(city.datasets(), Config(min_group_survey=3))
    assert not k.filter(pl.col("unit_code") == "B")["suppressed"].any()
    return k


def _subsets(rows: list[dict]):
    for size in range(len(rows) + 1):
        yield from combinations(rows, size)


def _diff(parent: dict, subset: tuple[dict, ...], col: str) -> float | None:
    if parent[col] is None or any(r[col] is None for r in subset):
        return None
    return parent[col] - sum(r[col] for r in subset)


def test_small_division_cannot_be_recovered(shown, truth):
    b_rows = shown.filter(pl.col("unit_code") == "B")
    assert (
        b_rows["suppressed"].all()
        and b_rows.select("value", "numerator", "denominator", "n").null_count().row(0)
        == (b_rows.height,) * 4
    )
    tried = 0
    for (kpi, bd, period), cell in shown.group_by("kpi", "breakdown", "period"):
        rows = {r["unit_code"]: r for r in cell.iter_rows(named=True)}
        b_true = truth.filter(
            pl.col("kpi") == kpi,
            pl.col("period") == period,
            pl.col("unit_code") == "B",
            pl.col("breakdown").is_null() if bd is None else pl.col("breakdown") == bd,
        ).row(0, named=True)
        visible = {u: r for u, r in rows.items() if not r["suppressed"]}
        families = [
            ("ORG", ["D1", "D2"]),
            ("ORG", list(city.PARENT)),
            ("D1", ["A", "B", "C"]),
            ("D2", ["E", "F"]),
        ]
        for parent, children in families:
            if parent not in visible:
                continue
            kids = [visible[c] for c in children if c in visible]
            for subset in _subsets(kids):
                tried += 1
                dn = _diff(visible[parent], subset, "n")
                num = _diff(visible[parent], subset, "numerator")
                den = _diff(visible[parent], subset, "denominator")
                assert not (
                    dn == b_true["n"]
                    and num == b_true["numerator"]
                    and den == b_true["denominator"]
                ), (kpi, bd, period, parent, [r["unit_code"] for r in subset])
                assert dn is None or dn == 0 or dn >= MIN, (kpi, bd, period, parent, dn)
                assert den is None or den == 0 or den >= MIN, (kpi, bd, period, parent, den)
    assert tried > 1000


def test_response_rate_and_counts_of_hidden_units_are_hidden(shown):
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
