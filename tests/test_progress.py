"""The progress table against hand-computed trajectories, gaps, paces and ratings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from hrmetrics.config import Config
from hrmetrics.plans import load_plan, plan_from_dict
from hrmetrics.progress import (
    PROGRESS_COLUMNS,
    compute_progress,
    projection_frame,
    rating_counts,
    suggested_rating,
    trajectory_value,
)

CONTRACT = [  # docs/architecture.md, "The progress table"
    "kpi", "breakdown", "level", "unit_code", "unit_name", "period", "year", "actual", "baseline",
    "baseline_year", "target", "target_year", "comparator", "trajectory", "gap", "pace_needed",
    "pace_so_far", "achieved", "rating", "rating_source", "tolerance", "projection", "pi80_low",
    "pi80_high", "pi95_low", "pi95_high", "probability", "year_reached", "trend_note",
]


def kpi_rows(kpi: str, values: dict[int, float | None], unit: str = "ORG", level: str = "organisation",
             breakdown: str | None = None, period_fmt: str = "FY{}", view: str = "restated") -> list[dict]:
    """Rows in the long KPI table's shape (None = suppressed)."""
    return [
        {"kpi": kpi, "breakdown": breakdown, "level": level, "unit_code": unit, "unit_name": f"{unit}名",
         "parent_code": None, "period": period_fmt.format(y), "period_type": "fiscal_year", "year": y,
         "value": v, "numerator": None, "denominator": None, "n": None, "suppressed": v is None,
         "unit": "h", "view": view}
        for y, v in values.items()
    ]


def table(*row_lists: list[dict]) -> pl.DataFrame:
    schema = {"kpi": pl.String, "breakdown": pl.String, "level": pl.String, "unit_code": pl.String,
              "unit_name": pl.String, "parent_code": pl.String, "period": pl.String, "period_type": pl.String,
              "year": pl.Int64, "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64,
              "n": pl.Int64, "suppressed": pl.Boolean, "unit": pl.String, "view": pl.String}
    return pl.DataFrame([r for rows in row_lists for r in rows], schema=schema)


def plan(*targets: dict) -> object:
    return plan_from_dict({"plan": {"name": "t", "organisation": "t市", "source_document": "t"},
                           "targets": list(targets)}, file="t.toml")


OVERTIME = {"kpi": "overtime_hours_per_staff", "baseline": 193, "baseline_period": "FY2022", "target": 120,
            "target_period": "FY2033", "comparator": "<=", "source": "大綱 基本方針Ⅱ"}


def row(progress: pl.DataFrame, year: int, unit: str = "ORG") -> dict:
    hit = progress.filter((pl.col("year") == year) & (pl.col("unit_code") == unit))
    assert hit.height == 1
    return hit.row(0, named=True)


# --------------------------------------------------------------------------- pure arithmetic


def test_trajectory_value_piecewise() -> None:
    knots = [(2021, 62.3), (2022, 80.0), (2024, 90.0)]
    assert trajectory_value(knots, 2021) == pytest.approx(62.3)
    assert trajectory_value(knots, 2022) == pytest.approx(80.0)
    assert trajectory_value(knots, 2023) == pytest.approx(85.0)
    assert trajectory_value(knots, 2026) == pytest.approx(90.0)  # past the target: hold the target


def test_suggested_rating_direction() -> None:
    assert suggested_rating(gap=5.27, tolerance=3.65, comparator="<=") == "B"  # above a ceiling path
    assert suggested_rating(gap=-5.27, tolerance=3.65, comparator="<=") == "S"
    assert suggested_rating(gap=-5.27, tolerance=3.65, comparator=">=") == "B"
    assert suggested_rating(gap=1.0, tolerance=3.65, comparator=">=") == "A"


# --------------------------------------------------------------------------- hand-computed rows


