"""意識調査と勤務実態の関係: division engagement against overtime, the association and its
ecological caution (organisation report only)."""

from __future__ import annotations

import polars as pl

from hrmetrics.report import charts
from hrmetrics.report.labels import MISSING, fy_label, kpi_label, t
from hrmetrics.report.model import Block, Headline, Note
from hrmetrics.report.sections._base import ReportInputs, chart

IN_PACKS = False


def build(inp: ReportInputs) -> list[Block]:
    """Division engagement against overtime with the association and its ecological caution."""
    lang = inp.lang
    panel, assoc = inp.survey.get("panel"), inp.survey.get("association") or {}
    x_col, y_col = assoc.get("x", "overtime_hours_per_staff"), assoc.get("y", "engagement_index")
    if panel is None or panel.is_empty() or x_col not in panel.columns or y_col not in panel.columns:
        return [Note(t(lang, "データがありません。", "No data."))]
    pts = panel.filter(pl.col(x_col).is_not_null() & pl.col(y_col).is_not_null())
    if pts.is_empty():
        return [Note(t(lang, "データがありません。", "No data."))]
    year = int(pts["year"].max())
    pts = pts.filter(pl.col("year") == year).select(
        "unit_name", pl.col(x_col).alias("x"), pl.col(y_col).alias("y")
    )
    stat = ""
    if assoc.get("r") is not None:
        stat = t(
            lang,
            f"相関係数 r = {assoc['r']:.2f}（95%信頼区間 {assoc['r_low']:.2f}〜{assoc['r_high']:.2f}、"
            f"所属数 {assoc['n_units']}）",
            f"r = {assoc['r']:.2f} (95% CI {assoc['r_low']:.2f} to {assoc['r_high']:.2f}, "
            f"{assoc['n_units']} units)",
        )
    scatter = charts.scatter_panel(
        pts,
        kpi_label(x_col, lang),
        kpi_label(y_col, lang),
        lang,
        title=f"{kpi_label(y_col, lang)} × {kpi_label(x_col, lang)}　{fy_label(year, lang)}",
        subtitle=stat,
    )
    note = assoc.get("note_ja" if lang == "ja" else "note_en") or t(
        lang,
        "所属単位の関係であり、個々の職員について何かを示すものではありません。",
        "A unit-level association; it says nothing about individual staff.",
    )
    return [
        chart("panel", scatter, t(lang, "散布図", "Scatter")),
        Headline("panel-association", "", ((t(lang, "関連", "Association"), stat or MISSING),)),
        Note(note, cls="note"),
    ]
