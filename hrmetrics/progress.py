"""The progress table: where each KPI stands against its plan, year by year.

For every target the plan's path is a straight line from the baseline to the target (broken at
interim targets). Against it we state the gap, the pace still needed against the pace so far,
whether the comparator already holds, and a suggested Kodaira-style rating:

* S — ahead of the path by more than the tolerance (年度当初の予定以上に進捗),
* A — within ± tolerance of the path (予定どおり),
* B — behind by more than the tolerance (予定よりも遅れている),

where tolerance = ``config.rating_tolerance`` × |target − baseline|, written in its own column so
nobody has to guess how the letter was decided. Kodaira rates programmes by people, so a rating
written in the plan file wins and is marked ``override``. A suppressed KPI value stays null here:
the row is kept with a note, never filled with a number.

The latest row of every unit also carries the statsmodels trend (see `hrmetrics.projection`).
National reference values sit in their own columns and play no part in the rating.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import polars as pl

from hrmetrics.config import Config
from hrmetrics.kpis.catalog import CATALOG, get_kpi
from hrmetrics.messages import message
from hrmetrics.plans import Plan, Target, national_reference
from hrmetrics.projection import MIN_POINTS, Projection, project, projection_table, trend_note_text

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

PROGRESS_SCHEMA: dict[str, Any] = {
    "kpi": pl.String, "breakdown": pl.String, "level": pl.String, "unit_code": pl.String,
    "unit_name": pl.String, "period": pl.String, "year": pl.Int64, "actual": pl.Float64,
    "baseline": pl.Float64, "baseline_year": pl.Int64, "target": pl.Float64, "target_year": pl.Int64,
    "comparator": pl.String, "trajectory": pl.Float64, "gap": pl.Float64, "pace_needed": pl.Float64,
    "pace_so_far": pl.Float64, "achieved": pl.Boolean, "rating": pl.String, "rating_source": pl.String,
    "tolerance": pl.Float64, "projection": pl.Float64, "pi80_low": pl.Float64, "pi80_high": pl.Float64,
    "pi95_low": pl.Float64, "pi95_high": pl.Float64, "probability": pl.Float64,
    "year_reached": pl.Int64, "trend_note": pl.String,
    # beyond the contract columns: why a row has no number / who rated it, and the national
    # reference kept apart from the target.
    "note": pl.String, "reference_value": pl.Float64, "reference_label": pl.String,
    # the fit window (config.projection_from) and what the other window says (see `_projections`)
    "fit_window": pl.String, "fit_from": pl.Int64, "fit_to": pl.Int64, "fit_note": pl.String,
    "alt_window": pl.String, "alt_from": pl.Int64, "alt_projection": pl.Float64,
    "alt_probability": pl.Float64, "fits_disagree": pl.Boolean, "limit": pl.Float64,
}
PROGRESS_COLUMNS: list[str] = list(PROGRESS_SCHEMA)
_PROJECTION_COLUMNS = ("projection", "pi80_low", "pi80_high", "pi95_low", "pi95_high", "probability",
                       "year_reached", "trend_note", "fit_window", "fit_from", "fit_to", "fit_note",
                       "alt_window", "alt_from", "alt_projection", "alt_probability", "fits_disagree")


def _note(key: str, lang: str, **fields: Any) -> str:
    return message(f"progress.{key}", lang, **fields)


# --------------------------------------------------------------------------- pure arithmetic


def trajectory_value(knots: list[tuple[int, float]], year: int) -> float:
    """The planned value in `year` on the piecewise-straight path through (year, value) knots.

    Before the first knot the path is the baseline and after the last it is the target: a plan
    asks for nothing beyond its target.
    """
    if year <= knots[0][0]:
        return knots[0][1]
    for (y0, v0), (y1, v1) in itertools.pairwise(knots):
        if year <= y1:
            return v0 + (year - y0) * (v1 - v0) / (y1 - y0)
    return knots[-1][1]


def _trajectory_expr(knots: list[tuple[int, float]]) -> pl.Expr:
    """`trajectory_value` as one vectorised polars expression."""
    year = pl.col("year").cast(pl.Float64)
    expr: Then | ChainedThen = pl.when(year <= knots[0][0]).then(pl.lit(knots[0][1]))
    for (y0, v0), (y1, v1) in itertools.pairwise(knots):
        expr = expr.when(year <= y1).then(v0 + (year - y0) * (v1 - v0) / (y1 - y0))
    return expr.otherwise(pl.lit(knots[-1][1]))


def suggested_rating(gap: float, tolerance: float, comparator: str) -> str:
    """S/A/B from the gap to the path; "ahead" is below the path for `<=`, above it for `>=`."""
    ahead = -gap if comparator == "<=" else gap
    if ahead > tolerance:
        return "S"
    return "A" if ahead >= -tolerance else "B"


# --------------------------------------------------------------------------- matching the KPI table


def _prepare(kpis: pl.DataFrame) -> pl.DataFrame:
    """The KPI table with the columns we rely on; the restated view only, when views are mixed."""
    df = kpis
    if "breakdown" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("breakdown"))
    if "suppressed" not in df.columns:
        df = df.with_columns(pl.lit(False).alias("suppressed"))
    if "view" in df.columns and (df["view"] == "restated").any():
        df = df.filter(pl.col("view") == "restated")
    return df.with_columns(
        pl.col("year").cast(pl.Int64),
        # a suppressed cell never carries a number, whatever the value column says
        pl.when(pl.col("suppressed").fill_null(False)).then(None).otherwise(pl.col("value"))
        .cast(pl.Float64).alias("value"),
    )


def _rows_for(kpis: pl.DataFrame, t: Target) -> pl.DataFrame:
    """KPI rows of this target's KPI/breakdown in its scope (plus every division if asked)."""
    same = (pl.col("kpi") == t.kpi) & (
        pl.col("breakdown").is_null() if t.breakdown is None else pl.col("breakdown") == t.breakdown
    )
    scope = pl.col("unit_code") == t.unit_code
    if t.apply_to_divisions:
        scope = scope | (pl.col("level") == "division")
    return kpis.filter(same & scope)