def test_nishitokyo_overtime_behind_is_b() -> None:
    """193 h FY2022 → 120 h FY2033: slope −73/11 = −6.636…/yr; FY2024 path 179.727…; actual 185 ⇒ B."""
    kpis = table(kpi_rows("overtime_hours_per_staff", {2022: 193.0, 2023: 190.0, 2024: 185.0}))
    progress = compute_progress(kpis, plan(OVERTIME))
    r = row(progress, 2024)
    slope = (120 - 193) / 11
    assert slope == pytest.approx(-6.636363636)
    assert r["trajectory"] == pytest.approx(193 + 2 * slope) == pytest.approx(179.7272727)
    assert r["gap"] == pytest.approx(185 - 179.7272727)
    assert r["tolerance"] == pytest.approx(0.05 * 73) == pytest.approx(3.65)
    assert r["pace_needed"] == pytest.approx((120 - 185) / 9)
    assert r["pace_so_far"] == pytest.approx((185 - 193) / 2)
    assert (r["rating"], r["rating_source"], r["achieved"]) == ("B", "suggested", False)
    assert (r["baseline"], r["baseline_year"], r["target"], r["target_year"]) == (193, 2022, 120, 2033)
    # FY2023: path 186.36, actual 190 ⇒ 3.64 behind, inside 3.65 ⇒ A
    r23 = row(progress, 2023)
    assert r23["trajectory"] == pytest.approx(186.3636364)
    assert r23["rating"] == "A"
    # baseline year: no pace so far yet
    assert row(progress, 2022)["pace_so_far"] is None


def test_ahead_on_a_higher_is_better_kpi_is_s() -> None:
    sat = {"kpi": "staff_satisfaction_rate", "baseline": 49.0, "baseline_period": "FY2022", "target": 60,
           "target_period": "FY2033", "comparator": ">=", "source": "x"}
    kpis = table(kpi_rows("staff_satisfaction_rate", {2024: 55.0}))
    r = row(compute_progress(kpis, plan(sat)), 2024)
    assert r["trajectory"] == pytest.approx(51.0)
    assert r["tolerance"] == pytest.approx(0.55)
    assert (r["rating"], r["achieved"]) == ("S", False)


def test_target_already_achieved() -> None:
    kpis = table(kpi_rows("overtime_hours_per_staff", {2024: 118.0}))
    r = row(compute_progress(kpis, plan(OVERTIME)), 2024)
    assert r["achieved"] is True and r["rating"] == "S"
    assert r["pace_needed"] == pytest.approx((120 - 118) / 9)


def test_tolerance_follows_config() -> None:
    kpis = table(kpi_rows("overtime_hours_per_staff", {2024: 185.0}))
    r = row(compute_progress(kpis, plan(OVERTIME), Config(rating_tolerance=0.10)), 2024)
    assert r["tolerance"] == pytest.approx(7.3) and r["rating"] == "A"


def test_interim_targets_make_the_path_piecewise() -> None:
    ea = {"kpi": "e_approval_rate", "baseline": 62.3, "baseline_period": "2021-04-01", "target": 90,
          "target_period": "FY2024", "comparator": ">=", "source": "⑫",
          "interim": [{"period": "FY2022", "value": 80}]}
    kpis = table(kpi_rows("e_approval_rate", {2021: 72.8, 2022: 73.7, 2023: 86.0}))
    progress = compute_progress(kpis, plan(ea))
    r22, r23 = row(progress, 2022), row(progress, 2023)
    assert r22["trajectory"] == pytest.approx(80.0) and r23["trajectory"] == pytest.approx(85.0)
    tol = 0.05 * (90 - 62.3)
    assert r22["tolerance"] == pytest.approx(tol)
    assert r22["gap"] == pytest.approx(-6.3) and r22["rating"] == "B"
    assert r23["gap"] == pytest.approx(1.0) and r23["rating"] == "A"  # 1.0 < 1.385
    assert r23["pace_needed"] == pytest.approx((90 - 86) / 1)


