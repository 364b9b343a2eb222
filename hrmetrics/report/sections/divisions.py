"""所属別の比較: the division table, then per KPI ranked bars for the latest year and a
division × year heatmap (organisation report only: a pack never shows other divisions)."""

from __future__ import annotations

import polars as pl

from hrmetrics.kpis.catalog import KPIS
from hrmetrics.report import charts, data
from hrmetrics.report.labels import format_period, format_value, kpi_label, kpi_unit, t
from hrmetrics.report.model import Block, Headline
from hrmetrics.report.sections._base import ORG, ReportInputs, chart, table_of

IN_PACKS = False


def build(inp: ReportInputs) -> list[Block]:
    lang = inp.lang
    blocks: list[Block] = []
    if inp.divisions is not None:
        blocks.append(
            table_of(inp.divisions, lang, t(lang, "各指標の最新値", "Latest value of each indicator"))
        )
    for kpi in inp.layout["report"]["division_kpis"]:
        year = data.latest_year(inp.kpis, kpi)
        if year is None:
            continue
        unit = kpi_unit(kpi, "")
        latest = data.latest_by_division(inp.kpis, kpi, year)
        if latest.is_empty():
            continue
        org = data.series(inp.kpis, kpi, ORG).filter(pl.col("year") == year)
        org_value = org["value"][0] if org.height else None
        period = data.headline(inp.kpis, kpi).filter(pl.col("year") == year)["period"][0]
        higher = KPIS[kpi].direction != "lower" if kpi in KPIS else True
        label = kpi_label(kpi, lang)
        blocks.append(Headline(f"div-{kpi}", label))
        bars = charts.ranked_bars(
            latest,
            unit,
            org_value,
            lang,
            title=f"{label}　{format_period(period, lang)}",
            higher_is_better=higher,
        )
        blocks.append(
            chart(
                f"div-bars-{kpi}",
                bars,
                label,
                t(lang, "破線は組織全体の値。上ほど望ましい順。", "Dashed rule: organisation. Best first."),
            )
        )
        hist = (
            data.headline(inp.kpis, kpi)
            .filter(pl.col("level") == "division")
            .select(
                pl.col("unit_name").alias("row"),
                pl.col("period").alias("col"),
                "value",
                pl.col("suppressed").fill_null(False),
                "year",
            )
        )
        cells = hist.with_columns(
            pl.struct("value", "suppressed")
            .map_elements(
                lambda r, u=unit: format_value(r["value"], u, lang, r["suppressed"]), return_dtype=pl.String
            )
            .alias("text"),
            pl.lit("").alias("mark"),
        )
        cols = hist.sort("year")["col"].unique(maintain_order=True).to_list()
        heat = charts.heatmap(
            cells,
            unit,
            lang,
            title=t(lang, "所属 × 年度", "Division × year"),
            x_sort=cols,
            y_sort=latest.sort("unit_code")["unit_name"].to_list(),
        )
        blocks.append(chart(f"div-heat-{kpi}", heat, label))
    return blocks
