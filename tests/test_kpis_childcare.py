"""Childcare-leave rates (national survey definition)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis


def _cc(rows):
    return pl.DataFrame(rows, schema={"staff_id": pl.String, "unit_code": pl.String, "gender": pl.String,
                                      "birth_date": pl.Date, "leave_start": pl.Date,
                                      "leave_days": pl.Float64}, orient="row")


D = dt.date
ROWS = [
    # m1: child born FY2023 (Feb 2024), leave started FY2024 (May 2024)
    ("m1", "A", "male", D(2024, 2, 10), D(2024, 5, 1), 30.0),
    # m2, m3: children born FY2024 and leave started FY2024
    ("m2", "A", "male", D(2024, 6, 1), D(2024, 7, 1), 14.0),
    ("m3", "A", "male", D(2024, 9, 1), D(2024, 9, 15), 60.0),
    # f1: born FY2024, leave FY2024; f2: born FY2024, no leave
    ("f1", "A", "female", D(2024, 8, 1), D(2024, 9, 26), 365.0),
    ("f2", "A", "female", D(2024, 11, 1), None, None),
]


def test_male_rate_of_150_percent_is_kept():
    # FY2024 men with leave starting in the FY: m1, m2, m3 = 3
    # FY2024 men with a child born in the FY: m2, m3 = 2  → 3 / 2 = 150 % (not capped)
    # n = distinct men in either population = 3 → not suppressed at the default min_group_hr = 3
    t = compute_kpis({"org_units": ORG_UNITS, "childcare": _cc(ROWS)}, Config())
    r = get(t, "male_childcare_leave_rate", "A", "FY2024")
    assert (r["numerator"], r["denominator"], r["n"], r["suppressed"]) == (3.0, 2.0, 3, False)
    assert r["value"] == pytest.approx(150.0)
    # FY2023: m1's birth only, no leave started → 0 / 1, n = 1: the organisation's figure is
    # statutory and shown (n shown with it); its division is hidden
    org = get(t, "male_childcare_leave_rate", "ORG", "FY2023")
    assert (org["numerator"], org["denominator"], org["n"], org["suppressed"]) == (0.0, 1.0, 1, False)
    assert get(t, "male_childcare_leave_rate", "A", "FY2023")["suppressed"] is True
    hidden = compute_kpis({"org_units": ORG_UNITS, "childcare": _cc(ROWS)},
                          Config(publish_small_organisation=False))
    assert get(hidden, "male_childcare_leave_rate", "ORG", "FY2023")["suppressed"] is True


def test_female_rate():
    # women born FY2024: f1, f2 = 2; leave started FY2024: f1 = 1 → 50 %
    t = compute_kpis({"org_units": ORG_UNITS, "childcare": _cc(ROWS)}, Config(min_group_hr=1))
    r = get(t, "female_childcare_leave_rate", "ORG", "FY2024")
    assert (r["numerator"], r["denominator"], r["value"]) == pytest.approx((1.0, 2.0, 50.0))


def test_two_births_in_one_fy_count_one_man():
    # m4 has twins recorded as two rows, one leave: 1 man with a birth, 1 man with leave → 100 %
    rows = [("m4", "E", "male", D(2024, 5, 1), D(2024, 5, 2), 10.0),
            ("m4", "E", "male", D(2024, 5, 1) + dt.timedelta(days=1), D(2024, 5, 2), 10.0)]
    t = compute_kpis({"org_units": ORG_UNITS, "childcare": _cc(rows)}, Config(min_group_hr=1))
    r = get(t, "male_childcare_leave_rate", "E", "FY2024")
    assert (r["numerator"], r["denominator"], r["value"]) == pytest.approx((1.0, 1.0, 100.0))


def test_leave_starting_after_its_unit_was_merged_counts_in_the_successor():
    # B (財政課) ended FY2023 and was merged into C (from FY2024). b1's child was born in FY2023
    # in B; the leave started in FY2024, when B no longer existed: it counts in C (it stopped the
    # KPIs with UnknownUnitError before). The birth stays in B (FY2023) as it was.
    rows = [("b1", "B", "male", D(2023, 12, 1), D(2024, 5, 1), 20.0),
            ("c1", "C", "male", D(2024, 6, 1), D(2024, 6, 2), 10.0)]
    for view in ("restated", "as_was"):
        t = compute_kpis({"org_units": ORG_UNITS, "childcare": _cc(rows)}, Config(min_group_hr=1), view=view)
        r = get(t, "male_childcare_leave_rate", "C", "FY2024")
        assert (r["numerator"], r["denominator"]) == (2.0, 1.0)
        born = get(t, "male_childcare_leave_rate", "B" if view == "as_was" else "C", "FY2023")
        assert (born["numerator"], born["denominator"]) == (0.0, 1.0)
    # a unit that never existed still stops the KPIs
    with pytest.raises(Exception, match="QQ"):
        compute_kpis({"org_units": ORG_UNITS, "childcare": _cc([("q1", "QQ", "male", D(2024, 6, 1),
                                                                  D(2024, 7, 1), 5.0)])}, Config())