def test_past_the_target_year_the_path_is_the_target() -> None:
    short = {**OVERTIME, "target_period": "FY2024"}
    kpis = table(kpi_rows("overtime_hours_per_staff", {2025: 125.0}))
    r = row(compute_progress(kpis, plan(short)), 2025)
    assert r["trajectory"] == 120 and r["pace_needed"] is None and r["rating"] == "B"


def test_override_wins_and_says_so() -> None:
    target = {**OVERTIME, "override": [{"period": "FY2024", "rating": "A", "reason": "業務移管の影響を考慮"}]}
    kpis = table(kpi_rows("overtime_hours_per_staff", {2023: 190.0, 2024: 185.0}))
    progress = compute_progress(kpis, plan(target))
    r = row(progress, 2024)
    assert (r["rating"], r["rating_source"]) == ("A", "override")
    assert "業務移管の影響を考慮" in r["note"]
    assert row(progress, 2023)["rating_source"] == "suggested"


def test_kodaira_preset_override_on_e_approval() -> None:
    kpis = table(kpi_rows("e_approval_rate", {2022: 73.7, 2023: 80.0}))
    progress = compute_progress(kpis, load_plan("kodaira"))
    r = progress.filter((pl.col("kpi") == "e_approval_rate") & (pl.col("year") == 2022)).row(0, named=True)
    assert (r["rating"], r["rating_source"]) == ("B", "override")
    assert r["trajectory"] == pytest.approx(80.0)


def test_suppressed_value_gives_a_row_with_no_number() -> None:
    rows = kpi_rows("overtime_hours_per_staff", {2023: 190.0, 2024: None})
    # even if an upstream bug left a number in a suppressed cell, it must not come through
    rows.append({**rows[0], "unit_code": "D01", "level": "division", "value": 42.0, "suppressed": True})
    target = {**OVERTIME, "apply_to_divisions": True}
    progress = compute_progress(table(rows), plan(target))
    for r in (row(progress, 2024), row(progress, 2023, "D01")):
        assert r["actual"] is None and r["gap"] is None and r["rating"] is None
        assert r["achieved"] is None and r["pace_needed"] is None
        assert r["note"] == "少人数のため秘匿（実績値は表示しません）"
    assert 42.0 not in progress.select(pl.selectors.numeric()).to_numpy()


def test_two_points_no_projection_with_note() -> None:
    kpis = table(kpi_rows("overtime_hours_per_staff", {2023: 190.0, 2024: 185.0}))
    progress = compute_progress(kpis, plan({**OVERTIME, "baseline_period": "FY2023"}))
    latest = row(progress, 2024)
    assert latest["projection"] is None and latest["probability"] is None
    assert latest["trend_note"] == "データ点が3点未満のため推計しません"
    en = compute_progress(kpis, plan({**OVERTIME, "baseline_period": "FY2023"}), Config(lang="en"))
    assert row(en, 2024)["trend_note"] == "Fewer than 3 data points: no projection"


def _ols(years: list[int], values: list[float], x0: int) -> tuple[float, float, int, float, float]:
    x, y = np.asarray(years, float), np.asarray(values, float)
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = len(x) - 2
    v = np.array([1.0, x0])
    se = math.sqrt(float(resid @ resid) / df * (1 + v @ np.linalg.inv(X.T @ X) @ v))
    return float(v @ beta), se, df, float(beta[0]), float(beta[1])


def test_projection_only_on_latest_row_and_matches_numpy() -> None:
    values = {2020: 205.0, 2021: 200.0, 2022: 193.0, 2023: 190.0, 2024: 182.0}
    progress = compute_progress(table(kpi_rows("overtime_hours_per_staff", values)), plan(OVERTIME),
                                Config(projection_from="all"))
    assert progress["year"].to_list() == [2022, 2023, 2024]  # progress from the baseline on
    assert progress.filter(pl.col("year") < 2024)["projection"].is_null().all()
    r = row(progress, 2024)
    fit, se, df, a, b = _ols(list(values), list(values.values()), 2033)  # from = "all": history counts
    assert (r["fit_window"], r["fit_from"], r["fit_to"]) == ("all", 2020, 2024)
    assert r["projection"] == pytest.approx(fit, rel=1e-9)
    q80, q95 = stats.t.ppf(0.9, df), stats.t.ppf(0.975, df)
    assert (r["pi80_low"], r["pi80_high"]) == pytest.approx((fit - q80 * se, fit + q80 * se), rel=1e-9)
    assert (r["pi95_low"], r["pi95_high"]) == pytest.approx((fit - q95 * se, fit + q95 * se), rel=1e-9)
    assert r["probability"] == pytest.approx(stats.t.cdf((120 - fit) / se, df), rel=1e-9)
    assert r["year_reached"] == math.ceil((120 - a) / b)


