"""E-approval rate (電子決裁率) per fiscal year and per month.

rate = electronic ÷ (electronic + paper). The records are unit × month counts, not people, so
`n` is the number of approvals (the denominator): small-group suppression then only hides a
unit-period with fewer than `min_group_hr` approvals, which is harmless and keeps the rule
uniform across the table.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis.spec import Inputs, KpiDef, fy_period


def approval_months(inp: Inputs) -> pl.LazyFrame | None:
    """One record per unit × month with its electronic and paper counts and reported units."""
    def build() -> pl.LazyFrame | None:
        lf = inp.frame("approvals")
        if lf is None:
            return None
        lf = lf.select(pl.col("unit_code").cast(pl.String), pl.col("month").cast(pl.Date),
                       pl.col("electronic").cast(pl.Int64).fill_null(0),
                       pl.col("paper").cast(pl.Int64).fill_null(0),
                       ).with_columns(fiscal_year=fiscal_year_expr("month"))
        return inp.attach_units(lf, "approvals")
    return inp.cached("approvals", build)


def by_fy(inp: Inputs) -> pl.LazyFrame | None:
    lf = approval_months(inp)
    return None if lf is None else lf.with_columns(period=fy_period(), year=pl.col("fiscal_year"))


def by_month(inp: Inputs) -> pl.LazyFrame | None:
    lf = approval_months(inp)
    return None if lf is None else lf.with_columns(period=pl.col("month").dt.strftime("%Y-%m"),
                                                    year=pl.col("fiscal_year"))


_ALL = pl.col("electronic") + pl.col("paper")


def _rate(kpi_id: str, records) -> KpiDef:
    return KpiDef(kpi_id, records, numerator=pl.col("electronic").sum().cast(pl.Float64),
                  denominator=_ALL.sum().cast(pl.Float64), n=_ALL.sum(), scale=100.0)


DEFS: tuple[KpiDef, ...] = (
    _rate("e_approval_rate", by_fy),
    _rate("e_approval_rate_month", by_month),
)
