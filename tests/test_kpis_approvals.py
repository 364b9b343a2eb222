"""E-approval rate, yearly and monthly."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis

APPROVALS = pl.DataFrame(
    {"unit_code": ["A", "A", "E", "E"],
     "month": [dt.date(2024, 4, 1), dt.date(2025, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1)],
     "electronic": [80, 90, 30, 0], "paper": [20, 10, 70, 2]},
    schema={"unit_code": pl.String, "month": pl.Date, "electronic": pl.Int64, "paper": pl.Int64},
)


def _table():
    return compute_kpis({"org_units": ORG_UNITS, "approvals": APPROVALS}, Config())


def test_fiscal_year_rate():
    t = _table()
    # A: (80 + 90) / (100 + 100) = 85 %   (March 2025 belongs to FY2024)
    a = get(t, "e_approval_rate", "A", "FY2024")
    assert (a["numerator"], a["denominator"], a["value"], a["n"]) == pytest.approx((170.0, 200.0, 85.0, 200))
    # ORG: (170 + 30 + 0) / (200 + 100 + 2) = 200 / 302
    assert get(t, "e_approval_rate", "ORG", "FY2024")["value"] == pytest.approx(200 / 302 * 100)


def test_month_rate_and_small_counts():
    t = _table()
    assert get(t, "e_approval_rate_month", "E", "2024-04")["value"] == pytest.approx(30.0)
    # E in May 2024: 0 of 2 approvals → n = 2 approvals < 3 → suppressed (n counts approvals)
    may = get(t, "e_approval_rate_month", "E", "2024-05")
    assert may["suppressed"] is True and may["value"] is None and may["n"] is None
    assert get(t, "e_approval_rate_month", "A", "2024-04")["period_type"] == "month"