def test_plan_published_values_fill_missing_years_of_the_trend() -> None:
    """Kodaira: 157 h (FY2020, baseline) and 156 h (FY2021, published) plus loaded FY2022–23."""
    kpis = table(kpi_rows("overtime_hours_per_staff", {2022: 150.0, 2023: 146.0}))
    progress = compute_progress(kpis, load_plan("kodaira"))
    hit = progress.filter((pl.col("kpi") == "overtime_hours_per_staff") & (pl.col("year") == 2023))
    r = hit.row(0, named=True)
    fit, se, df, *_ = _ols([2020, 2021, 2022, 2023], [157.0, 156.0, 150.0, 146.0], 2025)
    assert r["projection"] == pytest.approx(fit, rel=1e-9)
    assert r["probability"] == pytest.approx(stats.t.cdf((139 - fit) / se, df), rel=1e-9)


def test_divisions_against_the_organisation_target() -> None:
    kpis = table(
        kpi_rows("overtime_hours_per_staff", {2023: 186.0, 2024: 180.0}),
        kpi_rows("overtime_hours_per_staff", {2022: 230.0, 2023: 220.0, 2024: 210.0},
                 unit="D01", level="division"),
        kpi_rows("overtime_hours_per_staff", {2024: 100.0}, unit="B01", level="department"),
    )
    without = compute_progress(kpis, plan(OVERTIME))
    assert set(without["unit_code"]) == {"ORG"}
    progress = compute_progress(kpis, plan({**OVERTIME, "apply_to_divisions": True}))
    assert set(progress["unit_code"]) == {"ORG", "D01"}  # departments are not divisions
    d = row(progress, 2024, "D01")
    assert d["trajectory"] == pytest.approx(179.7272727) and d["rating"] == "B"
    assert d["level"] == "division" and d["unit_name"] == "D01名"
    fit, *_ = _ols([2022, 2023, 2024], [230.0, 220.0, 210.0], 2033)  # its own series, no plan points
    assert d["projection"] == pytest.approx(fit, rel=1e-9)
    # the organisation's series gets the plan baseline (193, FY2022) for the year the table lacks
    org_fit, *_ = _ols([2022, 2023, 2024], [193.0, 186.0, 180.0], 2033)
    assert row(progress, 2024)["projection"] == pytest.approx(org_fit, rel=1e-9)


def test_division_scoped_target() -> None:
    kpis = table(
        kpi_rows("overtime_hours_per_staff", {2024: 185.0}),
        kpi_rows("overtime_hours_per_staff", {2024: 250.0}, unit="D07", level="division"),
    )
    target = {**OVERTIME, "scope": "D07", "baseline": 260, "target": 200}
    progress = compute_progress(kpis, plan(target))
    assert progress["unit_code"].to_list() == ["D07"]
    r = row(progress, 2024, "D07")
    assert r["trajectory"] == pytest.approx(260 - 2 * 60 / 11)


