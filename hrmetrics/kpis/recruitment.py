"""Hiring, recruitment-exam and separation KPIs (女性活躍推進法 §21 ① and ②), per fiscal year.

These exports carry no unit code: the statutory items are the employer's own figures, so the
KPIs are published for the organisation only (catalogue `levels`), and their records are placed
in no department or division.

* `female_hire_share`: hires whose `hire_date` falls in the FY (April–March); breakdown none =
  all hires, `new_graduate` / `experienced` = by route (中途採用の男女別の実績: numerator and
  denominator give women and all hires of the route).
* `female_applicant_share`: Σ women applicants ÷ Σ applicants of the FY's exams; breakdown none =
  every exam, `exam:<name>` = one exam.
* `separation_rate`: separations dated in the FY (March 31 is the last day of the FY, so a
  separation on 2025-03-31 is FY2024's) ÷ the gender's April-1 headcount of that FY (the first
  roster snapshot of the FY, as for `headcount`); breakdown `female` / `male`; and
  `separation_rate_gap` = women − men (percentage points; n = the smaller of the two groups so
  that it is hidden whenever either rate is).
"""

from __future__ import annotations

import polars as pl

from hrmetrics.config import Config
from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis import workforce
from hrmetrics.kpis.spec import DerivedDef, Inputs, KpiDef, fy_period

GENDERS = ("female", "male")


def _no_unit(lf: pl.LazyFrame) -> pl.LazyFrame:
    null = pl.lit(None, dtype=pl.String)
    return lf.with_columns(_division=null, _department=null, period=fy_period(), year=pl.col("fiscal_year"))


def hires(inp: Inputs) -> pl.LazyFrame | None:
    """One record per hire, once for all hires (breakdown null) and once under its route."""
    lf = inp.frame("hires")
    if lf is None:
        return None
    names = lf.collect_schema().names()
    route = pl.col("route") if "route" in names else pl.lit(None)
    lf = _no_unit(lf.select(pl.col("staff_id").cast(pl.String), pl.col("gender").cast(pl.String),
                            route.cast(pl.String).alias("route"),
                            fiscal_year=fiscal_year_expr("hire_date")))
    return pl.concat([lf.with_columns(breakdown=pl.lit(None, dtype=pl.String)),
                      lf.filter(pl.col("route").is_not_null()).with_columns(breakdown=pl.col("route"))])


def applicants(inp: Inputs) -> pl.LazyFrame | None:
    """One record per exam × gender row, once for all exams and once as `exam:<name>`."""
    lf = inp.frame("exam_applicants")
    if lf is None:
        return None
    lf = _no_unit(lf.select(pl.col("exam").cast(pl.String), pl.col("gender").cast(pl.String),
                            pl.col("applicants").cast(pl.Int64),
                            fiscal_year=pl.col("year").cast(pl.Int64)))
    return pl.concat([lf.with_columns(breakdown=pl.lit(None, dtype=pl.String)),
                      lf.with_columns(breakdown=pl.lit("exam:") + pl.col("exam"))])


def separations(inp: Inputs) -> pl.LazyFrame | None:
    """April-1 roster people (`_head`) and separations of the FY (`_sep`), by gender."""
    sep = inp.frame("separations")
    staff = workforce.roster(inp)
    if sep is None or staff is None:
        return None
    gone = _no_unit(sep.select(pl.col("staff_id").cast(pl.String), pl.col("gender").cast(pl.String),
                               fiscal_year=fiscal_year_expr("separation_date"))).with_columns(
        _sep=pl.lit(1, dtype=pl.Int64), _head=pl.lit(0, dtype=pl.Int64))
    head = _no_unit(staff.select("staff_id", "gender", "fiscal_year")).with_columns(
        _sep=pl.lit(0, dtype=pl.Int64), _head=pl.lit(1, dtype=pl.Int64))
    both = pl.concat([gone, head], how="vertical")
    return both.filter(pl.col("gender").is_in(GENDERS)).with_columns(breakdown=pl.col("gender"))


def separation_gap(rates: pl.DataFrame, config: Config) -> pl.DataFrame:
    """`separation_rate_gap` = women's rate − men's (points), where both exist."""
    keys = ["level", "unit_code", "parent_code", "period", "year"]
    f = rates.filter(pl.col("breakdown") == "female").select(*keys, _vf="value", _nf="n")
    m = rates.filter(pl.col("breakdown") == "male").select(*keys, _vm="value", _nm="n")
    return f.join(m, on=keys, how="inner", nulls_equal=True).select(
        *keys, breakdown=pl.lit(None, dtype=pl.String), kpi=pl.lit("separation_rate_gap"),
        numerator=pl.lit(None, dtype=pl.Float64), denominator=pl.lit(None, dtype=pl.Float64),
        n=pl.min_horizontal("_nf", "_nm"), value=pl.col("_vf") - pl.col("_vm"))


def _female(weight: pl.Expr | None = None) -> pl.Expr:
    female = pl.col("gender") == "female"
    return (female.cast(pl.Float64) if weight is None else weight.filter(female)).sum().cast(pl.Float64)


DEFS: tuple[KpiDef, ...] = (
    KpiDef("female_hire_share", hires, numerator=_female(), denominator=pl.len().cast(pl.Float64),
           n=pl.len(), scale=100.0),
    KpiDef("female_applicant_share", applicants, numerator=_female(pl.col("applicants")),
           denominator=pl.col("applicants").sum().cast(pl.Float64), n=pl.col("applicants").sum(),
           scale=100.0),
    KpiDef("separation_rate", separations, numerator=pl.col("_sep").sum().cast(pl.Float64),
           denominator=pl.col("_head").sum().cast(pl.Float64), n=pl.col("_head").sum(), scale=100.0),
)

DERIVED: tuple[DerivedDef, ...] = (DerivedDef("separation_rate_gap", "separation_rate", separation_gap),)
