"""Read-only selections from the KPI, progress and survey tables, shaped for one chart or table.

Everything is a filter/select/pivot of rows the producers already computed.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.orgs import ORG_CODE as ORG


def headline(kpis: pl.DataFrame, kpi: str) -> pl.DataFrame:
    """Rows of one KPI without breakdown, in the restated view when both views exist."""
    out = kpis.filter((pl.col("kpi") == kpi) & pl.col("breakdown").is_null())
    if "view" in out.columns and out["view"].n_unique() > 1:
        out = out.filter(pl.col("view") == "restated")
    return out


def series(kpis: pl.DataFrame, kpi: str, unit_code: str) -> pl.DataFrame:
    """year, period, value, suppressed of one unit, oldest first."""
    return (
        headline(kpis, kpi)
        .filter(pl.col("unit_code") == unit_code)
        .select("year", "period", "value", "suppressed")
        .sort("year")
    )


def latest_year(kpis: pl.DataFrame, kpi: str) -> int | None:
    years = headline(kpis, kpi)["year"]
    return None if years.is_empty() else int(years.max())


def divisions(kpis: pl.DataFrame) -> pl.DataFrame:
    """unit_code, unit_name of every division in the table (latest name wins), sorted by code."""
    return (
        kpis.filter(pl.col("level") == "division")
        .sort("year")
        .group_by("unit_code", maintain_order=True)
        .agg(pl.col("unit_name").last())
        .sort("unit_code")
    )


def latest_by_division(kpis: pl.DataFrame, kpi: str, year: int) -> pl.DataFrame:
    """unit_code, unit_name, value, suppressed for the divisions in `year`."""
    return (
        headline(kpis, kpi)
        .filter((pl.col("level") == "division") & (pl.col("year") == year))
        .select("unit_code", "unit_name", "value", pl.col("suppressed").fill_null(False))
    )


def progress_rows(progress: pl.DataFrame | None, unit_code: str) -> pl.DataFrame:
    """Progress rows of one scope without breakdown (empty frame when there is no progress)."""
    if progress is None or progress.is_empty():
        return pl.DataFrame()
    out = progress.filter(pl.col("unit_code") == unit_code)
    if "breakdown" in out.columns:
        out = out.filter(pl.col("breakdown").is_null())
    return out.sort("kpi", "year")


def latest_progress(progress: pl.DataFrame | None, unit_code: str) -> pl.DataFrame:
    """The latest progress row per KPI of one scope."""
    rows = progress_rows(progress, unit_code)
    if rows.is_empty():
        return rows
    return rows.group_by("kpi", maintain_order=True).last()


def division_table(kpis: pl.DataFrame, kpi_ids: list[str], units: list[str] | None = None) -> pl.DataFrame:
    """Latest value of each KPI for ORG and divisions: unit_code, unit_name, then per KPI
    `<kpi>` (value) and `<kpi>__hidden` (suppressed flag), ORG first."""
    frame = kpis.filter(pl.col("level").is_in(["organisation", "division"]))
    if units is not None:
        frame = frame.filter(pl.col("unit_code").is_in(units))
    names = (
        frame.sort("year")
        .group_by("unit_code", maintain_order=True)
        .agg(pl.col("unit_name").last())
        .with_columns((pl.col("unit_code") != ORG).alias("_order"))
        .sort("_order", "unit_code")
        .drop("_order")
    )
    out = names
    for kpi in kpi_ids:
        year = latest_year(frame, kpi)
        if year is None:
            continue
        cells = (
            headline(frame, kpi)
            .filter(pl.col("year") == year)
            .select(
                "unit_code",
                pl.col("value").alias(kpi),
                pl.col("suppressed").fill_null(False).alias(f"{kpi}__hidden"),
            )
        )
        out = out.join(cells, on="unit_code", how="left")
    return out


def survey_cells(
    kpis: pl.DataFrame, changes: pl.DataFrame | None, units: list[str] | None = None
) -> tuple[pl.DataFrame, str | None]:
    """dimension_favourable of the latest wave with the significance mark from the wave changes.

    Returns (frame with unit_code, unit_name, dimension, value, suppressed, mark, diff), period.
    """
    dim = kpis.filter(
        (pl.col("kpi") == "dimension_favourable")
        & pl.col("breakdown").is_not_null()
        & pl.col("level").is_in(["organisation", "division"])
    )
    if units is not None:
        dim = dim.filter(pl.col("unit_code").is_in(units))
    if dim.is_empty():
        return pl.DataFrame(), None
    year = int(dim["year"].max())
    cells = dim.filter(pl.col("year") == year).select(
        "unit_code",
        "unit_name",
        pl.col("breakdown").alias("dimension"),
        "value",
        pl.col("suppressed").fill_null(False),
        "period",
    )
    period = cells["period"][0]
    if changes is not None and not changes.is_empty():
        ch = changes.filter((pl.col("scope") == "dimension") & (pl.col("wave_to") == period)).select(
            "unit_code",
            pl.col("key").alias("dimension"),
            "diff",
            pl.when(pl.col("significant").fill_null(False) & ~pl.col("suppressed").fill_null(False))
            .then(pl.when(pl.col("diff") > 0).then(pl.lit("▲")).otherwise(pl.lit("▼")))
            .otherwise(pl.lit(""))
            .alias("mark"),
        )
        cells = cells.join(ch, on=["unit_code", "dimension"], how="left")
    else:
        cells = cells.with_columns(pl.lit(None, pl.Float64).alias("diff"), pl.lit("").alias("mark"))
    return cells.with_columns(pl.col("mark").fill_null("")).drop("period"), period


def cap_counts(
    kpis: pl.DataFrame, cap_ids: list[str], units: list[str] | None = None
) -> tuple[pl.DataFrame, int | None]:
    """Staff counts (numerators) over each cap rule in the latest FY: unit_code, unit_name, kpi,
    count, suppressed. Counts only: no individual is named anywhere."""
    rows = kpis.filter(
        pl.col("kpi").is_in(cap_ids)
        & pl.col("breakdown").is_null()
        & pl.col("level").is_in(["organisation", "division"])
    )
    if units is not None:
        rows = rows.filter(pl.col("unit_code").is_in(units))
    if rows.is_empty():
        return pl.DataFrame(), None
    year = int(rows["year"].max())
    return rows.filter(pl.col("year") == year).select(
        "unit_code",
        "unit_name",
        "kpi",
        pl.col("numerator").alias("count"),
        pl.col("suppressed").fill_null(False),
    ), year