def test_breakdown_and_view_matching() -> None:
    women = {"kpi": "female_share_grade_and_above", "breakdown": "unit_chief", "baseline": 27.9,
             "baseline_period": "2024-04-01", "target": 35.0, "target_period": "2030-04-01",
             "comparator": ">=", "source": "No.7"}
    kpis = table(
        kpi_rows("female_share_grade_and_above", {2025: 29.0}, breakdown="unit_chief"),
        kpi_rows("female_share_grade_and_above", {2025: 12.0}, breakdown="section_chief"),
        kpi_rows("female_share_grade_and_above", {2025: 99.0}, breakdown="unit_chief", view="as_was"),
    )
    progress = compute_progress(kpis, plan(women))
    assert progress.height == 1
    r = progress.row(0, named=True)
    assert r["actual"] == 29.0 and r["trajectory"] == pytest.approx(27.9 + (35.0 - 27.9) / 6)


def test_targets_without_a_number_make_no_rows() -> None:
    kpis = table(kpi_rows("overtime_hours_per_staff", {2024: 185.0}))
    progress = compute_progress(kpis, load_plan("musashino"))
    assert progress.is_empty() and progress.columns == PROGRESS_COLUMNS


def test_columns_follow_the_contract_and_reference_is_separate() -> None:
    kpis = table(kpi_rows("overtime_hours_per_staff", {2024: 125.0}))
    progress = compute_progress(kpis, plan(OVERTIME))
    assert progress.columns[: len(CONTRACT)] == CONTRACT
    r = row(progress, 2024)
    # 125 h beats the national municipal average 130.0 but the rating is against the plan's path
    assert r["reference_value"] == 130.0 and "全国参考値" in r["reference_label"]
    assert r["rating"] == "S" and r["achieved"] is False
    off = compute_progress(kpis, plan(OVERTIME), Config(national_reference=False))
    assert row(off, 2024)["reference_value"] is None


def test_rating_counts_like_kodaira_table() -> None:
    kpis = table(
        kpi_rows("overtime_hours_per_staff", {2023: 190.0, 2024: 185.0}),            # B at 2024
        kpi_rows("staff_satisfaction_rate", {2024: 55.0}),                         # S
        kpi_rows("annual_leave_days_per_staff", {2024: 15.0}, period_fmt="{}"),    # achieved, S
        kpi_rows("e_approval_rate", {2024: None}),                                 # suppressed
    )
    p = plan(
        OVERTIME,
        {"kpi": "staff_satisfaction_rate", "baseline": 49.0, "baseline_period": "FY2022", "target": 60,
         "target_period": "FY2033", "comparator": ">=", "source": "x"},
        {"kpi": "annual_leave_days_per_staff", "baseline": 12.6, "baseline_period": "FY2020", "target": 14,
         "target_period": "FY2025", "comparator": ">=", "source": "x"},
        {"kpi": "e_approval_rate", "baseline": 62.3, "baseline_period": "FY2021", "target": 90,
         "target_period": "FY2024", "comparator": ">=", "source": "x"},
    )
    counts = rating_counts(compute_progress(kpis, p))
    got = {r["group"]: (r["targets"], r["S"], r["A"], r["B"], r["achieved"], r["unrated"])
           for r in counts.iter_rows(named=True)}
    assert got == {
        "overtime": (1, 0, 0, 1, 0, 0),
        "leave": (1, 1, 0, 0, 1, 0),
        "approvals": (1, 0, 0, 0, 0, 1),
        "survey": (1, 1, 0, 0, 0, 0),
        "total": (4, 2, 0, 1, 1, 1),
    }
    assert counts["group_label"].to_list()[-1] == "計"
    assert counts["group"].to_list() == ["overtime", "leave", "approvals", "survey", "total"]


def test_demo_preset_runs_on_a_kpi_table(tmp_path: Path) -> None:
    kpis = table(kpi_rows("male_childcare_leave_rate", {2022: 38.1, 2023: 58.1, 2024: 78.1}))
    r = row(compute_progress(kpis, load_plan("demo")), 2024)
    # 38.1 → 85 over 3 years: path at FY2024 = 38.1 + 2 × 46.9/3 = 69.37; tolerance 0.05 × 46.9
    # = 2.345; 78.1 is ahead by 8.73 > 2.345 ⇒ S
    assert r["trajectory"] == pytest.approx(38.1 + 2 * 46.9 / 3)
    assert r["tolerance"] == pytest.approx(2.345) and r["rating"] == "S"
    assert r["year_reached"] == math.ceil(2022 + (85 - 38.1) / 20)  # perfect line: 2024.35 → 2025


