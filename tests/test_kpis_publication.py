"""Statutory publication KPIs (女性活躍推進法 §21, 次世代法 §19), recomputed by hand on tiny frames.

Every expected number below is worked out in the comment next to it from the fixture rows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis
from tests.kpi_fixtures import ORG_UNITS, get, months, overtime, staff_months

D = dt.date
ONE = Config(min_group_hr=1)  # no small-group suppression: the numbers themselves are under test


def roster() -> pl.DataFrame:
    """FY2024 April-1 roster in 人事課 (A): 4 women, 5 men; hire dates for service years."""
    rows = [
        ("w1", "staff", "female", "permanent", D(2019, 4, 1)),   # 1827 days → 5.0021 y
        ("w2", "staff", "female", "permanent", D(2014, 4, 1)),   # 3653 days → 10.0014 y
        ("w3", "unit_chief", "female", "kaikei", D(2020, 4, 1)),  # not permanent: left out
        ("w4", "staff", "female", None, None),                    # no hire date: left out
        ("m1", "staff", "male", "permanent", D(2023, 4, 1)),      # 366 days → 1.0021 y
        ("m2", "unit_chief", "male", "permanent", D(2004, 4, 1)),  # 7305 days → 20.0 y
        ("m3", "section_chief", "male", "permanent", None),
        ("m4", "staff", "male", "reappointed", D(1990, 4, 1)),
        ("m5", "staff", "male", "permanent", D(2024, 4, 1)),      # 0 days → 0 y
    ]
    return pl.DataFrame(
        [(D(2024, 4, 1), sid, "A", g, gen, "regular", ec, hd) for sid, g, gen, ec, hd in rows],
        schema={"as_of": pl.Date, "staff_id": pl.String, "unit_code": pl.String, "grade": pl.String,
                "gender": pl.String, "employment_type": pl.String, "employment_class": pl.String,
                "hire_date": pl.Date}, orient="row")


def test_female_staff_share_and_mean_service_years() -> None:
    t = compute_kpis({"org_units": ORG_UNITS, "staff": roster()}, ONE)
    share = get(t, "female_staff_share", "ORG", "FY2024")
    assert (share["numerator"], share["denominator"]) == (4, 9)
    assert share["value"] == pytest.approx(400 / 9)
    # women: w1 (1827 d) and w2 (3653 d) → (1827 + 3653) / 365.25 / 2
    women = get(t, "mean_service_years", "ORG", "FY2024", "female")
    assert women["n"] == 2
    assert women["value"] == pytest.approx((1827 + 3653) / 365.25 / 2)
    # men: m1 366 d, m2 7305 d, m5 0 d (m3 no date, m4 reappointed) → 7671 / 365.25 / 3
    men = get(t, "mean_service_years", "ORG", "FY2024", "male")
    assert men["n"] == 3
    assert men["value"] == pytest.approx(7671 / 365.25 / 3)
    # organisation only
    assert t.filter((pl.col("kpi") == "mean_service_years") & (pl.col("level") != "organisation")).is_empty()


def test_separation_rate_counts_march_31_in_the_closing_fiscal_year() -> None:
    seps = pl.DataFrame({
        "staff_id": ["w1", "m1", "m2"],
        "separation_date": [D(2025, 3, 31), D(2024, 4, 1), D(2025, 4, 1)],  # FY2024, FY2024, FY2025
        "gender": ["female", "male", "male"], "reason": ["voluntary", "voluntary", "retirement"]})
    t = compute_kpis({"org_units": ORG_UNITS, "staff": roster(), "separations": seps}, ONE)
    women = get(t, "separation_rate", "ORG", "FY2024", "female")
    men = get(t, "separation_rate", "ORG", "FY2024", "male")
    assert (women["numerator"], women["denominator"], women["value"]) == (1, 4, 25.0)  # 1 of 4 women
    assert (men["numerator"], men["denominator"], men["value"]) == (1, 5, 20.0)        # 1 of 5 men
    assert get(t, "separation_rate_gap", "ORG", "FY2024")["value"] == pytest.approx(5.0)
    # the 2025-04-01 separation is FY2025's, where no April-1 roster exists: no rate (n = 0)
    assert t.filter((pl.col("kpi") == "separation_rate") & (pl.col("period") == "FY2025")).is_empty()


def test_female_hire_and_applicant_shares() -> None:
    hires = pl.DataFrame({
        "staff_id": ["h1", "h2", "h3", "h4"],
        "hire_date": [D(2024, 4, 1), D(2024, 10, 1), D(2025, 3, 31), D(2025, 4, 1)],
        "gender": ["female", "male", "female", "female"],
        "job_category": ["事務", "土木", "事務", "事務"],
        "route": ["new_graduate", "experienced", "experienced", "new_graduate"]})
    exams = pl.DataFrame({"year": [2024] * 4, "exam": ["一般事務", "一般事務", "土木", "土木"],
                          "gender": ["female", "male", "female", "male"], "applicants": [30, 50, 5, 15],
                          "passed": [3, 4, 1, 1]})
    t = compute_kpis({"org_units": ORG_UNITS, "hires": hires, "exam_applicants": exams}, ONE)
    all_hires = get(t, "female_hire_share", "ORG", "FY2024")        # h1, h2, h3: 2 women of 3
    assert (all_hires["numerator"], all_hires["denominator"]) == (2, 3)
    assert get(t, "female_hire_share", "ORG", "FY2024", "new_graduate")["value"] == 100.0  # h1
    assert get(t, "female_hire_share", "ORG", "FY2024", "experienced")["value"] == 50.0    # h2, h3
    assert get(t, "female_hire_share", "ORG", "FY2025")["numerator"] == 1                 # h4
    applicants = get(t, "female_applicant_share", "ORG", "FY2024")  # (30 + 5) / 100
    assert (applicants["numerator"], applicants["denominator"], applicants["value"]) == (35, 100, 35.0)
    assert get(t, "female_applicant_share", "ORG", "FY2024", "exam:一般事務")["value"] == 37.5  # 30 / 80


def childcare() -> pl.DataFrame:
    rows = [
        ("m1", "male", D(2024, 5, 10), D(2024, 6, 1), 5.0),      # FY2024 leave, < 1 week
        ("m2", "male", D(2024, 7, 1), D(2024, 7, 2), 10.0),      # 1–2 weeks
        ("m3", "male", D(2025, 3, 15), D(2025, 3, 20), 20.0),    # starts FY2024, runs into FY2025: 2w–1m
        ("m4", "male", D(2024, 12, 1), None, None),               # birth, no leave
        ("m5", "male", D(2023, 12, 1), D(2024, 4, 10), 100.0),   # FY2023 birth, FY2024 leave: 3–6 months
        ("f1", "female", D(2024, 6, 1), D(2024, 8, 1), 400.0),   # 1 year or more
    ]
    return pl.DataFrame([(s, "A", g, b, ls, d) for s, g, b, ls, d in rows],
                        schema={"staff_id": pl.String, "unit_code": pl.String, "gender": pl.String,
                                "birth_date": pl.Date, "leave_start": pl.Date, "leave_days": pl.Float64},
                        orient="row")


def test_male_childcare_1w_2w_shares_and_length_distribution() -> None:
    t = compute_kpis({"org_units": ORG_UNITS, "childcare": childcare()}, ONE)
    # births of men in FY2024: m1 m2 m3 m4 = 4; leaves started: m1 m2 m3 m5 = 4
    assert get(t, "male_childcare_leave_rate", "ORG", "FY2024")["value"] == 100.0
    w1 = get(t, "male_childcare_leave_1w_share", "ORG", "FY2024")   # ≥ 7 days: m2 m3 m5
    assert (w1["numerator"], w1["denominator"], w1["value"]) == (3, 4, 75.0)
    w2 = get(t, "male_childcare_leave_2w_share", "ORG", "FY2024")   # ≥ 14 days: m3 (spans FYs) m5
    assert (w2["numerator"], w2["denominator"], w2["value"]) == (2, 4, 50.0)
    assert get(t, "male_childcare_leave_2w_share", "D1", "FY2024")["value"] == 50.0  # departments too
    share = {b: get(t, "childcare_leave_length_share", "ORG", "FY2024", f"male|{b}")["value"]
             for b in ("lt_1w", "1w_2w", "2w_1m", "1m_3m", "3m_6m", "6m_1y", "1y_plus", "unknown")}
    assert share == {"lt_1w": 25.0, "1w_2w": 25.0, "2w_1m": 25.0, "1m_3m": 0.0, "3m_6m": 25.0,
                     "6m_1y": 0.0, "1y_plus": 0.0, "unknown": 0.0}
    assert get(t, "childcare_leave_length_share", "ORG", "FY2024", "female|1y_plus")["value"] == 100.0


def test_spouse_birth_leave_rate_uses_the_leave_year_of_the_birth_or_the_next() -> None:
    leave = pl.DataFrame({
        "staff_id": ["m1", "m3", "m4", "m2"], "year": [2024, 2025, 2026, 2025], "unit_code": ["A"] * 4,
        "leave_type": ["spouse_birth", "childcare_participation", "spouse_birth", "spouse_birth"],
        "days": [2.0, 3.0, 1.0, 0.0], "granted_days": [None] * 4})
    t = compute_kpis({"org_units": ORG_UNITS, "childcare": childcare(), "leave": leave}, ONE)
    # men with a FY2024 birth: m1 m2 m3 m4. m1: spouse leave in 2024 (birth year) ✓;
    # m3: participation leave in 2025, birth 2025-03-15 ✓; m4: 2026 is two years after 2024 ✗;
    # m2: 0 days ✗.
    assert get(t, "spouse_birth_leave_rate", "ORG", "FY2024", "spouse_birth")["value"] == 25.0
    assert get(t, "spouse_birth_leave_rate", "ORG", "FY2024", "childcare_participation")["value"] == 25.0
    either = get(t, "spouse_birth_leave_rate", "ORG", "FY2024", "either")
    assert (either["numerator"], either["denominator"]) == (2, 4)


def test_monthly_overtime_average_is_hours_over_staff_months() -> None:
    ot = overtime(staff_months("s1", "A", months(2024), 10.0)
                  + staff_months("s2", "A", months(2024, first=10, count=6), 20.0))
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, ONE)
    row = get(t, "monthly_overtime_avg", "ORG", "FY2024")   # (120 + 120) h / (12 + 6) staff-months
    assert (row["numerator"], row["denominator"]) == (240.0, 18.0)
    assert row["value"] == pytest.approx(240 / 18)


def pay() -> pl.DataFrame:
    """FY2024 pay: permanent W1–W3, M1–M3; other W4 (half-time kaikei), M4 (reappointed), M5 (kaikei)."""
    rows = [
        ("W1", "permanent", "staff", "female", D(2024, 4, 1), None, 3_000_000, None),   # year 1 → 01_05
        ("W2", "permanent", "staff", "female", D(2019, 4, 1), None, 4_000_000, None),   # year 6 → 06_10
        ("W3", "permanent", "unit_chief", "female", D(2020, 3, 31), None, 5_000_000, None),  # FY2019 → year 6
        ("M1", "permanent", "staff", "male", D(2020, 4, 1), None, 4_000_000, None),     # year 5 → 01_05
        ("M2", "permanent", "unit_chief", "male", D(2010, 4, 1), None, 6_000_000, None),  # year 15 → 11_15
        ("M3", "permanent", "section_chief", "male", None, 30, 8_000_000, None),         # given: 26_30
        ("W4", "kaikei", "staff", "female", None, None, 1_200_000, 19.375),               # half-time
        ("M4", "reappointed", "staff", "male", None, None, 3_000_000, 38.75),
        ("M5", "kaikei", "staff", "male", None, None, 2_000_000, None),                   # hours unknown: 1
        ("X1", "permanent", "staff", "other", None, 3, 9_000_000, None),                  # not compared
    ]
    return pl.DataFrame([(s, 2024, *r) for s, *r in rows],
                        schema={"staff_id": pl.String, "year": pl.Int64, "employment_class": pl.String,
                                "grade": pl.String, "gender": pl.String, "hire_date": pl.Date,
                                "service_years": pl.Int64, "annual_pay": pl.Float64,
                                "scheduled_hours": pl.Float64}, orient="row")


def raw(datasets: dict, config: Config = ONE) -> pl.DataFrame:
    """The organisation's rows as aggregated, before any suppression (the arithmetic alone)."""
    from hrmetrics.kpis.engine import aggregate_hr
    from hrmetrics.kpis.spec import Inputs
    from hrmetrics.orgs import OrgRegistry

    lazy = {k: v.lazy() for k, v in datasets.items()}
    inp = Inputs(datasets=lazy, config=config, registry=OrgRegistry.from_frame(datasets["org_units"]))
    return aggregate_hr(inp, None).filter(pl.col("level") == "organisation").with_columns(
        suppressed=pl.lit(False))


