"""Childcare-leave KPIs (national survey definition), per fiscal year.

rate = staff of the gender whose childcare leave *started* in the FY ÷ staff of the gender whose
child was *born* in the FY. The two populations differ (a leave may start in the FY after the
birth), so the rate can exceed 100%, which is valid and must not be capped.

Records are events: a `birth` in the FY of `birth_date` and a `leave` in the FY of
`leave_start`, each placed in the unit on the childcare row and resolved against the
organisation of its own FY. Each person counts at most once per event kind and FY (two children
born in one FY make one man with a birth, as in the survey), keeping the unit of the latest
birth; hence numerator and denominator add up across divisions.

A leave event's length is the sum of `leave_days` over the leaves that person started in that FY
(null when none of them gives days). The length is counted where the leave *starts*: a leave
starting on 2025-03-20 for 20 days is FY2024's, and 2 weeks or more, though most of it falls in
FY2025. From the length follow the 1-week and 2-week shares (こども未来戦略, 2023-12-22: men's
leave of 1 week or more 85% by 2025, 2 weeks or more 85% by 2030 for public servants), over the
same births as the rate, and the distribution of lengths (女性活躍推進法 §21 ②「取得期間の分布」).

Spouse-birth leave (配偶者出産休暇) and childcare-participation leave (育児参加休暇) come from
the leave export, which has a leave year, not dates: a man with a birth in the FY counts when he
has a row of that type with days > 0 in the leave year containing the birth or in the next one
(both leaves are taken around and after the birth). Numerator ⊆ denominator: at most 100%.

n = distinct people of the gender in either population (births or leaves of that FY): the
people whose data the figure describes, which is what small-group suppression protects.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.kpis.spec import Inputs, KpiDef, fy_period

LENGTH_BANDS: tuple[tuple[str, float, float], ...] = (
    ("lt_1w", 0, 7), ("1w_2w", 7, 14), ("2w_1m", 14, 30), ("1m_3m", 30, 90),
    ("3m_6m", 90, 180), ("6m_1y", 180, 365), ("1y_plus", 365, float("inf")),
)
"""Length bands in days, [low, high): 1 month = 30 days, 3 months = 90, 6 months = 180, 1 year = 365."""
UNKNOWN_BAND = "unknown"
SPOUSE_TYPES = {"spouse_birth": "spouse_birth", "childcare_participation": "childcare_participation"}


def events(inp: Inputs) -> pl.LazyFrame | None:
    """One record per person × event kind (birth/leave) × FY, with reported units and `days`
    (leave events: total days of the leaves started that FY)."""
    def build() -> pl.LazyFrame | None:
        lf = inp.frame("childcare")
        if lf is None:
            return None
        names = lf.collect_schema().names()
        days = pl.col("leave_days") if "leave_days" in names else pl.lit(None)
        lf = lf.select(pl.col("staff_id").cast(pl.String), pl.col("unit_code").cast(pl.String),
                       pl.col("gender").cast(pl.String), pl.col("birth_date").cast(pl.Date),
                       pl.col("leave_start").cast(pl.Date), days.cast(pl.Float64).alias("leave_days"))
        births = lf.with_columns(event=pl.lit("birth"), fiscal_year=fiscal_year_expr("birth_date"),
                                 leave_days=pl.lit(None, dtype=pl.Float64))
        leaves = lf.filter(pl.col("leave_start").is_not_null()).with_columns(
            event=pl.lit("leave"), fiscal_year=fiscal_year_expr("leave_start"))
        ev = (
            pl.concat([births, leaves])
            .group_by("staff_id", "gender", "event", "fiscal_year")
            .agg(pl.col("unit_code").sort_by("birth_date").last(),
                 days=pl.when(pl.col("leave_days").is_not_null().any())
                 .then(pl.col("leave_days").sum()).otherwise(None))
        )
        ev = _leaves_in_successor_units(ev, inp)
        ev = inp.attach_units(ev, "childcare")
        return ev.with_columns(period=fy_period(), year=pl.col("fiscal_year"))
    return inp.cached("childcare_events", build)


def _leaves_in_successor_units(ev: pl.LazyFrame, inp: Inputs) -> pl.LazyFrame:
    """Leave events whose unit had been merged away by the leave's fiscal year, placed in the
    unit it went to then (`OrgRegistry.successors_then`), as the org master's history says.

    Why: the row's unit is checked at intake for the birth's fiscal year; a leave starting a year
    later may fall after a reorganisation, and stopping every KPI (`UnknownUnitError`) for it
    would be wrong. Births, and units that never existed, are resolved strictly as before.
    """
    leave = pl.col("event") == "leave"
    keys = ev.filter(leave).select("unit_code", "fiscal_year").unique().collect()
    moves = inp.registry.successors_then(keys)
    if moves.is_empty():
        return ev
    return (ev.join(moves.lazy(), on=["unit_code", "fiscal_year"], how="left", maintain_order="left")
            .with_columns(unit_code=pl.when(leave & pl.col("successor").is_not_null())
                          .then(pl.col("successor")).otherwise(pl.col("unit_code")))
            .drop("successor"))


def length_band(days: pl.Expr) -> pl.Expr:
    """The LENGTH_BANDS label of a number of days (`unknown` when null)."""
    expr = pl.lit(UNKNOWN_BAND)  # null days compare as null, which `when` treats as false
    for label, low, high in reversed(LENGTH_BANDS):
        expr = pl.when((days >= low) & (days < high)).then(pl.lit(label)).otherwise(expr)
    return expr


def lengths(inp: Inputs) -> pl.LazyFrame | None:
    """Each leave event repeated once per band of its gender (breakdown = `gender|band`), flagged
    where its length falls: numerator = in band, denominator = leave events of the gender."""
    ev = events(inp)
    if ev is None:
        return None
    bands = pl.LazyFrame({"_band": [b for b, _, _ in LENGTH_BANDS] + [UNKNOWN_BAND]})
    return (
        ev.filter((pl.col("event") == "leave") & pl.col("gender").is_in(["female", "male"]))
        .with_columns(_own=length_band(pl.col("days")))
        .join(bands, how="cross")
        .with_columns(breakdown=pl.concat_str("gender", "_band", separator="|"),
                      _in=pl.col("_own") == pl.col("_band"))
    )


def spouse_leave(inp: Inputs) -> pl.LazyFrame | None:
    """Men's birth events (as in `events`) flagged by spouse-birth / childcare-participation leave
    taken in the leave year of a birth of that FY or the next; breakdown = leave kind or `either`."""
    ev, leave, cc = events(inp), inp.frame("leave"), inp.frame("childcare")
    if ev is None or leave is None or cc is None:
        return None
    fiscal = inp.config.leave_year == "fiscal"
    births = cc.select(pl.col("staff_id").cast(pl.String), pl.col("birth_date").cast(pl.Date)).with_columns(
        fiscal_year=fiscal_year_expr("birth_date"),
        _ly=fiscal_year_expr("birth_date") if fiscal else pl.col("birth_date").dt.year().cast(pl.Int64))
    taken = (leave.filter(pl.col("leave_type").is_in(list(SPOUSE_TYPES)) & (pl.col("days") > 0))
             .select(pl.col("staff_id").cast(pl.String), pl.col("year").cast(pl.Int64).alias("_year"),
                     pl.col("leave_type").cast(pl.String)))
    flags = (
        births.join(taken, on="staff_id", how="inner")
        .filter((pl.col("_year") == pl.col("_ly")) | (pl.col("_year") == pl.col("_ly") + 1))
        .group_by("staff_id", "fiscal_year")
        .agg(**{k: (pl.col("leave_type") == k).any() for k in SPOUSE_TYPES})
    )
    men = ev.filter((pl.col("event") == "birth") & (pl.col("gender") == "male")).join(
        flags, on=["staff_id", "fiscal_year"], how="left")
    parts = [men.with_columns(breakdown=pl.lit(k), _took=pl.col(k).fill_null(False)) for k in SPOUSE_TYPES]
    parts.append(men.with_columns(breakdown=pl.lit("either"),
                                  _took=pl.any_horizontal(list(SPOUSE_TYPES)).fill_null(False)))
    return pl.concat(parts, how="vertical")


def _rate(kpi_id: str, gender: str, leave: pl.Expr | None = None) -> KpiDef:
    g = pl.col("gender") == gender
    took = pl.col("event") == "leave"
    if leave is not None:
        took = took & leave
    return KpiDef(
        kpi_id, events,
        numerator=(g & took).sum().cast(pl.Float64),
        denominator=(g & (pl.col("event") == "birth")).sum().cast(pl.Float64),
        n=pl.col("staff_id").filter(g).n_unique(),
        scale=100.0,
    )


DEFS: tuple[KpiDef, ...] = (
    _rate("male_childcare_leave_rate", "male"),
    _rate("female_childcare_leave_rate", "female"),
    _rate("male_childcare_leave_1w_share", "male", pl.col("days").fill_null(0) >= 7),
    _rate("male_childcare_leave_2w_share", "male", pl.col("days").fill_null(0) >= 14),
    KpiDef("childcare_leave_length_share", lengths, numerator=pl.col("_in").sum().cast(pl.Float64),
           denominator=pl.len().cast(pl.Float64), n=pl.len(), scale=100.0),
    KpiDef("spouse_birth_leave_rate", spouse_leave, numerator=pl.col("_took").sum().cast(pl.Float64),
           denominator=pl.len().cast(pl.Float64), n=pl.len(), scale=100.0),
)
