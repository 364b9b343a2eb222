"""Overtime KPIs against numbers worked out by hand (fixtures in kpi_fixtures.py)."""

from __future__ import annotations

import pytest
from kpi_fixtures import ORG_UNITS, get, months, overtime, staff_months

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis

CFG = Config(min_group_hr=1)  # these tests check arithmetic on tiny groups; suppression is tested elsewhere


def _table(rows, **kw):
    return compute_kpis({"org_units": ORG_UNITS, "overtime": overtime(rows)}, CFG, **kw)


def test_october_joiner_counts_six_twelfths():
    # s1: 12 months × 10 h in A = 120 h, counts 12/12
    # s2: joins in October: 6 months (Oct–Mar) × 20 h = 120 h, counts 6/12
    # hours = 240; staff = 1 + 0.5 = 1.5; per staff = 240 / 1.5 = 160 h
    rows = staff_months("s1", "A", months(2024), 10) + staff_months("s2", "A", months(2024, 10, 6), 20)
    r = get(_table(rows), "overtime_hours_per_staff", "A", "FY2024")
    assert r["numerator"] == pytest.approx(240.0)
    assert r["denominator"] == pytest.approx(1.5)
    assert r["value"] == pytest.approx(160.0)
    assert r["n"] == 2
    assert r["unit"] == "h" and r["period_type"] == "fiscal_year" and r["year"] == 2024


def test_zero_hour_rows_count_in_the_denominator():
    # s1: 12 rows of 0 h, s2: 12 rows of 24 h → 288 h / 2 staff = 144 h
    rows = staff_months("s1", "A", months(2024), 0) + staff_months("s2", "A", months(2024), 24)
    assert get(_table(rows), "overtime_hours_per_staff", "A", "FY2024")["value"] == pytest.approx(144.0)


def test_mover_counts_in_each_division_for_its_months_and_once_for_the_organisation():
    # s1 moves from A (D1) to E (D2) in October: Apr–Sep 10 h in A, Oct–Mar 30 h in E.
    # A: 60 h / (6/12) = 120 h;  E: 180 h / (6/12) = 360 h
    # ORG: 240 h / (6/12 + 6/12 = 1) = 240 h; n = 1 person
    rows = staff_months("s1", "A", months(2024, 4, 6), 10) + staff_months("s1", "E", months(2024, 10, 6), 30)
    t = _table(rows)
    a, e, org = (get(t, "overtime_hours_per_staff", u, "FY2024") for u in ("A", "E", "ORG"))
    assert (a["numerator"], a["denominator"], a["value"]) == pytest.approx((60.0, 0.5, 120.0))
    assert (e["numerator"], e["denominator"], e["value"]) == pytest.approx((180.0, 0.5, 360.0))
    assert (org["numerator"], org["denominator"], org["value"]) == pytest.approx((240.0, 1.0, 240.0))
    assert org["n"] == 1
    # departments: D1 holds A's half, D2 holds E's half
    assert get(t, "overtime_hours_per_staff", "D1", "FY2024")["denominator"] == pytest.approx(0.5)
    assert get(t, "overtime_hours_per_staff", "D2", "FY2024")["numerator"] == pytest.approx(180.0)


def test_monthly_hours_per_staff():
    # April 2024 in A: s1 10 h, s2 20 h, s3 33 h → 63 / 3 = 21 h
    rows = [("s1", months(2024)[0], "A", 10.0), ("s2", months(2024)[0], "A", 20.0),
            ("s3", months(2024)[0], "A", 33.0), ("s1", months(2024)[1], "A", 5.0)]
    t = _table(rows)
    r = get(t, "overtime_hours_per_staff_month", "A", "2024-04")
    assert (r["numerator"], r["denominator"], r["value"]) == pytest.approx((63.0, 3.0, 21.0))
    assert r["period_type"] == "month" and r["year"] == 2024
    # May: only s1 with 5 h → 5 / 1
    assert get(t, "overtime_hours_per_staff_month", "A", "2024-05")["value"] == pytest.approx(5.0)


def test_month_in_january_belongs_to_the_previous_fiscal_year():
    # January 2025 is in FY2024: period label stays the calendar month, year = FY
    rows = staff_months("s1", "A", months(2024, 1, 1), 7)
    r = get(_table(rows), "overtime_hours_per_staff_month", "A", "2025-01")
    assert r["year"] == 2024


def _caps_fixture():
    fy = months(2024)  # Apr 2024 … Mar 2025
    rows = []
    # r80: Jun 85 h, Jul 76 h, other months 0: 2-month avg (85 + 76) / 2 = 80.5 > 80 → flagged;
    #      no month ≥ 100, year 161 h ≤ 360. (Any month > 45 flags the 45 h rule, 85 > 45 necessarily.)
    rows += staff_months("r80", "A", fy, [0, 0, 85, 76, 0, 0, 0, 0, 0, 0, 0, 0])
    # gap: same 85 h and 76 h but with a 0-h month between (Jun, Aug): windows (85+0)/2 = 42.5,
    #      (85+0+76)/3 = 53.7 → NOT flagged: months must be consecutive.
    rows += staff_months("gap", "A", fy, [0, 0, 85, 0, 76, 0, 0, 0, 0, 0, 0, 0])
    # gap2: Jun 85 h, no row for Jul at all, Aug 76 h → a missing month is 0 h, not skipped: not flagged.
    rows += staff_months("gap2", "A", [fy[2], fy[4]], [85, 76])
    # one: a single 95 h month (window of 1 does not count; (95+0)/2 = 47.5) → not flagged by 80 h avg
    rows += staff_months("one", "A", fy, [95] + [0] * 11)
    # m100: one month exactly 100 h → flagged by "100 h or more"
    rows += staff_months("m100", "A", fy, [100] + [0] * 11)
    # s7: 7 months × 46 h = 322 h → >45 h in more than 6 months; year 322 ≤ 360
    rows += staff_months("s7", "A", fy, [46] * 7 + [0] * 5)
    # s6: 6 months × 46 h + 6 months × 20 h = 276 + 120 = 396 h → not 7+ months, but > 360 h
    rows += staff_months("s6", "A", fy, [46] * 6 + [20] * 6)
    # big: 12 × 61 h = 732 h > 720 (and > 360, > 45 every month, 2-month avg 61 ≤ 80)
    rows += staff_months("big", "A", fy, 61)
    return rows