# --------------------------------------------------------------------------- one target


def _target_frame(rows: pl.DataFrame, t: Target, config: Config) -> pl.DataFrame:
    """Trajectory, gap, paces, achieved and suggested rating for the target's rows from baseline on."""
    assert t.baseline is not None and t.target is not None and t.comparator is not None
    assert t.baseline_period is not None and t.target_period is not None
    by, ty = t.baseline_period.year, t.target_period.year
    tolerance = config.rating_tolerance * abs(float(t.target) - float(t.baseline))
    actual, year = pl.col("actual"), pl.col("year")
    sign = -1.0 if t.comparator == "<=" else 1.0
    ahead = pl.col("gap") * sign
    met = actual <= t.target if t.comparator == "<=" else actual >= t.target
    return (
        rows.filter(pl.col("year") >= by)
        .select("kpi", "breakdown", "level", "unit_code", "unit_name", "period", "year",
                pl.col("value").alias("actual"))
        .with_columns(
            pl.lit(float(t.baseline)).alias("baseline"), pl.lit(by, dtype=pl.Int64).alias("baseline_year"),
            pl.lit(float(t.target)).alias("target"), pl.lit(ty, dtype=pl.Int64).alias("target_year"),
            pl.lit(t.comparator).alias("comparator"), _trajectory_expr(t.knots()).alias("trajectory"),
            pl.lit(tolerance).alias("tolerance"),
        )
        .with_columns(
            (actual - pl.col("trajectory")).alias("gap"),
            pl.when(year < ty).then((t.target - actual) / (ty - year)).alias("pace_needed"),
            pl.when(year > by).then((actual - t.baseline) / (year - by)).alias("pace_so_far"),
            met.alias("achieved"),
        )
        .with_columns(
            pl.when(actual.is_null()).then(None)
            .when(ahead > tolerance).then(pl.lit("S"))
            .when(ahead >= -tolerance).then(pl.lit("A"))
            .otherwise(pl.lit("B")).alias("rating"),
            pl.when(actual.is_null()).then(pl.lit(_note("suppressed", config.lang)))
            .otherwise(None).alias("note"),
        )
        .with_columns(pl.when(pl.col("rating").is_not_null()).then(pl.lit("suggested")).alias("rating_source"))
    )


def _apply_overrides(frame: pl.DataFrame, t: Target, lang: str) -> pl.DataFrame:
    """Ratings written in the plan replace ours on the same unit and year."""
    if not t.overrides or frame.is_empty():
        return frame
    table = pl.DataFrame(
        {"unit_code": [o.unit_code for o in t.overrides], "year": [o.period.year for o in t.overrides],
         "_rating": [o.rating for o in t.overrides],
         "_note": [_note("override", lang, reason=o.reason) for o in t.overrides]},
        schema={"unit_code": pl.String, "year": pl.Int64, "_rating": pl.String, "_note": pl.String},
    )
    joined = frame.join(table, on=["unit_code", "year"], how="left")
    hit = pl.col("_rating").is_not_null()
    return joined.with_columns(
        pl.when(hit).then(pl.col("_rating")).otherwise(pl.col("rating")).alias("rating"),
        pl.when(hit).then(pl.lit("override")).otherwise(pl.col("rating_source")).alias("rating_source"),
        pl.when(hit).then(pl.concat_str([pl.col("note"), pl.col("_note")], separator="; ", ignore_nulls=True))
        .otherwise(pl.col("note")).alias("note"),
    ).drop("_rating", "_note")


