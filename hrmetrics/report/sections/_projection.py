"""What the report says about a projection: its value or "reaches the limit", the fit window, and a
warning when the baseline-window and all-history fits disagree (scorecard and trend captions)."""

from __future__ import annotations

from typing import Any

import polars as pl

from hrmetrics.report import data
from hrmetrics.report.labels import MISSING, format_pct, format_value, fy_label, kpi_label, kpi_unit, t
from hrmetrics.report.model import Note
from hrmetrics.report.sections._base import ReportInputs


def _probability(p: float | None) -> str:
    """Progress tables may hold probability as 0–1 or 0–100; show it as a percentage."""
    if p is None:
        return MISSING
    return format_pct(p * 100 if p <= 1 else p)


def _projection_cell(r: dict[str, Any], unit: str, lang: str) -> tuple[str, str]:
    """(value, 80% interval) of a projection; past the KPI's range it "reaches the limit".

    A clipped line would otherwise print a zero-width interval such as 「100.0%〜100.0%」.
    """
    low, high = r.get("pi80_low"), r.get("pi80_high")
    sub = ""
    if low is not None and high is not None and low != high:
        sub = f"{format_value(low, unit, lang)}〜{format_value(high, unit, lang)}"
    if r.get("limit") is not None:
        bound = format_value(r["limit"], unit, lang)
        return t(lang, f"上限（{bound}）に到達", f"reaches the limit ({bound})"), sub
    mark = " ※" if r.get("fits_disagree") else ""
    return format_value(r.get("projection"), unit, lang) + mark, sub


def _window_label(window: str | None, lang: str) -> str:
    if window == "baseline":
        return t(lang, "計画の基準年度から", "from the plan's baseline year")
    if window == "all":
        return t(lang, "全期間", "all history")
    if window and window.startswith("FY"):
        return t(lang, f"{fy_label(int(window[2:]), lang)}から", f"from {fy_label(int(window[2:]), lang)}")
    return MISSING


def projection_note(r: dict[str, Any], unit: str, lang: str) -> str:
    """The fit window of a projection, and what a reader must know about it, as sentences.

    Said on every chart with a projection (the window changes the answer), plus a warning when
    the baseline-window and all-history fits disagree by more than the 80% interval, and a note
    when the line reaches the KPI's limit.
    """
    if r.get("fit_from") is None:
        return ""
    span = f"{fy_label(r['fit_from'], lang)}〜{fy_label(r['fit_to'], lang)}"
    window = _window_label(r.get("fit_window"), lang)
    text = t(
        lang,
        f"　見通しの直線は{span}の値に当てはめています（当てはめ期間の設定：{window}）。",
        f"  The projection is a straight line fitted to {span} (fit window: {window}).",
    )
    if r.get("fit_note"):
        text += t(lang, f"{r['fit_note']}。", f" {r['fit_note']}.")
    if r.get("fits_disagree") and r.get("alt_projection") is not None:
        alt_span = f"{fy_label(r['alt_from'], lang)}〜{fy_label(r['fit_to'], lang)}"
        alt = format_value(r["alt_projection"], unit, lang)
        p_alt = _probability(r.get("alt_probability"))
        proj = format_value(r.get("projection"), unit, lang)
        p_own = _probability(r.get("probability"))
        text += t(
            lang,
            f"※{span}の傾向では{proj}（達成確率{p_own}）ですが、{alt_span}の傾向では{alt}（同{p_alt}）で、"
            "両者は80%予測区間を超えて食い違います。どの期間の傾向が続くかで見通しが変わるため、"
            "幅をもって読んでください。",
            f" ※ The {span} trend gives {proj} (probability {p_own}) but the {alt_span} trend gives "
            f"{alt} ({p_alt}): they disagree by more than the 80% interval, so the outlook depends "
            "on which trend continues.",
        )
    if r.get("limit") is not None:
        bound = format_value(r["limit"], unit, lang)
        text += t(
            lang,
            f"見通しは目標年度までに上限（{bound}）に達するため、線と帯は{bound}で止めています。",
            f" The line reaches the limit ({bound}) before the target year, so line and band stop there.",
        )
    return text


def disagreement_notes(inp: ReportInputs, unit_code: str) -> list[Note]:
    """One note per KPI whose two fits disagree (under the scorecard, where ※ points)."""
    rows = data.latest_progress(inp.progress, unit_code)
    if rows.is_empty() or "fits_disagree" not in rows.columns:
        return []
    hit = rows.filter(pl.col("fits_disagree").fill_null(False))
    return [
        Note(
            f"{kpi_label(r['kpi'], inp.lang)}: "
            + projection_note(r, kpi_unit(r["kpi"], ""), inp.lang).strip(),
            cls="note",
        )
        for r in hit.iter_rows(named=True)
    ]
