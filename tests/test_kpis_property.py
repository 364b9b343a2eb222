"""Property: for every additive KPI, parents are exactly the sums of their divisions.

For random datasets over the fixture organisation (records coded to divisions only), in both
views, for every KPI the catalogue marks additive: the organisation's numerator and denominator
equal the sums over all divisions, and each department's equal the sums over its divisions, so a
parent's value is the denominator-weighted combination of its divisions' values.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_fixtures import ORG_UNITS

from hrmetrics.config import GRADES, Config
from hrmetrics.kpis.catalog import KPIS, unpublished
from hrmetrics.kpis.engine import HR_DEFS, compute_kpis

DIVISIONS = {2023: ["A", "B", "B2", "E", "X2"], 2024: ["A", "C", "E", "X3"]}
MONTHS = [dt.date(fy + (m < 4), m, 1) for fy in (2023, 2024) for m in (*range(4, 13), 1, 2, 3)]
STAFF = [f"s{i}" for i in range(8)]


def _fy(d: dt.date) -> int:
    return d.year - (d.month < 4)


@st.composite
def datasets(draw):
    unit_for = lambda fy: st.sampled_from(DIVISIONS[fy])  # noqa: E731
    # overtime: a random subset of staff × months, each in a division valid that FY
    cells = draw(st.sets(st.tuples(st.sampled_from(STAFF), st.sampled_from(MONTHS)), max_size=60))
    ot = [(s, m, draw(unit_for(_fy(m))), draw(st.sampled_from([0.0, 10.0, 46.0, 85.0, 101.0])))
          for s, m in sorted(cells)]
    # leave: calendar years 2024 (FY2024 units) with optional granted days
    lv = [(s, 2024, draw(unit_for(2024)), "annual", float(draw(st.integers(0, 20))),
           draw(st.sampled_from([None, 20.0])))
          for s in draw(st.sets(st.sampled_from(STAFF), max_size=8))]
    # roster on 2024-04-01
    roster = [(dt.date(2024, 4, 1), s, draw(unit_for(2024)), draw(st.sampled_from(GRADES)),
               draw(st.sampled_from(["female", "male"])))
              for s in draw(st.sets(st.sampled_from(STAFF), max_size=8))]
    # childcare: births in FY2023/FY2024, leave maybe starting later
    births = draw(st.lists(st.tuples(st.sampled_from(STAFF), st.sampled_from(MONTHS[:18]),
                                     st.sampled_from(["female", "male"]), st.sampled_from([None, 0, 2, 4])),
                           max_size=8, unique_by=lambda t: (t[0], t[1])))
    cc = [(s, draw(unit_for(_fy(b))), g, b, None if lag is None else MONTHS[MONTHS.index(b) + lag], 10.0)
          for s, b, g, lag in births
          if lag is None or _fy(MONTHS[MONTHS.index(b) + lag]) == _fy(b)]
    ap_cells = draw(st.sets(st.tuples(st.sampled_from(MONTHS), st.sampled_from(["A", "E"])), max_size=10))
    ap = [(u, m, draw(st.integers(0, 50)), draw(st.integers(0, 50))) for m, u in sorted(ap_cells)]
    return {
        "org_units": ORG_UNITS,
        "overtime": pl.DataFrame(ot, schema={"staff_id": pl.String, "month": pl.Date, "unit_code": pl.String,
                                             "hours": pl.Float64}, orient="row"),
        "leave": pl.DataFrame(lv, schema={"staff_id": pl.String, "year": pl.Int64, "unit_code": pl.String,
                                          "leave_type": pl.String, "days": pl.Float64,
                                          "granted_days": pl.Float64}, orient="row"),
        "staff": pl.DataFrame(roster, schema={"as_of": pl.Date, "staff_id": pl.String, "unit_code": pl.String,
                                              "grade": pl.String, "gender": pl.String}, orient="row"),
        "childcare": pl.DataFrame(cc, schema={"staff_id": pl.String, "unit_code": pl.String,
                                              "gender": pl.String, "birth_date": pl.Date,
                                              "leave_start": pl.Date, "leave_days": pl.Float64},
                                  orient="row"),
        "approvals": pl.DataFrame(ap, schema={"unit_code": pl.String, "month": pl.Date,
                                              "electronic": pl.Int64, "paper": pl.Int64}, orient="row"),
    }


ADDITIVE = sorted(d.id for d in HR_DEFS if KPIS[d.id].additive)
KEYS = ["kpi", "period", "breakdown"]
NOT_AT_DIVISIONS = unpublished(Config().manager_grades).filter(pl.col("level") == "division")


def _published_at_divisions(t: pl.DataFrame) -> pl.DataFrame:
    """Rows of KPIs × breakdowns that divisions publish too (a sum over divisions needs them)."""
    whole = NOT_AT_DIVISIONS.filter(pl.col("breakdown").is_null())["kpi"].to_list()
    rungs = NOT_AT_DIVISIONS.filter(pl.col("breakdown").is_not_null()).select("kpi", "breakdown")
    return t.filter(~pl.col("kpi").is_in(whole)).join(rungs, on=["kpi", "breakdown"], how="anti")


def _sums(table: pl.DataFrame, level: str, by: list[str]) -> pl.DataFrame:
    return (table.filter(pl.col("level") == level).group_by(by)
            .agg(pl.col("numerator").sum(), pl.col("denominator").sum()))


def test_additive_set_is_not_empty():
    assert "overtime_hours_per_staff" in ADDITIVE and "overtime_top10_share" not in ADDITIVE
    assert len(ADDITIVE) >= 20


@pytest.mark.parametrize("view", ["restated", "as_was"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=datasets())
def test_parents_are_sums_of_divisions(view, data):
    t = _published_at_divisions(
        compute_kpis(data, Config(min_group_hr=1), view=view).filter(pl.col("kpi").is_in(ADDITIVE)))
    div_org = _sums(t, "division", KEYS)
    org = t.filter(pl.col("level") == "organisation").select(*KEYS, "numerator", "denominator")
    joined = org.join(div_org, on=KEYS, how="full", nulls_equal=True, suffix="_div")
    assert joined.height == org.height  # every org row has divisions and vice versa
    _assert_close(joined)
    div_dept = _sums(t.with_columns(unit_code=pl.col("parent_code")), "division", [*KEYS, "unit_code"])
    dept = t.filter(pl.col("level") == "department").select(*KEYS, "unit_code", "numerator", "denominator")
    joined = dept.join(div_dept, on=[*KEYS, "unit_code"], how="full", nulls_equal=True, suffix="_div")
    assert joined.height == dept.height
    _assert_close(joined)


def _assert_close(joined: pl.DataFrame) -> None:
    for col in ("numerator", "denominator"):
        bad = joined.filter((pl.col(col).fill_null(0) - pl.col(f"{col}_div").fill_null(0)).abs() > 1e-9)
        assert bad.height == 0, bad


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=datasets())
def test_no_hidden_division_is_a_visible_difference(data):
    """With the default minimum of 3, a reader who subtracts every visible division from its
    department, or from the organisation, never isolates a single hidden division: wherever a
    parent is visible, its hidden divisions are none, or at least two, or hold ≥ 3 people among
    them together with what was coded to the parent itself."""
    full = compute_kpis(data, Config(min_group_hr=1)).filter(pl.col("kpi").is_in(ADDITIVE))
    shown = compute_kpis(data, Config(publish_small_organisation=False)).filter(pl.col("kpi").is_in(ADDITIVE))
    truth = full.select(*KEYS, "level", "unit_code", "parent_code", true_n="n")
    t = shown.join(truth, on=[*KEYS, "level", "unit_code", "parent_code"], nulls_equal=True)
    divisions = t.filter(pl.col("level") == "division")
    for parent_level, parent_key in (("department", pl.col("parent_code")), ("organisation", pl.lit("ORG"))):
        parents = t.filter(pl.col("level") == parent_level, ~pl.col("suppressed"))
        kids = divisions.with_columns(parent=parent_key).group_by([*KEYS, "parent"]).agg(
            hidden=pl.col("suppressed").sum(), hidden_n=pl.col("true_n").filter(pl.col("suppressed")).sum())
        exposed = parents.join(kids, left_on=[*KEYS, "unit_code"], right_on=[*KEYS, "parent"],
                               nulls_equal=True).filter(pl.col("hidden") == 1, pl.col("hidden_n") < 3)
        assert exposed.is_empty(), exposed.select(*KEYS, "unit_code")
