"""Annual-leave KPIs per leave year.

The leave file's `year` is taken as given: a calendar year when `config.leave_year ==
"calendar"` (period `2024`), a fiscal year when `"fiscal"` (period `FY2024`). Records are the
`leave_type == "annual"` rows, one per staff member and leave year (the dataset's grain).

Organisation structure for a calendar leave year Y is that of FY Y (April–December, nine of its
twelve months); a unit abolished at the end of FY Y-1 is still accepted for year Y, because
January–March belong to FY Y-1.

Uptake rate: rows without `granted_days` cannot say what was available, so they are left out of
both sides of `annual_leave_uptake_rate` (its n = staff with granted days), and how many were
left out is published as its own KPI row, `annual_leave_uptake_excluded` (count of staff), so
the exclusion is visible in the table next to the rate.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.kpis.spec import Inputs, KpiDef, stable_sum

ANNUAL = "annual"


def annual_leave(inp: Inputs) -> pl.LazyFrame | None:
    """One record per staff member × leave year with days taken and granted (annual leave)."""
    def build() -> pl.LazyFrame | None:
        lf = inp.frame("leave")
        if lf is None:
            return None
        fiscal = inp.config.leave_year == "fiscal"
        lf = lf.filter(pl.col("leave_type") == ANNUAL).select(
            pl.col("staff_id").cast(pl.String), pl.col("unit_code").cast(pl.String),
            pl.col("year").cast(pl.Int64), pl.col("days").cast(pl.Float64),
            pl.col("granted_days").cast(pl.Float64) if "granted_days" in lf.collect_schema()
            else pl.lit(None, dtype=pl.Float64).alias("granted_days"),
        )
        lf = inp.attach_units(lf, "leave", fy_col="year", fallback_previous_fy=not fiscal)
        period = pl.format("FY{}", pl.col("year")) if fiscal else pl.col("year").cast(pl.String)
        return lf.with_columns(period=period)
    return inp.cached("leave_annual", build)


def _count(cond: pl.Expr) -> pl.Expr:
    return cond.sum().cast(pl.Float64)


_HAS_GRANT = pl.col("granted_days").is_not_null()

DEFS: tuple[KpiDef, ...] = (
    KpiDef("annual_leave_days_per_staff", annual_leave, numerator=stable_sum(pl.col("days")),
           denominator=pl.len().cast(pl.Float64), n=pl.col("staff_id").n_unique()),
    KpiDef("annual_leave_under5_share", annual_leave, numerator=_count(pl.col("days") < 5),
           denominator=pl.len().cast(pl.Float64), n=pl.col("staff_id").n_unique(), scale=100.0),
    KpiDef("annual_leave_under10_share", annual_leave, numerator=_count(pl.col("days") < 10),
           denominator=pl.len().cast(pl.Float64), n=pl.col("staff_id").n_unique(), scale=100.0),
    KpiDef("annual_leave_uptake_rate", annual_leave,
           numerator=stable_sum(pl.col("days").filter(_HAS_GRANT)),
           denominator=stable_sum(pl.col("granted_days").filter(_HAS_GRANT)),
           n=pl.col("staff_id").filter(_HAS_GRANT).n_unique(), scale=100.0),
    KpiDef("annual_leave_uptake_excluded", annual_leave, numerator=_count(~_HAS_GRANT),
           denominator=None, n=pl.col("staff_id").n_unique()),
)
