"""Will the target be met? A straight-line OLS trend on the yearly series, with prediction intervals.

Plans run five to ten years and most cities have a handful of yearly values, so a linear trend
is the honest model: anything richer would fit noise. What matters is to say how uncertain it
is, hence prediction intervals (for a single future year's value, not just the line) and the
probability that the target year's value meets the comparator under the predictive t
distribution with n − 2 degrees of freedom. With fewer than three points there are no residual
degrees of freedom worth the name, so we say so instead of drawing a line.

statsmodels is imported inside the functions that fit, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hrmetrics.messages import message

MIN_POINTS = 3
TABLE_SCHEMA: dict[str, Any] = {
    "year": pl.Int64, "fitted": pl.Float64, "pi80_low": pl.Float64, "pi80_high": pl.Float64,
    "pi95_low": pl.Float64, "pi95_high": pl.Float64,
}


def trend_note_text(code: str | None, lang: str = "ja") -> str | None:
    """The sentence for a trend-note code in `lang` (None stays None)."""
    if code is None:
        return None
    return message(f"trend.{code}", lang)


@dataclass(frozen=True)
class Projection:
    """The trend's verdict on one target; numbers are None when there are too few points."""

    n: int
    target_year: int
    target: float
    comparator: str
    slope: float | None = None
    intercept: float | None = None
    projection: float | None = None
    se_pred: float | None = None
    pi80_low: float | None = None
    pi80_high: float | None = None
    pi95_low: float | None = None
    pi95_high: float | None = None
    probability: float | None = None
    year_reached: int | None = None
    trend_note: str | None = None
    table: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=TABLE_SCHEMA))

    def note(self, lang: str = "ja") -> str | None:
        """The trend note as a sentence in `lang`."""
        return trend_note_text(self.trend_note, lang)


def _clean(series: pl.DataFrame) -> pl.DataFrame:
    """Yearly points with a value, sorted; two values for one year would be a caller's bug."""
    out = (series.select(pl.col("year").cast(pl.Int64), pl.col("value").cast(pl.Float64))
           .drop_nulls().filter(pl.col("value").is_finite()).sort("year"))
    if out["year"].n_unique() != out.height:
        raise ValueError("series has more than one value for a year")
    return out


def _fit(series: pl.DataFrame) -> Any:
    """statsmodels OLS of value on year (the numpy boundary is here and nowhere else)."""
    import statsmodels.api as sm

    x = series["year"].to_numpy().astype(float)
    y = series["value"].to_numpy().astype(float)
    return sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()


def _predict(result: Any, years: list[int]) -> pl.DataFrame:
    """Fitted value, predictive standard error and the 80%/95% prediction intervals per year."""
    import numpy as np
    import statsmodels.api as sm

    exog = sm.add_constant(np.asarray(years, dtype=float), has_constant="add")
    pred = result.get_prediction(exog)
    f80 = pred.summary_frame(alpha=0.20)
    f95 = pred.summary_frame(alpha=0.05)
    return pl.DataFrame({
        "year": pl.Series(years, dtype=pl.Int64),
        "fitted": f95["mean"].to_numpy(),
        "se_pred": np.asarray(pred.se_obs, dtype=float),
        "pi80_low": f80["obs_ci_lower"].to_numpy(),
        "pi80_high": f80["obs_ci_upper"].to_numpy(),
        "pi95_low": f95["obs_ci_lower"].to_numpy(),
        "pi95_high": f95["obs_ci_upper"].to_numpy(),
    })


def projection_table(series: pl.DataFrame, target_year: int) -> pl.DataFrame:
    """Future years after the last observed one up to the target year, for charts.

    Columns: year, fitted, pi80_low/high, pi95_low/high. Empty with fewer than 3 points, so a
    chart draws no line rather than a made-up one.
    """
    clean = _clean(series)
    if clean.height < MIN_POINTS:
        return pl.DataFrame(schema=TABLE_SCHEMA)
    years = list(range(int(clean.select(pl.col("year").max()).item()) + 1, target_year + 1))
    if not years:
        return pl.DataFrame(schema=TABLE_SCHEMA)
    return _predict(_fit(clean), years).select(list(TABLE_SCHEMA))


def meets(value: float, target: float, comparator: str) -> bool:
    """Whether `value` satisfies the plan's comparator against `target`."""
    return value <= target if comparator == "<=" else value >= target


def probability_of_meeting(fitted: float, se_pred: float, df: int, target: float, comparator: str) -> float:
    """P(next observation meets the comparator) under the predictive t distribution.

    P = T_df((target − ŷ)/se) for `<=`, 1 − that for `>=`. A perfect fit (se = 0) gives 0 or 1.
    """
    from scipy import stats

    if se_pred <= 0:
        return 1.0 if meets(fitted, target, comparator) else 0.0
    cdf = float(stats.t.cdf((target - fitted) / se_pred, df))
    return cdf if comparator == "<=" else 1.0 - cdf


def year_reached(
    slope: float, intercept: float, target: float, comparator: str
) -> tuple[int | None, str | None]:
    """First whole year the trend line meets the target, or None with the reason.

    A line moving away from the target (rising for `<=`, falling for `>=`) never reaches it in
    the future even if it meets it today, so it gets None and the note "moves_away".
    """
    if slope == 0:
        return None, "flat"
    toward = slope < 0 if comparator == "<=" else slope > 0
    if not toward:
        return None, "moves_away"
    crossing = (target - intercept) / slope
    return math.ceil(crossing - 1e-6), None  # float noise must not push 2024.0 to 2025


def project(series: pl.DataFrame, target_year: int, target: float, comparator: str) -> Projection:
    """OLS trend of a yearly series (columns year, value) judged against a target.

    Returns the projected value at the target year with its 80%/95% prediction intervals, the
    probability that the target year's value meets the comparator, the first year the line
    reaches the target, and the future-years table for charts.
    """
    if comparator not in (">=", "<="):
        raise ValueError(f"comparator は '>=' か '<=' です: {comparator!r}")
    clean = _clean(series)
    base: dict[str, Any] = {"n": clean.height, "target_year": target_year, "target": float(target),
                            "comparator": comparator}
    if clean.height < MIN_POINTS:
        return Projection(**base, trend_note="too_few_points")
    result = _fit(clean)
    intercept, slope = (float(v) for v in result.params)
    at_target = _predict(result, [target_year]).row(0, named=True)
    reached, note = year_reached(slope, intercept, float(target), comparator)
    return Projection(
        **base,
        slope=slope,
        intercept=intercept,
        projection=at_target["fitted"],
        se_pred=at_target["se_pred"],
        pi80_low=at_target["pi80_low"],
        pi80_high=at_target["pi80_high"],
        pi95_low=at_target["pi95_low"],
        pi95_high=at_target["pi95_high"],
        probability=probability_of_meeting(at_target["fitted"], at_target["se_pred"],
                                           int(result.df_resid), float(target), comparator),
        year_reached=reached,
        trend_note=note,
        table=projection_table(clean, target_year),
    )