def _series(rows: pl.DataFrame, unit_code: str, t: Target) -> pl.DataFrame:
    """The unit's yearly values; for the target's own unit, plan-published values fill missing years.

    A plan's baseline and published actuals (e.g. Kodaira's 157 h in FY2020 and 156 h in FY2021)
    are the organisation's own figures for years the loaded data may not cover; the loaded data
    wins wherever both exist.
    """
    data = (rows.filter((pl.col("unit_code") == unit_code) & pl.col("value").is_not_null())
            .sort("year").unique(subset="year", keep="last").select("year", "value"))
    if unit_code != t.unit_code:
        return data.sort("year")
    assert t.baseline is not None and t.baseline_period is not None
    published = [(t.baseline_period.year, float(t.baseline))]
    published += [(m.period.year, float(m.value)) for m in t.observed]
    have = set(data["year"].to_list())
    schema = pl.Schema({"year": pl.Int64, "value": pl.Float64})
    extra = pl.DataFrame([(y, v) for y, v in published if y not in have], schema=schema, orient="row")
    return pl.concat([data.cast(schema), extra.unique(subset="year")]).sort("year")


def fit_window(series: pl.DataFrame, t: Target, setting: str) -> tuple[pl.DataFrame, str, bool]:
    """The yearly values the trend is fitted to under `setting` (config.projection_from).

    Returns (values, the window actually used, whether it fell back). `"baseline"` keeps the
    plan's baseline year on; with fewer than 3 such values it falls back to all history (and
    says so) rather than draw nothing where a longer record exists.
    """
    assert t.baseline_period is not None
    if setting == "all":
        return series, "all", False
    start = t.baseline_period.year if setting == "baseline" else int(setting[2:])
    window = series.filter(pl.col("year") >= start)
    if setting == "baseline" and window.height < MIN_POINTS <= series.height:
        return series, "all", True
    return window, setting, False


def _disagree(a: Projection, b: Projection) -> bool:
    """Whether two fits disagree by more than the 80% interval: either projection lies outside
    the other's 80% prediction interval."""
    if a.projection is None or b.projection is None:
        return False
    assert a.pi80_low is not None and a.pi80_high is not None
    assert b.pi80_low is not None and b.pi80_high is not None
    return not (a.pi80_low <= b.projection <= a.pi80_high) or not (
        b.pi80_low <= a.projection <= b.pi80_high)


def _unit_projection(series: pl.DataFrame, t: Target, setting: str, lang: str) -> dict[str, Any]:
    """Projection columns of one unit: the chosen window's fit and the other window's verdict.

    The "other window" is all history when the chosen fit starts later, else the baseline
    window; it is reported only when it uses a different set of years.
    """
    assert t.target is not None and t.target_period is not None and t.comparator is not None
    ty, target, comp = t.target_period.year, float(t.target), t.comparator
    used, window, fell_back = fit_window(series, t, setting)
    p = project(used, ty, target, comp)
    alt_setting = "baseline" if window == "all" else "all"
    alt_used, alt_window, _ = fit_window(series, t, alt_setting)
    same = alt_used["year"].to_list() == used["year"].to_list()
    alt = None if same or alt_used.height < MIN_POINTS else project(alt_used, ty, target, comp)
    return {
        "projection": p.projection, "pi80_low": p.pi80_low, "pi80_high": p.pi80_high,
        "pi95_low": p.pi95_low, "pi95_high": p.pi95_high, "probability": p.probability,
        "year_reached": p.year_reached, "trend_note": trend_note_text(p.trend_note, lang),
        "fit_window": window, "fit_from": used["year"].min(), "fit_to": used["year"].max(),
        "fit_note": _note("window_fallback", lang) if fell_back else None,
        "alt_window": alt_window if alt is not None else None,
        "alt_from": alt_used["year"].min() if alt is not None else None,
        "alt_projection": alt.projection if alt is not None else None,
        "alt_probability": alt.probability if alt is not None else None,
        "fits_disagree": _disagree(p, alt) if alt is not None else False,
    }


