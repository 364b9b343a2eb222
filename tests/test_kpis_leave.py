"""Annual-leave KPIs against hand-worked numbers."""

from __future__ import annotations

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis

CFG = Config(min_group_hr=1)


def _leave(rows):
    return pl.DataFrame(rows, schema={"staff_id": pl.String, "year": pl.Int64, "unit_code": pl.String,
                                      "leave_type": pl.String, "days": pl.Float64,
                                      "granted_days": pl.Float64}, orient="row")


ROWS = [
    # staff, year, unit, type, days, granted
    ("s1", 2024, "A", "annual", 4.0, 20.0),
    ("s2", 2024, "A", "annual", 8.0, 20.0),
    ("s3", 2024, "A", "annual", 12.0, None),   # no granted days: out of the uptake rate
    ("s4", 2024, "A", "annual", 16.0, 20.0),
    ("s1", 2024, "A", "summer", 5.0, None),    # not annual leave: ignored by every annual KPI
]


def _table(rows=ROWS, cfg=CFG):
    return compute_kpis({"org_units": ORG_UNITS, "leave": _leave(rows)}, cfg)


def test_days_per_staff_and_shares():
    t = _table()
    # annual rows: 4 + 8 + 12 + 16 = 40 days / 4 staff = 10 days
    r = get(t, "annual_leave_days_per_staff", "A", "2024")
    assert (r["numerator"], r["denominator"], r["value"], r["n"]) == pytest.approx((40.0, 4.0, 10.0, 4))
    assert r["period_type"] == "leave_year" and r["year"] == 2024 and r["unit"] == "days"
    # under 5 days: s1 (4) → 1 / 4 = 25 %
    assert get(t, "annual_leave_under5_share", "A", "2024")["value"] == pytest.approx(25.0)
    # under 10 days: s1 (4), s2 (8) → 2 / 4 = 50 %
    u10 = get(t, "annual_leave_under10_share", "A", "2024")
    assert (u10["numerator"], u10["denominator"], u10["value"]) == pytest.approx((2.0, 4.0, 50.0))


def test_uptake_rate_excludes_rows_without_granted_days_and_counts_them():
    t = _table()
    # with granted days: s1, s2, s4 → taken 4 + 8 + 16 = 28 of 60 granted = 46.67 %
    r = get(t, "annual_leave_uptake_rate", "A", "2024")
    assert (r["numerator"], r["denominator"], r["n"]) == pytest.approx((28.0, 60.0, 3))
    assert r["value"] == pytest.approx(28 / 60 * 100)
    # the exclusion is its own row: 1 staff (s3) left out
    ex = get(t, "annual_leave_uptake_excluded", "A", "2024")
    assert ex["value"] == 1 and ex["numerator"] == 1 and ex["unit"] == "people"


def test_fiscal_leave_year_is_labelled_fy():
    t = _table(cfg=Config(min_group_hr=1, leave_year="fiscal"))
    r = get(t, "annual_leave_days_per_staff", "ORG", "FY2024")
    assert r["year"] == 2024 and r["value"] == pytest.approx(10.0)


def test_calendar_year_after_a_merger_restates_into_the_successor():
    # B ended FY2023 (March 2024); calendar-2024 rows coded B are accepted (Jan–Mar 2024 in FY2023)
    # and, restated, land in C together with C's own rows: (6 + 10) / 2 = 8 days
    rows = [("b1", 2024, "B", "annual", 6.0, 20.0), ("c1", 2024, "C", "annual", 10.0, 20.0)]
    r = get(_table(rows), "annual_leave_days_per_staff", "C", "2024")
    assert (r["numerator"], r["denominator"]) == pytest.approx((16.0, 2.0))
