"""Survey × HR link: a division × year panel and one plain association measure.

Managers will ask "do divisions with more overtime have lower engagement?". The honest answer
from aggregated data is a correlation *between divisions* (an ecological association): it says
nothing about whether the individuals who work overtime are less engaged, nor that overtime
causes it. `association` therefore always returns that caution alongside the numbers.
Only non-suppressed KPI rows enter the panel, so it never holds a hidden value.
"""

from __future__ import annotations

import math

import polars as pl

from hrmetrics.messages import message

PANEL_COLUMNS = (
    "engagement_index",
    "staff_satisfaction_rate",
    "overtime_hours_per_staff",
    "annual_leave_days_per_staff",
    "e_approval_rate",
)


def survey_hr_panel(kpis: pl.DataFrame) -> pl.DataFrame:
    """`unit_code, unit_name, year` + one column per KPI of PANEL_COLUMNS (divisions only)."""
    f = kpis.filter(
        pl.col("level") == "division",
        pl.col("kpi").is_in(list(PANEL_COLUMNS)),
        pl.col("breakdown").is_null(),
        ~pl.col("suppressed"),
        pl.col("value").is_not_null(),
    )
    if "view" in f.columns and f["view"].n_unique() > 1:
        f = f.filter(pl.col("view") == "restated")
    names = f.group_by("unit_code").agg(pl.col("unit_name").sort_by("year").last())
    wide = f.group_by("unit_code", "year", "kpi").agg(pl.col("value").first())
    wide = (
        wide.pivot(on="kpi", index=["unit_code", "year"], values="value")
        if wide.height
        else pl.DataFrame(schema={"unit_code": pl.String, "year": pl.Int64})
    )
    for c in PANEL_COLUMNS:
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
    survey_any = (
        pl.col("engagement_index").is_not_null() | pl.col("staff_satisfaction_rate").is_not_null()
    )
    return (
        wide.join(names, on="unit_code", how="left")
        .filter(survey_any)
        .select(
            "unit_code",
            "unit_name",
            pl.col("year").cast(pl.Int64),
            *[pl.col(c).cast(pl.Float64) for c in PANEL_COLUMNS],
        )
        .sort("unit_code", "year")
    )


def association(
    panel: pl.DataFrame, x: str = "overtime_hours_per_staff", y: str = "engagement_index"
) -> dict:
    """Pearson r with a Fisher-z 95% interval, OLS slope with its 95% CI and p, and the caution.

    Fisher z: z = atanh(r), se = 1/√(n − 3), interval tanh(z ± 1.96·se) (needs n ≥ 4).
    """
    import statsmodels.api as sm
    from scipy import stats

    d = panel.select(x, y).drop_nulls()
    n = d.height
    out: dict = {
        "x": x,
        "y": y,
        "n_units": n,
        "r": None,
        "r_low": None,
        "r_high": None,
        "slope": None,
        "slope_low": None,
        "slope_high": None,
        "p_value": None,
        "note_ja": message("link.note", "ja"),
        "note_en": message("link.note", "en"),
    }
    if n < 3 or d[x].std() in (0, None) or d[y].std() in (0, None):
        out["note_ja"] += message("link.too_few", "ja")
        out["note_en"] += message("link.too_few", "en")
        return out
    xs, ys = d[x].to_numpy(), d[y].to_numpy()
    r, p = stats.pearsonr(xs, ys)
    out.update(r=float(r), p_value=float(p))
    if n >= 4 and abs(r) < 1:
        z, se, q = math.atanh(r), 1 / math.sqrt(n - 3), stats.norm.ppf(0.975)
        out.update(r_low=math.tanh(z - q * se), r_high=math.tanh(z + q * se))
    fit = sm.OLS(ys, sm.add_constant(xs)).fit()
    lo, hi = fit.conf_int(alpha=0.05)[1]
    out.update(slope=float(fit.params[1]), slope_low=float(lo), slope_high=float(hi))
    return out