def _projections(frame: pl.DataFrame, rows: pl.DataFrame, t: Target, config: Config) -> pl.DataFrame:
    """Trend columns on each unit's latest row (nulls elsewhere)."""
    latest = frame.group_by("unit_code").agg(pl.col("year").max())
    records = [
        {"unit_code": unit_code, "year": year,
         **_unit_projection(_series(rows, unit_code, t), t, config.projection_from, config.lang)}
        for unit_code, year in latest.iter_rows()
    ]
    schema = {"unit_code": pl.String, "year": pl.Int64} | {c: PROGRESS_SCHEMA[c] for c in _PROJECTION_COLUMNS}
    return frame.join(pl.DataFrame(records, schema=schema), on=["unit_code", "year"], how="left")


def _reference(frame: pl.DataFrame, t: Target, config: Config) -> pl.DataFrame:
    refs = national_reference(t.kpi, t.breakdown, config.workspace) if config.national_reference else []
    ref = refs[0] if refs else None
    return frame.with_columns(
        pl.lit(ref.value if ref else None, dtype=pl.Float64).alias("reference_value"),
        pl.lit(ref.label(config.lang) if ref else None, dtype=pl.String).alias("reference_label"),
    )


def target_progress(kpis: pl.DataFrame, t: Target, config: Config | None = None) -> pl.DataFrame:
    """The progress rows of one target (the KPI table must already be prepared)."""
    config = config or Config()
    rows = _rows_for(kpis, t)
    frame = _target_frame(rows, t, config)
    if frame.is_empty():
        return pl.DataFrame(schema=PROGRESS_SCHEMA)
    frame = _apply_overrides(frame, t, config.lang)
    frame = _projections(frame, rows, t, config)
    frame = _reference(frame, t, config).with_columns(limit=limit_reached("projection"))
    # two fits that both run past the same limit say the same thing: "reaches the limit"
    both_past = pl.col("limit").is_not_null() & (limit_reached("alt_projection") == pl.col("limit"))
    frame = frame.with_columns(fits_disagree=pl.col("fits_disagree") & ~both_past.fill_null(False))
    return frame.select(PROGRESS_COLUMNS).cast(PROGRESS_SCHEMA)  # type: ignore[arg-type]


def compute_progress(kpis: pl.DataFrame, plan: Plan, config: Config | None = None) -> pl.DataFrame:
    """The progress table (docs/architecture.md): one row per target × unit × period from the baseline on.

    Targets registered without a number (`target_not_set`) produce no rows; periods before the
    baseline are history for the trend, not progress, so they feed the projection only.
    """
    config = config or Config()
    prepared = _prepare(kpis)
    frames = [target_progress(prepared, t, config) for t in plan.with_targets()]
    if not frames:
        return pl.DataFrame(schema=PROGRESS_SCHEMA)
    levels = {"organisation": 0, "department": 1, "division": 2}
    level_order = pl.col("level").replace_strict(levels, default=3)
    return (clip_to_range(pl.concat(frames), ["projection", "pi80_low", "pi80_high", "pi95_low", "pi95_high",
                                  "alt_projection"])
            .with_columns(_lvl=level_order)
            .sort(["kpi", "breakdown", "_lvl", "unit_code", "year"], nulls_last=True).drop("_lvl"))


UNBOUNDED_RATES = frozenset(
    {"male_childcare_leave_rate", "female_childcare_leave_rate", "headcount_vs_quota",
     "male_childcare_leave_1w_share", "male_childcare_leave_2w_share", "gender_pay_ratio"})
"""Percentages that can legitimately exceed 100% (leaves started for last year's births; over quota)."""


def _upper_bound() -> pl.Expr:
    capped = [k.id for k in CATALOG if k.unit == "%" and k.id not in UNBOUNDED_RATES]
    return pl.when(pl.col("kpi").is_in(capped)).then(pl.lit(100.0)).otherwise(pl.lit(None, pl.Float64))


def limit_reached(column: str) -> pl.Expr:
    """The bound (0, or 100 for a share) that `column`'s unclipped projection passes, else null.

    The report then says "reaches the limit" instead of printing a zero-width interval such as
    「100.0%〜100.0%」.
    """
    c, upper = pl.col(column), _upper_bound()
    return (pl.when(upper.is_not_null() & (c > upper)).then(upper)
            .when(c < 0).then(pl.lit(0.0)).otherwise(pl.lit(None, pl.Float64)))


