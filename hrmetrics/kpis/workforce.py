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
        names = lf.collect_schema().names()
        optional = [(pl.col(c) if c in names else pl.lit(None)).cast(t).alias(c)
                    for c, t in (("employment_class", pl.String), ("hire_date", pl.Date))]
        lf = (
            lf.select(pl.col("as_of").cast(pl.Date), pl.col("staff_id").cast(pl.String),
                      pl.col("unit_code").cast(pl.String), pl.col("grade").cast(pl.String),
                      pl.col("gender").cast(pl.String), *optional)
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


def service(inp: Inputs) -> pl.LazyFrame | None:
    """Permanent staff with a hire date (a blank employment class counts as permanent), by
    gender (breakdown), with days of service on the snapshot date (as_of − hire_date); the KPI
    divides their sum by 365.25. Organisation-level only (catalogue)."""
    lf = roster(inp)
    if lf is None:
        return None
    permanent = pl.col("employment_class").is_null() | (pl.col("employment_class") == "permanent")
    return (
        lf.filter(permanent & pl.col("hire_date").is_not_null() & pl.col("gender").is_in(["female", "male"])
                  & (pl.col("hire_date") <= pl.col("as_of")))
        .with_columns(breakdown=pl.col("gender"),
                      _days=(pl.col("as_of") - pl.col("hire_date")).dt.total_days())
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
    _female_share("female_staff_share", roster),
    # whole days summed as integers (exact, so the table is byte-for-byte reproducible), then years
    KpiDef("mean_service_years", service, numerator=pl.col("_days").sum().cast(pl.Float64) / 365.25,
           denominator=pl.len().cast(pl.Float64), n=pl.len()),
)

DERIVED: tuple[DerivedDef, ...] = (DerivedDef("headcount_vs_quota", "headcount", headcount_vs_quota),)
