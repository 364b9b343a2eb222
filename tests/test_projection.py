"""OLS projection checked against an independent computation (numpy least squares + scipy t)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hrmetrics.projection import project, projection_table, trend_note_text, year_reached


def reference_fit(years: list[int], values: list[float], x0: float) -> dict[str, float]:
    """Textbook simple regression: ŷ(x0), se of a new observation, df — no statsmodels."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = len(x) - 2
    s2 = float(resid @ resid) / df
    v = np.array([1.0, x0])
    se = math.sqrt(s2 * (1.0 + v @ np.linalg.inv(X.T @ X) @ v))
    return {"intercept": float(beta[0]), "slope": float(beta[1]), "fit": float(v @ beta), "se": se, "df": df}


def interval(ref: dict[str, float], level: float) -> tuple[float, float]:
    q = stats.t.ppf(0.5 + level / 2, ref["df"])
    return ref["fit"] - q * ref["se"], ref["fit"] + q * ref["se"]


YEARS = [2019, 2020, 2021, 2022, 2023, 2024]
OVERTIME = [205.0, 199.0, 193.0, 190.0, 181.0, 178.0]


def _series(years: list[int], values: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"year": years, "value": values})


def test_projection_and_intervals_match_textbook_ols() -> None:
    p = project(_series(YEARS, OVERTIME), target_year=2033, target=120.0, comparator="<=")
    ref = reference_fit(YEARS, OVERTIME, 2033)
    assert p.n == 6 and p.trend_note is None
    assert p.slope == pytest.approx(ref["slope"], rel=1e-9)
    assert p.intercept == pytest.approx(ref["intercept"], rel=1e-9)
    assert p.projection == pytest.approx(ref["fit"], rel=1e-9)
    assert p.se_pred == pytest.approx(ref["se"], rel=1e-9)
    assert (p.pi80_low, p.pi80_high) == pytest.approx(interval(ref, 0.80), rel=1e-9)
    assert (p.pi95_low, p.pi95_high) == pytest.approx(interval(ref, 0.95), rel=1e-9)
    # 95% is wider than 80%, both around the point
    assert p.pi95_low < p.pi80_low < p.projection < p.pi80_high < p.pi95_high


def test_probability_of_meeting_a_ceiling() -> None:
    p = project(_series(YEARS, OVERTIME), 2033, 120.0, "<=")
    ref = reference_fit(YEARS, OVERTIME, 2033)
    expected = stats.t.cdf((120.0 - ref["fit"]) / ref["se"], ref["df"])
    assert p.probability == pytest.approx(expected, rel=1e-9)
    assert 0.0 < p.probability < 1.0


def test_probability_of_meeting_a_floor_is_the_upper_tail() -> None:
    years, values = [2020, 2021, 2022, 2023], [12.6, 13.7, 13.1, 14.0]
    p = project(_series(years, values), 2025, 14.0, ">=")
    ref = reference_fit(years, values, 2025)
    assert p.probability == pytest.approx(1 - stats.t.cdf((14.0 - ref["fit"]) / ref["se"], 2), rel=1e-9)


def test_year_reached_is_first_whole_year_on_the_line() -> None:
    p = project(_series(YEARS, OVERTIME), 2033, 120.0, "<=")
    ref = reference_fit(YEARS, OVERTIME, 2033)
    crossing = (120.0 - ref["intercept"]) / ref["slope"]
    assert p.year_reached == math.ceil(crossing)
    # the line at year_reached meets the target, the year before does not
    line = lambda yr: ref["intercept"] + ref["slope"] * yr  # noqa: E731
    assert line(p.year_reached) <= 120.0 < line(p.year_reached - 1)


def test_year_reached_hand_values() -> None:
    # spike example: line reaches 20 at 2032.67 -> 2033
    assert year_reached(0.715, 20 - 0.715 * 2032.67, 20.0, ">=") == (2033, None)
    # exactly on a whole year stays that year
    assert year_reached(-5.0, 200.0 + 5.0 * 2020, 150.0, "<=") == (2030, None)


def test_trend_moving_away_has_no_year() -> None:
    rising = [150.0, 155.0, 161.0, 166.0]
    p = project(_series([2021, 2022, 2023, 2024], rising), 2030, 120.0, "<=")
    assert p.year_reached is None and p.trend_note == "moves_away"
    assert p.note() == "傾向線は目標から遠ざかる方向です（この傾向では到達年を示せません）"
    assert p.probability is not None and p.probability < 0.05


def test_two_points_give_no_line_and_say_so() -> None:
    p = project(_series([2022, 2023], [193.0, 188.0]), 2033, 120.0, "<=")
    assert p.trend_note == "too_few_points"
    assert p.note("ja") == "データ点が3点未満のため推計しません"
    assert p.note("en") == "Fewer than 3 data points: no projection"
    assert p.projection is None and p.probability is None and p.year_reached is None
    assert p.table.is_empty()
    assert projection_table(_series([2022, 2023], [193.0, 188.0]), 2033).is_empty()


def test_null_values_do_not_count_as_points() -> None:
    p = project(pl.DataFrame({"year": [2021, 2022, 2023], "value": [190.0, None, 185.0]}), 2030, 120.0, "<=")
    assert p.n == 2 and p.trend_note == "too_few_points"


def test_projection_table_covers_future_years_to_target() -> None:
    table = projection_table(_series(YEARS, OVERTIME), 2030)
    assert table.columns == ["year", "fitted", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
    assert table["year"].to_list() == [2025, 2026, 2027, 2028, 2029, 2030]
    for row in table.iter_rows(named=True):
        ref = reference_fit(YEARS, OVERTIME, row["year"])
        assert row["fitted"] == pytest.approx(ref["fit"], rel=1e-9)
        assert (row["pi80_low"], row["pi80_high"]) == pytest.approx(interval(ref, 0.80), rel=1e-9)
        assert (row["pi95_low"], row["pi95_high"]) == pytest.approx(interval(ref, 0.95), rel=1e-9)
    # intervals widen the further out we go
    widths = (table["pi95_high"] - table["pi95_low"]).to_list()
    assert widths == sorted(widths)


def test_perfect_fit_gives_certain_probability() -> None:
    p = project(_series([2020, 2021, 2022], [100.0, 90.0, 80.0]), 2025, 60.0, "<=")
    assert p.projection == pytest.approx(50.0)
    assert p.probability == pytest.approx(1.0, abs=1e-9) and p.year_reached == 2024


def test_duplicate_years_are_a_caller_error() -> None:
    with pytest.raises(ValueError):
        project(_series([2022, 2022, 2023], [1.0, 2.0, 3.0]), 2030, 5.0, ">=")


def test_bad_comparator() -> None:
    with pytest.raises(ValueError):
        project(_series(YEARS, OVERTIME), 2030, 120.0, "==")


def test_trend_note_text_passes_none() -> None:
    assert trend_note_text(None) is None


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=300, allow_nan=False), min_size=3, max_size=9),
    st.sampled_from(["<=", ">="]),
    st.floats(min_value=0, max_value=300, allow_nan=False),
)
def test_probability_matches_reference_for_any_series(
    values: list[float], comparator: str, target: float
) -> None:
    years = list(range(2015, 2015 + len(values)))
    p = project(_series(years, values), 2030, target, comparator)
    ref = reference_fit(years, values, 2030)
    if ref["se"] < 1e-6:  # (near) perfect fits are the degenerate case tested above
        return
    cdf = stats.t.cdf((target - ref["fit"]) / ref["se"], ref["df"])
    expected = cdf if comparator == "<=" else 1 - cdf
    assert p.probability == pytest.approx(expected, abs=1e-7)
