"""Childcare-leave rates (national survey definition), per fiscal year.

rate = staff of the gender whose childcare leave *started* in the FY ÷ staff of the gender whose
child was *born* in the FY. The two populations differ (a leave may start in the FY after the
birth), so the rate can exceed 100%, which is valid and must not be capped.

Records are events: a `birth` in the FY of `birth_date` and a `leave` in the FY of
`leave_start`, each placed in the unit on the childcare row and resolved against the
organisation of its own FY. Each person counts at most once per event kind and FY (two children
born in one FY make one man with a birth, as in the survey), keeping the unit of the latest
birth; hence numerator and denominator add up across divisions.

n = distinct people of the gender in either population (births or leaves of that FY): the
people whose data the figure describes, which is what small-group suppression protects.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis.spec import Inputs, KpiDef, fy_period


def events(inp: Inputs) -> pl.LazyFrame | None:
    """One record per person × event kind (birth/leave) × FY, with reported units."""
    def build() -> pl.LazyFrame | None:
        lf = inp.frame("childcare")
        if lf is None:
            return None
        lf = lf.select(pl.col("staff_id").cast(pl.String), pl.col("unit_code").cast(pl.String),
                       pl.col("gender").cast(pl.String), pl.col("birth_date").cast(pl.Date),
                       pl.col("leave_start").cast(pl.Date))
        births = lf.with_columns(event=pl.lit("birth"), fiscal_year=fiscal_year_expr("birth_date"))
        leaves = lf.filter(pl.col("leave_start").is_not_null()).with_columns(
            event=pl.lit("leave"), fiscal_year=fiscal_year_expr("leave_start"))
        ev = (
            pl.concat([births, leaves])
            .group_by("staff_id", "gender", "event", "fiscal_year")
            .agg(pl.col("unit_code").sort_by("birth_date").last())
        )
        ev = inp.attach_units(ev, "childcare")
        return ev.with_columns(period=fy_period(), year=pl.col("fiscal_year"))
    return inp.cached("childcare_events", build)


def _rate(kpi_id: str, gender: str) -> KpiDef:
    g = pl.col("gender") == gender
    return KpiDef(
        kpi_id, events,
        numerator=(g & (pl.col("event") == "leave")).sum().cast(pl.Float64),
        denominator=(g & (pl.col("event") == "birth")).sum().cast(pl.Float64),
        n=pl.col("staff_id").filter(g).n_unique(),
        scale=100.0,
    )


DEFS: tuple[KpiDef, ...] = (
    _rate("male_childcare_leave_rate", "male"),
    _rate("female_childcare_leave_rate", "female"),
)