def test_gender_pay_ratio_by_class_grade_and_service_band() -> None:
    t = raw({"org_units": ORG_UNITS, "pay": pay()})

    def ratio(bd: str) -> float | None:
        return get(t, "gender_pay_ratio", "ORG", "FY2024", bd)["value"]

    # permanent: women (3 + 4 + 5) / 3 = 4.0 M, men (4 + 6 + 8) / 3 = 6.0 M
    assert ratio("permanent") == pytest.approx(400 / 6)
    perm = get(t, "gender_pay_ratio", "ORG", "FY2024", "permanent")
    assert (perm["numerator"], perm["denominator"], perm["n"]) == (4_000_000, 6_000_000, 6)
    assert ratio("other") == pytest.approx(1.2 / 2.5 * 100)                # 1.2 M ÷ (3 + 2) / 2
    assert ratio("all") == pytest.approx((13.2 / 4) / (23 / 5) * 100)    # 3.3 M ÷ 4.6 M
    assert ratio("permanent|staff") == pytest.approx(3.5 / 4 * 100)      # (3 + 4) / 2 ÷ 4
    assert ratio("permanent|unit_chief") == pytest.approx(5 / 6 * 100)
    # no woman among section chiefs: no women's mean, no ratio (and below any minimum)
    assert ratio("permanent|section_chief") is None
    # year of hire is year 1: W1 (hired 2024-04-01) and M1 (year 5) share the 1–5 band
    assert ratio("permanent|service_01_05") == pytest.approx(75.0)
    women = get(t, "pay_mean_female", "ORG", "FY2024", "permanent|staff")   # W1 and W2
    assert (women["numerator"], women["denominator"], women["n"]) == (7_000_000, 2, 2)
    # W2 (hired FY2019) and W3 (hired 2020-03-31, still FY2019) are in year 6
    w610 = get(t, "pay_mean_female", "ORG", "FY2024", "permanent|service_06_10")
    assert (w610["numerator"], w610["n"]) == (9_000_000, 2)
    assert get(t, "pay_mean_male", "ORG", "FY2024", "permanent|service_11_15")["n"] == 1   # M2, year 15
    assert get(t, "pay_mean_male", "ORG", "FY2024", "permanent|service_26_30")["n"] == 1   # M3, given 30
    full = compute_kpis({"org_units": ORG_UNITS, "pay": pay()}, ONE)
    assert full.filter(pl.col("kpi").is_in(["gender_pay_ratio", "pay_mean_female"])
                       & (pl.col("level") != "organisation")).is_empty()


