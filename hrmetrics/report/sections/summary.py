"""概要と計画の進捗: the plan scorecard (and, in a pack, the division's own table and targets)."""

from __future__ import annotations

from typing import Any

import polars as pl

from hrmetrics.report import data
from hrmetrics.report.labels import (
    MISSING,
    format_period,
    fy_label,
    kpi_label,
    kpi_unit,
    t,
)
from hrmetrics.report.model import Block, Cell, Note, Table
from hrmetrics.report.sections._base import ORG, ReportInputs, num, table_of
from hrmetrics.report.sections._projection import _probability, _projection_cell, disagreement_notes

IN_PACKS = True


def _rating(row: dict[str, Any], lang: str) -> Cell:
    if row.get("achieved"):
        return Cell(t(lang, "達成", "Achieved"), cls="rating rating-done")
    r = row.get("rating") or MISSING
    return Cell(r, cls=f"rating rating-{r}")


def scorecard(inp: ReportInputs, unit_code: str, caption: str) -> Table | None:
    """KPI, baseline, latest, target, rating, projection (80% interval), probability."""
    rows = data.latest_progress(inp.progress, unit_code)
    if rows.is_empty():
        return None
    order = {k: i for i, k in enumerate(inp.layout["report"]["trend_kpis"])}
    rows = rows.with_columns(pl.col("kpi").replace_strict(order, default=len(order)).alias("_o")).sort(
        "_o", "kpi"
    )
    lang = inp.lang
    headers = (
        t(lang, "指標", "Indicator"),
        t(lang, "基準値", "Baseline"),
        t(lang, "最新値", "Latest"),
        t(lang, "目標", "Target"),
        t(lang, "評価", "Rating"),
        t(lang, "目標年度の見通し（80%区間）", "Projection at target year (80% interval)"),
        t(lang, "達成確率", "Probability"),
    )
    body = []
    for r in rows.iter_rows(named=True):
        unit = kpi_unit(r["kpi"], "")
        proj_text, proj_sub = _projection_cell(r, unit, lang)
        prob = r.get("probability")
        body.append(
            (
                Cell(kpi_label(r["kpi"], lang)),
                num(r["baseline"], unit, lang, sub=fy_label(r.get("baseline_year"), lang)),
                num(r["actual"], unit, lang, sub=format_period(r["period"], lang)),
                num(r["target"], unit, lang, sub=fy_label(r.get("target_year"), lang)),
                _rating(r, lang),
                Cell(proj_text, cls="num", sub=proj_sub, value=r.get("projection"), unit=unit),
                Cell(_probability(prob), cls="num", value=prob, unit="probability"),
            )
        )
    return Table(headers, tuple(body), caption, cls="scorecard")


def summary_text(inp: ReportInputs, unit_code: str) -> str:
    rows = data.latest_progress(inp.progress, unit_code)
    lang = inp.lang
    if rows.is_empty():
        return t(lang, "計画目標が設定された指標はありません。", "No indicator has a plan target.")
    achieved = int(rows["achieved"].fill_null(False).sum()) if "achieved" in rows.columns else 0
    counts = {k: int((rows["rating"] == k).sum()) for k in ("S", "A", "B")}
    return t(
        lang,
        f"計画目標のある{rows.height}指標のうち、目標達成 {achieved}、S（計画を上回る）{counts['S']}、"
        f"A（計画どおり）{counts['A']}、B（計画を下回る）{counts['B']}です。",
        f"Of {rows.height} indicators with a plan target: {achieved} achieved, S (ahead) {counts['S']}, "
        f"A (on plan) {counts['A']}, B (behind) {counts['B']}.",
    )


def build(inp: ReportInputs) -> list[Block]:
    lang = inp.lang
    blocks: list[Block] = []
    if inp.in_pack:
        own = scorecard(
            inp,
            inp.focus,
            t(
                lang,
                "この所属の計画目標（組織全体の目標を所属に当てはめたものを含む。基準値・目標は計画の値）",
                "This division against the plan (including organisation targets applied to divisions; "
                "baseline and target as in the plan)",
            ),
        )
        blocks.append(
            Note(
                summary_text(inp, inp.focus)
                if own
                else t(
                    lang,
                    "この所属に個別の計画目標はありません。組織全体の目標と比べて示します。",
                    "This division has no targets of its own; it is shown against the organisation's.",
                )
            )
        )
        if inp.divisions is not None:
            blocks.append(
                table_of(inp.divisions, lang, t(lang, "各指標の最新値", "Latest value of each indicator"))
            )
        if own:
            blocks.append(own)
        blocks += disagreement_notes(inp, inp.focus)
    blocks.append(Note(summary_text(inp, ORG)))
    org = scorecard(inp, ORG, t(lang, "組織全体の計画目標", "Organisation plan targets"))
    if org:
        blocks.append(org)
    blocks += disagreement_notes(inp, ORG)
    blocks.append(
        Note(
            t(
                lang,
                "評価：S＝計画の経路を上回る、A＝計画どおり（許容幅内）、B＝計画を下回る。"
                "見通しは過去の傾向の延長であり、"
                "達成確率はその不確実性を表します。",
                "Rating: S = ahead of the plan trajectory, A = on plan (within tolerance), B = behind. "
                "Projections extend the past trend; the probability expresses its uncertainty.",
            ),
            cls="note",
        )
    )
    return blocks