@pytest.mark.parametrize(("kpi", "flagged"), [
    # 45 h in a month: r80 (85), gap (85), gap2 (85), one (95), m100 (100), s7 (46), s6 (46), big (61) = 8
    ("overtime_over_45h_month_staff", 8),
    # ≥100 h in a month: m100 only
    ("overtime_over_100h_month_staff", 1),
    # >360 h in the year: s6 (396), big (732)
    ("overtime_over_360h_year_staff", 2),
    # >720 h: big
    ("overtime_over_720h_year_staff", 1),
    # 2–6-month average > 80: r80 only
    ("overtime_over_80h_avg_staff", 1),
    # >45 h in more than 6 months: s7 (7 months), big (12 months)
    ("overtime_over_45h_7plus_months_staff", 2),
])
def test_cap_family_counts_and_shares(kpi, flagged):
    r = get(_table(_caps_fixture()), kpi, "A", "FY2024")
    staff = 8  # with rows: r80, gap, gap2, one, m100, s7, s6, big
    assert r["denominator"] == staff and r["n"] == staff
    assert r["numerator"] == flagged
    assert r["value"] == pytest.approx(flagged / staff * 100)
    assert r["unit"] == "%"


def test_80h_average_alternating_months():
    # m6: 79, 82, 79, 82, 79, 82 → 2-month avgs 80.5 > 80 → flagged although no month > 82.
    # flat: 80 h every month → avg exactly 80, not over → not flagged.
    fy = months(2024)
    rows = staff_months("m6", "A", fy[:6], [79, 82, 79, 82, 79, 82]) + staff_months("flat", "A", fy, 80)
    r = get(_table(rows), "overtime_over_80h_avg_staff", "A", "FY2024")
    assert r["numerator"] == 1 and r["denominator"] == 2


def test_80h_average_does_not_span_fiscal_years():
    # March 2025 (FY2024) 85 h and April 2025 (FY2025) 85 h: consecutive calendar months but in
    # different FYs; the rule is counted within the FY, so neither FY flags it.
    rows = [("s1", months(2024)[-1], "A", 85.0), ("s1", months(2025)[0], "A", 85.0)]
    t = _table(rows)
    assert get(t, "overtime_over_80h_avg_staff", "A", "FY2024")["numerator"] == 0
    assert get(t, "overtime_over_80h_avg_staff", "A", "FY2025")["numerator"] == 0


def test_staff_fy_is_attributed_to_the_division_with_most_months_ties_to_latest():
    fy = months(2024)
    # p: 4 months in A (50 h each), 8 months in E (50 h) → attributed to E; annual 600 h > 360
    rows = staff_months("p", "A", fy[:4], 50) + staff_months("p", "E", fy[4:], 50)
    # q: 6 months in E then 6 months in A (tie) → latest month is in A → attributed to A; 12 × 40 = 480 h
    rows += staff_months("q", "E", fy[:6], 40) + staff_months("q", "A", fy[6:], 40)
    t = _table(rows)
    e = get(t, "overtime_over_360h_year_staff", "E", "FY2024")
    a = get(t, "overtime_over_360h_year_staff", "A", "FY2024")
    assert (e["numerator"], e["denominator"]) == (1, 1)  # p only
    assert (a["numerator"], a["denominator"]) == (1, 1)  # q only
    org = get(t, "overtime_over_360h_year_staff", "ORG", "FY2024")
    assert (org["numerator"], org["denominator"]) == (2, 2)  # each person once


def test_top10_share_is_computed_per_group():
    fy = months(2024)
    # 10 staff in A with annual totals 12 × (1..10) h = 12, 24, …, 120 → total 12 × 55 = 660 h
    # top 10% of 10 = 1 person = 120 h → 120 / 660 = 18.18 %
    rows = [r for i in range(1, 11) for r in staff_months(f"a{i}", "A", fy, i)]
    # E: 3 staff with 100, 200, 700 h (one month each): top ceil(0.3) = 1 → 700 / 1000 = 70 %
    rows += [("e1", fy[0], "E", 100.0), ("e2", fy[0], "E", 200.0), ("e3", fy[0], "E", 700.0)]
    t = _table(rows)
    assert get(t, "overtime_top10_share", "A", "FY2024")["value"] == pytest.approx(120 / 660 * 100)
    assert get(t, "overtime_top10_share", "E", "FY2024")["value"] == pytest.approx(70.0)
    # ORG: 13 staff → top ceil(1.3) = 2 → 700 + 200 = 900 h of 1660 h
    org = get(t, "overtime_top10_share", "ORG", "FY2024")
    assert (org["numerator"], org["denominator"]) == pytest.approx((900.0, 1660.0))
