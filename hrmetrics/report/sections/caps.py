"""時間外勤務の上限規制の状況: staff counts over each cap rule by division (organisation report:
heatmap; pack: this division against the organisation). Counts only; nobody is named."""

from __future__ import annotations

import polars as pl

from hrmetrics.report import charts, data
from hrmetrics.report.labels import MISSING, format_value, fy_label, t
from hrmetrics.report.model import Block, Cell, Note, Table
from hrmetrics.report.sections._base import ORG, ReportInputs, chart, num

IN_PACKS = True


def cap_labels(inp: ReportInputs) -> dict[str, str]:
    return {c[0]: (c[1] if inp.lang == "ja" else c[2]) for c in inp.layout["report"]["caps"]}


def build(inp: ReportInputs) -> list[Block]:
    lang = inp.lang
    labels = cap_labels(inp)
    units = [inp.focus, ORG] if inp.in_pack else None
    counts, year = data.cap_counts(inp.kpis, list(labels), units)
    if counts.is_empty():
        return [Note(t(lang, "データがありません。", "No data."))]
    intro = Note(
        t(
            lang,
            f"{fy_label(year, lang)}に各上限を超えた職員の人数です（個人は特定しません）。",
            f"Number of staff over each cap in {fy_label(year, lang)} (no individual is identified).",
        )
    )
    order = [k for k in labels if k in counts["kpi"].to_list()]
    if inp.in_pack:
        rows = []
        for k in order:
            cells = []
            for code in (inp.focus, ORG):
                r = counts.filter((pl.col("unit_code") == code) & (pl.col("kpi") == k))
                cells.append(
                    num(r["count"][0], "people", lang, bool(r["suppressed"][0]))
                    if r.height
                    else Cell(MISSING)
                )
            rows.append((Cell(labels[k]), *cells))
        headers = (
            t(lang, "上限", "Cap"),
            t(lang, "この所属", "This division"),
            t(lang, "組織全体", "Organisation"),
        )
        return [intro, Table(headers, tuple(rows))]
    cells = counts.filter(pl.col("unit_code") != ORG).select(
        pl.col("unit_name").alias("row"),
        pl.col("kpi").replace_strict(labels, default=None).alias("col"),
        pl.col("count").alias("value"),
        "suppressed",
        pl.col("unit_code"),
    )
    cells = cells.with_columns(
        pl.struct("value", "suppressed")
        .map_elements(
            lambda r: format_value(r["value"], "people", lang, r["suppressed"]), return_dtype=pl.String
        )
        .alias("text"),
        pl.lit("").alias("mark"),
    )
    heat = charts.heatmap(
        cells,
        "people",
        lang,
        title=t(lang, "上限超過の人数（所属別）", "Staff over caps"),
        x_sort=[labels[k] for k in order],
        y_sort=cells.sort("unit_code")["row"].unique(maintain_order=True).to_list(),
    )
    return [intro, chart("caps", heat, t(lang, "上限規制の状況", "Overtime caps"))]
