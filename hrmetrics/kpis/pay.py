"""職員の給与の男女の差異 (女性活躍推進法 §21; required of every public employer from FY2023).

One KPI triple per cell (breakdown) and fiscal year, organisation only:

* `pay_mean_female` / `pay_mean_male`: Σ annual_pay ÷ the gender's divisor (numerator = total
  pay, denominator = the divisor, n = people);
* `gender_pay_ratio` = women's mean ÷ men's mean × 100 (numerator = women's mean, denominator =
  men's mean, n = women + men) — 「男性の給与に対する女性の給与の割合」.

Cells, as municipalities publish them: `permanent` (任期の定めのない常勤職員), `other` (任期付,
再任用, 会計年度任用), `all`; for permanent staff `permanent|<post level>` — `director_deputy`
(本庁部局長・次長相当職: director and deputy director together), `section_chief`,
`assistant_chief`, `unit_chief`, `staff` (それ以外) — and `permanent|service_<band>` by years of
service in the pay year, counting the year of hire as year 1 (hired 2024-04-01, pay year FY2024:
year 1; hired 2020-03-31 = FY2019: year 6): `service_01_05` … `service_31_35`, `service_36_plus`,
and `service_unknown` for rows with neither a hire date nor service years (so the bands add up
to `permanent`, which the disclosure audit relies on). A given `service_years` is taken as the
export states it; a hire date wins when both are given.

Divisor: headcount by default; with `[publication] pay_basis = "hours"` a short-hours person
counts as scheduled_hours ÷ full_time_weekly_hours (at most 1; a row without hours counts 1),
so a half-time 会計年度任用職員 paid ¥1.2 M weighs as ¥2.4 M per full-time equivalent.
Staff whose gender is neither female nor male are left out of both means (the statute compares
women with men).

Privacy: `suppress_pay_cells` hides every row of a cell with fewer than `min_group_hr` women or
men, whatever `publish_small_organisation` says — a mean over one or two people is their pay.
The disclosure audit then models the cells' sums (model.pay_family) and hides further cells
until no hidden pay total can be recovered by subtraction.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis.spec import Inputs, KpiDef, fy_period, stable_sum
from hrmetrics.schemas import KPI_NUMBERS

PAY_KPIS = ("gender_pay_ratio", "pay_mean_female", "pay_mean_male")
POST_LEVELS: dict[str, str] = {
    "director": "director_deputy", "deputy_director": "director_deputy", "section_chief": "section_chief",
    "assistant_chief": "assistant_chief", "unit_chief": "unit_chief", "staff": "staff",
}
"""Grade → 役職段階 of the publication layout (部局長・次長 are one row)."""
POST_ORDER = ("director_deputy", "section_chief", "assistant_chief", "unit_chief", "staff")
SERVICE_BANDS = (*(f"service_{lo:02d}_{lo + 4:02d}" for lo in range(1, 32, 5)), "service_36_plus")
"""`service_01_05` … `service_31_35`, `service_36_plus`."""
CLASS_ORDER = ("permanent", "other", "all")


def service_band(years: pl.Expr) -> pl.Expr:
    """The band label of a service year (year of hire = 1); `service_unknown` when null."""
    lo = ((years - 1) // 5) * 5 + 1
    label = pl.format("service_{}_{}", lo.cast(pl.String).str.zfill(2), (lo + 4).cast(pl.String).str.zfill(2))
    return (pl.when(years.is_null()).then(pl.lit("service_unknown"))
            .when(years >= 36).then(pl.lit("service_36_plus")).otherwise(label))


def _hire_fy(col: str) -> pl.Expr:
    return fiscal_year_expr(col).cast(pl.Int64)


def people(inp: Inputs) -> pl.LazyFrame | None:
    """One row per person × pay year (women and men) with pay, weight, class group, post level
    and service band."""
    lf = inp.frame("pay")
    if lf is None:
        return None
    names = lf.collect_schema().names()
    col = {c: (pl.col(c) if c in names else pl.lit(None))
           for c in ("hire_date", "service_years", "scheduled_hours")}
    cfg = inp.config
    hours = col["scheduled_hours"].cast(pl.Float64)
    weight = (pl.min_horizontal(hours / cfg.full_time_weekly_hours, pl.lit(1.0)).fill_null(1.0)
              if cfg.pay_basis == "hours" else pl.lit(1.0))
    return (
        lf.select(pl.col("staff_id").cast(pl.String), pl.col("year").cast(pl.Int64).alias("fiscal_year"),
                  pl.col("employment_class").cast(pl.String), pl.col("grade").cast(pl.String),
                  pl.col("gender").cast(pl.String), pl.col("annual_pay").cast(pl.Float64).alias("_pay"),
                  col["hire_date"].cast(pl.Date).alias("hire_date"),
                  col["service_years"].cast(pl.Int64).alias("_given_years"), weight.alias("_w"))
        .filter(pl.col("gender").is_in(["female", "male"]))
        .with_columns(
            _class=pl.when(pl.col("employment_class") == "permanent").then(pl.lit("permanent"))
            .otherwise(pl.lit("other")),
            _post=pl.col("grade").replace_strict(POST_LEVELS, default=pl.col("grade")),
            _years=pl.when(pl.col("hire_date").is_not_null())
            .then(pl.col("fiscal_year") - _hire_fy("hire_date") + 1).otherwise(pl.col("_given_years")),
        )
        .with_columns(_band=service_band(pl.col("_years")))
    )


def cells(inp: Inputs) -> pl.LazyFrame | None:
    """Each person once per cell they belong to (breakdown), placed in no unit."""
    lf = people(inp)
    if lf is None:
        return None
    perm = lf.filter(pl.col("_class") == "permanent")
    parts = [
        lf.with_columns(breakdown=pl.col("_class")),
        lf.with_columns(breakdown=pl.lit("all")),
        perm.with_columns(breakdown=pl.lit("permanent|") + pl.col("_post")),
        perm.with_columns(breakdown=pl.lit("permanent|") + pl.col("_band")),
    ]
    null = pl.lit(None, dtype=pl.String)
    return pl.concat(parts, how="vertical").with_columns(
        _division=null, _department=null, period=fy_period(), year=pl.col("fiscal_year"))


_F = pl.col("gender") == "female"
_M = pl.col("gender") == "male"


def _mean(g: pl.Expr) -> pl.Expr:
    w = pl.col("_w").filter(g).sum()
    return pl.when(w > 0).then(stable_sum(pl.col("_pay").filter(g)) / w).otherwise(None)


DEFS: tuple[KpiDef, ...] = (
    KpiDef("gender_pay_ratio", cells, numerator=_mean(_F), denominator=_mean(_M), n=pl.len(), scale=100.0),
    KpiDef("pay_mean_female", cells, numerator=stable_sum(pl.col("_pay").filter(_F)),
           denominator=pl.col("_w").filter(_F).sum().cast(pl.Float64), n=_F.sum()),
    KpiDef("pay_mean_male", cells, numerator=stable_sum(pl.col("_pay").filter(_M)),
           denominator=pl.col("_w").filter(_M).sum().cast(pl.Float64), n=_M.sum()),
)


def suppress_pay_cells(table: pl.DataFrame, minimum: int) -> pl.DataFrame:
    """Hide all three rows of a pay cell with fewer than `minimum` women or men (an absent
    gender row counts as 0)."""
    pay = table.filter(pl.col("kpi").is_in(PAY_KPIS))
    if pay.is_empty():
        return table
    keys = ["unit_code", "period", "breakdown"]
    counts = (pay.group_by(keys).agg(
        _w=pl.col("n").filter(pl.col("kpi") == "pay_mean_female").sum(),
        _m=pl.col("n").filter(pl.col("kpi") == "pay_mean_male").sum()))
    small = counts.filter((pl.col("_w") < minimum) | (pl.col("_m") < minimum)).select(keys).with_columns(
        _small=pl.lit(True))
    out = table.join(small, on=keys, how="left", nulls_equal=True, maintain_order="left")
    hit = pl.col("kpi").is_in(PAY_KPIS) & pl.col("_small").fill_null(False)
    return out.with_columns(
        *[pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in KPI_NUMBERS],
        suppressed=pl.col("suppressed") | hit,
    ).drop("_small")