def test_projection_frame_for_charts_agrees_with_the_table() -> None:
    values = {2020: 205.0, 2021: 200.0, 2022: 193.0, 2023: 190.0, 2024: 182.0}
    kpis = table(kpi_rows("overtime_hours_per_staff", values),
                 kpi_rows("overtime_hours_per_staff", {2023: 1.0, 2024: 2.0}, unit="D01", level="division"))
    frame = projection_frame(kpis, plan({**OVERTIME, "apply_to_divisions": True}),
                             Config(projection_from="all"))
    assert set(frame["unit_code"]) == {"ORG"}  # D01 has 2 points (no plan values for divisions): no line
    assert frame["year"].to_list() == list(range(2025, 2034))
    last = frame.filter(pl.col("year") == 2033).row(0, named=True)
    fit, se, df, *_ = _ols(list(values), list(values.values()), 2033)
    q95 = stats.t.ppf(0.975, df)
    assert last["fitted"] == pytest.approx(fit, rel=1e-9)
    assert (last["pi95_low"], last["pi95_high"]) == pytest.approx((fit - q95 * se, fit + q95 * se), rel=1e-9)
    row_2033 = row(compute_progress(kpis, plan(OVERTIME), Config(projection_from="all")), 2024)
    assert row_2033["projection"] == pytest.approx(last["fitted"], rel=1e-12)


def test_projections_stop_at_the_bounds_a_kpi_can_take() -> None:
    """A straight line through a rising share must not print 106.5% (e-approval can't exceed 100%),
    but men's childcare leave can (leaves started this FY for last FY's births), and hours can't go
    below zero."""
    from hrmetrics.progress import clip_to_range

    frame = pl.DataFrame({
        "kpi": ["e_approval_rate", "male_childcare_leave_rate", "overtime_hours_per_staff"],
        "projection": [106.5, 130.0, -5.0],
        "pi95_high": [112.0, 150.0, 20.0],
    })
    out = clip_to_range(frame, ["projection", "pi95_high"])
    assert out["projection"].to_list() == [100.0, 130.0, 0.0]
    assert out["pi95_high"].to_list() == [100.0, 150.0, 20.0]


# --------------------------------------------------------------------------- fit window (issue 14)

BENT = {2016: 230.0, 2017: 228.0, 2018: 226.0, 2019: 224.0, 2020: 222.0, 2021: 220.0,
        2022: 193.0, 2023: 180.0, 2024: 166.0}
"""Overtime flat for years, then falling fast once the plan starts (baseline FY2022)."""


def test_default_window_is_the_baseline_and_the_other_fit_is_reported() -> None:
    """Default `from = "baseline"` fits FY2022–24 only; the all-history fit is given alongside,
    and they disagree by more than the 80% interval (either projection outside the other's)."""
    kpis = table(kpi_rows("overtime_hours_per_staff", BENT))
    r = row(compute_progress(kpis, plan(OVERTIME)), 2024)
    base_fit, *_ = _ols([2022, 2023, 2024], [193.0, 180.0, 166.0], 2033)
    all_fit, all_se, all_df, *_ = _ols(list(BENT), list(BENT.values()), 2033)
    assert (r["fit_window"], r["fit_from"], r["fit_to"], r["fit_note"]) == ("baseline", 2022, 2024, None)
    assert r["projection"] == pytest.approx(max(base_fit, 0.0), rel=1e-9)
    assert (r["alt_window"], r["alt_from"]) == ("all", 2016)
    assert r["alt_projection"] == pytest.approx(all_fit, rel=1e-9)
    assert r["alt_probability"] == pytest.approx(stats.t.cdf((120 - all_fit) / all_se, all_df), rel=1e-9)
    q80 = stats.t.ppf(0.9, all_df)
    assert not (all_fit - q80 * all_se <= base_fit <= all_fit + q80 * all_se)
    assert r["fits_disagree"] is True
    # the same series with from = "FY2019": that year on, and the alternative is the baseline fit
    r19 = row(compute_progress(kpis, plan(OVERTIME), Config(projection_from="令和元年度")), 2024)
    assert (r19["fit_window"], r19["fit_from"], r19["alt_window"], r19["alt_from"]) == (
        "FY2019", 2019, "all", 2016)


