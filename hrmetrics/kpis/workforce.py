"""Workforce KPIs from the April-1 staff roster (period `FY2024` for as_of 2024-04-01).

If a fiscal year holds several roster snapshots, the earliest one is used (normally April 1),
so that a mid-year extract does not double the headcount.

Managers are `config.manager_grades` (section chief and above by default). Women's shares are
per grade (`breakdown` = grade) and per "grade X and above" (`breakdown` = X, counting everyone
whose grade ranks at or above X in `config.GRADES`); rows with a grade outside that list count
for their own grade only.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.config import GRADES, Config
from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis.spec import DerivedDef, Inputs, KpiDef, fy_period
from hrmetrics.orgs import ORG_CODE

FEMALE = "female"
_GRADE_RANK = pl.DataFrame({"grade": list(GRADES), "_rank": list(range(len(GRADES)))},
                           schema={"grade": pl.String, "_rank": pl.Int64})


def roster(inp: Inputs) -> pl.LazyFrame | None:
    """One record per staff member on the FY's first snapshot, with reported units."""
    def build() -> pl.LazyFrame | None:
        lf = inp.frame("staff")
        if lf is None:
            return None
        lf = (
            lf.select(pl.col("as_of").cast(pl.Date), pl.col("staff_id").cast(pl.String),
                      pl.col("unit_code").cast(pl.String), pl.col("grade").cast(pl.String),
                      pl.col("gender").cast(pl.String))
            .with_columns(fiscal_year=fiscal_year_expr("as_of"))
            .filter(pl.col("as_of") == pl.col("as_of").min().over("fiscal_year"))
        )
        lf = inp.attach_units(lf, "staff")
        return lf.with_columns(period=fy_period(), year=pl.col("fiscal_year"),
                               _female=(pl.col("gender") == FEMALE))
    return inp.cached("roster", build)


def managers(inp: Inputs) -> pl.LazyFrame | None:
    lf = roster(inp)
    if lf is None:
        return None
    return lf.filter(pl.col("grade").is_in(list(inp.config.manager_grades)))


def by_grade(inp: Inputs) -> pl.LazyFrame | None:
    lf = roster(inp)
    return None if lf is None else lf.with_columns(breakdown=pl.col("grade"))


def by_grade_and_above(inp: Inputs) -> pl.LazyFrame | None:
    """Each person repeated once per grade at or below theirs (breakdown = that grade)."""
    lf = roster(inp)
    if lf is None:
        return None
    ranks = _GRADE_RANK.lazy()
    return (
        lf.join(ranks, on="grade", how="inner")
        .join(ranks.rename({"grade": "breakdown", "_rank": "_b_rank"}), how="cross")
        .filter(pl.col("_b_rank") <= pl.col("_rank"))
    )


def _female_share(kpi_id: str, records) -> KpiDef:
    return KpiDef(kpi_id, records, numerator=pl.col("_female").sum().cast(pl.Float64),
                  denominator=pl.len().cast(pl.Float64), n=pl.len(), scale=100.0)


def headcount_vs_quota(headcount: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Headcount ÷ quota × 100 for units with a quota in `config.quota` ("organisation" = ORG).

    Units without a quota get no row rather than a meaningless one.
    """
    if not config.quota:
        return headcount.clear()
    quota = pl.DataFrame(
        {"unit_code": [ORG_CODE if k == "organisation" else k for k in config.quota],
         "_quota": [float(v) for v in config.quota.values()]},
        schema={"unit_code": pl.String, "_quota": pl.Float64},
    )
    return headcount.join(quota, on="unit_code", how="inner").with_columns(
        kpi=pl.lit("headcount_vs_quota"),
        denominator=pl.col("_quota"),
        value=pl.when(pl.col("_quota") > 0).then(pl.col("numerator") / pl.col("_quota") * 100.0),
    ).drop("_quota")


DEFS: tuple[KpiDef, ...] = (
    KpiDef("headcount", roster, numerator=pl.len().cast(pl.Float64), denominator=None, n=pl.len()),
    _female_share("female_manager_ratio", managers),
    _female_share("female_share_grade", by_grade),
    _female_share("female_share_grade_and_above", by_grade_and_above),
)

DERIVED: tuple[DerivedDef, ...] = (DerivedDef("headcount_vs_quota", "headcount", headcount_vs_quota),)
