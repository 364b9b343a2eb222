"""Workforce KPIs from the April-1 roster, against hand-worked numbers."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis

CFG = Config(min_group_hr=1, quota={"organisation": 10, "A": 8})
APR = dt.date(2024, 4, 1)

# 9 staff in A and 1 in E on 2024-04-01:
#   staff            : F, F, M, M      (4; 2 women)
#   unit_chief       : F, M           (2; 1 woman)
#   assistant_chief  : M              (1; 0 women)
#   section_chief    : F              (1; 1 woman)   ← manager
#   director         : M (in E)       (1; 0 women)   ← manager
#   deputy_director  : M              (1; 0 women)   ← manager
ROSTER = [
    ("a1", "A", "staff", "female"), ("a2", "A", "staff", "female"), ("a3", "A", "staff", "male"),
    ("a4", "A", "staff", "male"), ("a5", "A", "unit_chief", "female"), ("a6", "A", "unit_chief", "male"),
    ("a7", "A", "assistant_chief", "male"), ("a8", "A", "section_chief", "female"),
    ("a9", "A", "deputy_director", "male"), ("e1", "E", "director", "male"),
]


def _staff(rows, as_of=APR):
    return pl.DataFrame([(as_of, *r) for r in rows],
                        schema={"as_of": pl.Date, "staff_id": pl.String, "unit_code": pl.String,
                                "grade": pl.String, "gender": pl.String}, orient="row")


def _table(staff=None, cfg=CFG):
    return compute_kpis({"org_units": ORG_UNITS, "staff": _staff(ROSTER) if staff is None else staff}, cfg)


def test_headcount_and_quota():
    t = _table()
    r = get(t, "headcount", "ORG", "FY2024")
    assert r["value"] == 10 and r["numerator"] == 10 and r["denominator"] is None
    assert r["period_type"] == "snapshot" and r["unit"] == "people" and r["year"] == 2024
    assert get(t, "headcount", "A", "FY2024")["value"] == 9
    # quota: ORG 10 / 10 = 100 %; A 9 / 8 = 112.5 %; E has no quota → no row
    q = get(t, "headcount_vs_quota", "ORG", "FY2024")
    assert (q["numerator"], q["denominator"], q["value"]) == pytest.approx((10.0, 10.0, 100.0))
    assert get(t, "headcount_vs_quota", "A", "FY2024")["value"] == pytest.approx(112.5)
    assert t.filter((pl.col("kpi") == "headcount_vs_quota") & (pl.col("unit_code") == "E")).height == 0


def test_female_manager_ratio():
    # managers (section_chief and above): a8 F, a9 M, e1 M → 1 / 3 = 33.3 %
    r = get(_table(), "female_manager_ratio", "ORG", "FY2024")
    assert (r["numerator"], r["denominator"], r["n"]) == pytest.approx((1.0, 3.0, 3))
    assert r["value"] == pytest.approx(100 / 3)
    # with managers = assistant chief and above: a7 M, a8 F, a9 M, e1 M → 1 / 4 = 25 %
    cfg = Config(min_group_hr=1, manager_grades=("assistant_chief", "section_chief", "deputy_director",
                                                  "director"))
    assert get(_table(cfg=cfg), "female_manager_ratio", "ORG", "FY2024")["value"] == pytest.approx(25.0)


@pytest.mark.parametrize(("grade", "num", "den"), [
    ("staff", 2, 4), ("unit_chief", 1, 2), ("assistant_chief", 0, 1), ("section_chief", 1, 1),
    ("deputy_director", 0, 1), ("director", 0, 1),
])
def test_female_share_by_grade(grade, num, den):
    r = get(_table(), "female_share_grade", "ORG", "FY2024", breakdown=grade)
    assert (r["numerator"], r["denominator"]) == (num, den)
    assert r["value"] == pytest.approx(num / den * 100)


@pytest.mark.parametrize(("grade", "num", "den"), [
    ("staff", 4, 10),            # everyone: women a1 a2 a5 a8
    ("unit_chief", 2, 6),        # a5..a9 + e1: women a5, a8
    ("assistant_chief", 1, 4),   # a7 a8 a9 e1: woman a8
    ("section_chief", 1, 3),     # a8 a9 e1 (= the manager ratio)
    ("deputy_director", 0, 2),   # a9 e1
    ("director", 0, 1),          # e1
])
def test_female_share_grade_and_above(grade, num, den):
    r = get(_table(), "female_share_grade_and_above", "ORG", "FY2024", breakdown=grade)
    assert (r["numerator"], r["denominator"]) == (num, den)


def test_grade_breakdown_at_division_level():
    # E holds only e1 (director): at E, "unit_chief and above" = 1 person, 0 women
    r = get(_table(), "female_share_grade_and_above", "E", "FY2024", breakdown="unit_chief")
    assert (r["numerator"], r["denominator"]) == (0, 1)


def test_first_snapshot_of_the_fy_is_used():
    # a later (October) extract of the same FY must not double the headcount
    staff = pl.concat([_staff(ROSTER), _staff(ROSTER[:3], dt.date(2024, 10, 1))])
    assert get(_table(staff), "headcount", "ORG", "FY2024")["value"] == 10


def test_quota_alone_still_computes_its_headcount_source():
    t = compute_kpis({"org_units": ORG_UNITS, "staff": _staff(ROSTER)}, CFG, kpis=["headcount_vs_quota"])
    assert set(t["kpi"]) == {"headcount_vs_quota"}
    assert get(t, "headcount_vs_quota", "A", "FY2024")["numerator"] == 9