def clip_to_range(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Keep projected values inside what the KPI can take: never below 0, shares never above 100%.

    A straight line through a rising rate crosses 100% sooner or later; printing "106.5%" as the
    expected e-approval rate would be nonsense, so the line and its band stop at the bound. The
    probability of meeting the target is computed before clipping and is unaffected.
    """
    upper = _upper_bound()
    return frame.with_columns(pl.col(c).clip(0.0, upper) for c in columns if c in frame.columns)


# --------------------------------------------------------------------------- rating counts

KPI_GROUPS: tuple[str, ...] = ("overtime", "leave", "staff", "childcare", "approvals", "hires",
                               "exam_applicants", "separations", "pay", "survey")
"""The catalogue's dataset groups in the order of the rating-count table (labels: `kpi_group.*`)."""


def rating_counts(progress: pl.DataFrame, year: int | None = None, level: str = "organisation",
                  lang: str = "ja") -> pl.DataFrame:
    """Count of S/A/B (and achieved) by KPI group, like Kodaira's published table, with a total row.

    Each target × unit counts once, at `year` if given, else at its latest period (the year-end
    status, as Kodaira publishes it). Rows without a rating (suppressed) count as `unrated`.
    """
    df = progress.filter(pl.col("level") == level)
    if year is not None:
        df = df.filter(pl.col("year") == year)
    latest = df.sort("year").group_by(["kpi", "breakdown", "unit_code"], maintain_order=True).last()
    groups = [get_kpi(k).dataset for k in latest["kpi"].to_list()]
    latest = latest.with_columns(pl.Series("group", groups, dtype=pl.String))
    counts = latest.group_by("group").agg(
        pl.len().cast(pl.Int64).alias("targets"),
        *[(pl.col("rating") == r).sum().cast(pl.Int64).alias(r) for r in ("S", "A", "B")],
        pl.col("achieved").fill_null(False).sum().cast(pl.Int64).alias("achieved"),
        pl.col("rating").is_null().sum().cast(pl.Int64).alias("unrated"),
    )
    order = list(KPI_GROUPS)
    counts = counts.with_columns(
        pl.col("group").replace_strict({g: i for i, g in enumerate(order)}, default=len(order)).alias("_o"),
        pl.col("group").replace_strict({g: message(f"kpi_group.{g}", lang) for g in KPI_GROUPS},
                                       default=pl.col("group")).alias("group_label"),
    ).sort("_o").drop("_o")
    cols = ["group", "group_label", "targets", "S", "A", "B", "achieved", "unrated"]
    total = counts.select(pl.lit("total").alias("group"),
                          pl.lit(message("kpi_group.total", lang)).alias("group_label"),
                          *[pl.col(c).sum().cast(pl.Int64) for c in cols[2:]])
    return pl.concat([counts.select(cols), total.select(cols)])


PROJECTION_FRAME_SCHEMA: dict[str, Any] = {
    "kpi": pl.String, "breakdown": pl.String, "unit_code": pl.String, "year": pl.Int64, "fitted": pl.Float64,
    "pi80_low": pl.Float64, "pi80_high": pl.Float64, "pi95_low": pl.Float64, "pi95_high": pl.Float64,
}


def projection_frame(kpis: pl.DataFrame, plan: Plan, config: Config | None = None) -> pl.DataFrame:
    """Future-year trend lines and bands for every target × unit of the progress table (for charts).

    Same series as `compute_progress` uses (so the chart and the table agree); units with fewer
    than three points contribute no rows.
    """
    config = config or Config()
    prepared = _prepare(kpis)
    parts = []
    for t in plan.with_targets():
        assert t.baseline_period is not None and t.target_period is not None
        rows = _rows_for(prepared, t)
        units = rows.filter(pl.col("year") >= t.baseline_period.year)["unit_code"].unique().sort()
        for unit_code in units.to_list():
            used, _, _ = fit_window(_series(rows, unit_code, t), t, config.projection_from)
            tab = projection_table(used, t.target_period.year)
            parts.append(tab.with_columns(pl.lit(t.kpi).alias("kpi"), pl.lit(t.breakdown, dtype=pl.String)
                                          .alias("breakdown"), pl.lit(unit_code).alias("unit_code")))
    if not parts:
        return pl.DataFrame(schema=PROJECTION_FRAME_SCHEMA)
    frame = pl.concat(parts).select(list(PROJECTION_FRAME_SCHEMA)).cast(PROJECTION_FRAME_SCHEMA)  # type: ignore[arg-type]
    return clip_to_range(frame, ["fitted", "pi80_low", "pi80_high", "pi95_low", "pi95_high"])