def test_fits_that_agree_raise_no_warning_and_same_years_give_no_alternative() -> None:
    straight = {y: 230.0 - 6.0 * (y - 2016) + (0.5 if y % 2 else -0.5) for y in range(2016, 2025)}
    r = row(compute_progress(table(kpi_rows("overtime_hours_per_staff", straight)), plan(OVERTIME)), 2024)
    assert r["alt_window"] == "all" and r["fits_disagree"] is False
    only = {2022: 193.0, 2023: 185.0, 2024: 180.0}  # nothing before the baseline: one fit only
    r = row(compute_progress(table(kpi_rows("overtime_hours_per_staff", only)), plan(OVERTIME)), 2024)
    assert r["alt_window"] is None and r["alt_projection"] is None and r["fits_disagree"] is False


def test_baseline_window_with_too_few_points_falls_back_to_all_history_and_says_so() -> None:
    values = {2020: 205.0, 2021: 200.0, 2022: 193.0, 2023: 190.0}
    p = plan({**OVERTIME, "baseline_period": "FY2022"})
    r = row(compute_progress(table(kpi_rows("overtime_hours_per_staff", values)), p), 2023)
    fit, *_ = _ols(list(values), list(values.values()), 2033)
    assert (r["fit_window"], r["fit_from"]) == ("all", 2020)
    assert r["fit_note"] == "基準年度以降の値が3点未満のため、全期間の値で傾向を推計しています"
    assert r["projection"] == pytest.approx(fit, rel=1e-9)


def test_projection_past_a_share_limit_is_marked_as_reaching_it() -> None:
    """E-approval rising 8 points a year: the line passes 100% before the target year, so the
    row carries limit = 100 (the report says "reaches the limit", not 「100.0%〜100.0%」)."""
    rate = {2020: 60.0, 2021: 68.0, 2022: 76.5, 2023: 84.0, 2024: 92.0}
    rows_ = [dict(r, unit="%") for r in kpi_rows("e_approval_rate", rate)]
    target = {"kpi": "e_approval_rate", "baseline": 60, "baseline_period": "FY2020", "target": 90,
              "target_period": "FY2029", "comparator": ">=", "source": "s"}
    r = row(compute_progress(table(rows_), plan(target)), 2024)
    assert r["limit"] == 100.0 and r["projection"] == 100.0 and r["pi80_low"] == 100.0
    assert r["probability"] > 0.99  # computed before clipping
    flat = {2020: 60.0, 2021: 61.0, 2022: 60.5, 2023: 61.5, 2024: 61.0}
    r = row(compute_progress(table([dict(x, unit="%") for x in kpi_rows("e_approval_rate", flat)]),
                             plan(target)), 2024)
    assert r["limit"] is None


def test_projection_from_setting_is_read_and_checked(tmp_path: Path) -> None:
    from hrmetrics.config import load_config

    (tmp_path / "hrmetrics.toml").write_text('[projection]\nfrom = "all"\n', encoding="utf-8")
    assert load_config(tmp_path).projection_from == "all"
    (tmp_path / "hrmetrics.toml").write_text('[projection]\nfrom = "令和2年度"\n', encoding="utf-8")
    assert load_config(tmp_path).projection_from == "FY2020"
    (tmp_path / "hrmetrics.toml").write_text('[projection]\nfrom = "recent"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="recent"):
        load_config(tmp_path)