def test_gender_pay_ratio_converts_short_hours_staff_when_configured() -> None:
    t = raw({"org_units": ORG_UNITS, "pay": pay()}, Config(min_group_hr=1, pay_basis="hours"))
    # W4 works 19.375 of 38.75 h: 0.5 FTE → 1.2 M / 0.5 = 2.4 M; men 5.0 M / 2 FTE = 2.5 M
    other = get(t, "gender_pay_ratio", "ORG", "FY2024", "other")
    assert (other["numerator"], other["denominator"]) == (2_400_000, 2_500_000)
    assert other["value"] == pytest.approx(96.0)
    women = get(t, "pay_mean_female", "ORG", "FY2024", "all")            # 13.2 M over 3.5 FTE
    assert (women["numerator"], women["denominator"], women["n"]) == (13_200_000, 3.5, 4)
    assert get(t, "gender_pay_ratio", "ORG", "FY2024", "permanent")["value"] == pytest.approx(400 / 6)


def test_pay_cells_with_few_women_or_men_are_hidden_even_for_the_organisation() -> None:
    t = compute_kpis({"org_units": ORG_UNITS, "pay": pay()}, Config(min_group_hr=3))
    # all: 4 women, 5 men: shown (permanent, 3 and 3, goes with `other`: see the next test)
    total = get(t, "gender_pay_ratio", "ORG", "FY2024", "all")
    assert not total["suppressed"] and total["value"] == pytest.approx((13.2 / 4) / (23 / 5) * 100)
    for bd in ("other", "permanent|staff", "permanent|unit_chief", "permanent|service_01_05"):
        for kpi in ("gender_pay_ratio", "pay_mean_female", "pay_mean_male"):
            rows = t.filter((pl.col("kpi") == kpi) & (pl.col("breakdown") == bd))
            assert rows["suppressed"].all(), (kpi, bd)
            assert rows["value"].is_null().all() and rows["numerator"].is_null().all()


def test_a_hidden_pay_cell_is_not_left_recoverable_by_subtraction() -> None:
    """`other` (1 woman) is hidden by the pay rule; `all` − `permanent` would give it back, so the
    audit must hide one of them too, and then no hidden pay total is pinned."""
    from hrmetrics.kpis.engine import compute_kpis_audited

    t, account = compute_kpis_audited({"org_units": ORG_UNITS, "pay": pay()}, Config(min_group_hr=3))
    shown = t.filter((pl.col("kpi") == "gender_pay_ratio") & ~pl.col("suppressed"))["breakdown"].to_list()
    assert "other" not in shown
    assert "all" in shown and "permanent" not in shown   # not both: their difference is `other`;
    # permanent (6 people) is cheaper to hide than all (9)
    pay_rows = account.results.filter(pl.col("family") == "gender_pay")
    assert pay_rows.height > 0 and pay_rows["status"].is_in(["protected", "empty"]).all()
