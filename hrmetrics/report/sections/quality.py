"""付録：データ品質: per input file rows read/accepted/rejected/warned with a link to its rejects
CSV, and the disclosure audit's sentence (organisation report only)."""

from __future__ import annotations

import polars as pl

from hrmetrics.report.labels import MISSING, t
from hrmetrics.report.model import Block, Cell, Note, Table
from hrmetrics.report.privacy import safe_filename
from hrmetrics.report.sections._base import ReportInputs, num

IN_PACKS = False


def build(inp: ReportInputs) -> list[Block]:
    """Per input file: rows read/accepted/rejected/warned, status, link to its rejects CSV."""
    lang = inp.lang
    q = inp.quality
    if q is None or q.is_empty():
        return [Note(t(lang, "取込結果の情報がありません。", "No intake summary."))]
    headers = (
        t(lang, "ファイル", "File"),
        t(lang, "データ", "Dataset"),
        t(lang, "読込行数", "Read"),
        t(lang, "採用", "Accepted"),
        t(lang, "却下", "Rejected"),
        t(lang, "警告", "Warned"),
        t(lang, "状態", "Status"),
        t(lang, "却下・警告の詳細", "Details"),
    )
    rows = []
    for r in q.iter_rows(named=True):
        bad = (r.get("rows_rejected") or 0) + (r.get("rows_warned") or 0) > 0 or r.get("status") == "refused"
        link = (
            Cell(f"{r['dataset']}.csv", href=f"../rejects/{safe_filename(str(r['dataset']))}.csv")
            if bad and r.get("dataset")
            else Cell(MISSING)
        )
        rows.append(
            (
                Cell(r.get("file") or MISSING),
                Cell(r.get("dataset") or MISSING),
                *[
                    num(r.get(c), "count", lang)
                    for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_warned")
                ],
                Cell(r.get("status") or MISSING, cls=f"status-{r.get('status')}"),
                link,
            )
        )
    return [
        Note(
            t(
                lang,
                "入力ファイルごとの取込結果です。却下行の内容はリンク先のCSVを参照してください。",
                "Intake result per input file; rejected rows are listed in the linked CSV.",
            )
        ),
        Table(headers, tuple(rows)),
        *disclosure_blocks(inp),
    ]


def disclosure_blocks(inp: ReportInputs) -> list[Note]:
    """The protection rule and the audit's result, in one sentence."""
    acc = inp.disclosure
    if acc is None:
        return []
    res = acc.results
    cells = res.filter(~pl.col("remainder"))["cell"].n_unique() if res.height else 0
    groups = res.filter(pl.col("remainder"))["cell"].n_unique() if res.height else 0
    cfg = inp.config
    width = int(getattr(cfg, "protection_width", 2))
    text = t(
        inp.lang,
        f"公表する数値は、{cfg.min_group_hr}人未満（職員意識調査は{cfg.min_group_survey}人未満）の集団を"
        "非表示とし、公表値どうしの関係（組織の階層、職位の積み上げ、共通の分子、行がないこと）から"
        f"復元できないよう追加で非表示にしています。公表値すべてを整数計画で解く監査の結果、非表示の{cells:,}セルは"
        f"いずれも人数が{width}人以上の幅で定まらず、「全員」「誰も」も確定しません（差し引きで求まる未公表の"
        f"残余{groups:,}集団も同じ基準を満たすか表示できる人数以上。"
        f"監査による追加の非表示 {len(acc.added):,}セル）。",
        f"Groups under {cfg.min_group_hr} people ({cfg.min_group_survey} for the staff survey) are hidden, "
        "and further cells are hidden so that no relation between published numbers (the unit "
        "hierarchy, grade ladders, shared numerators, absent rows) brings them back. An audit that "
        f"solves every published number as an integer program finds none of the {cells:,} hidden "
        f"cells known to within {width} people, and none provably all or none (the {groups:,} "
        "unpublished remainders a subtraction gives meet the same test or are large enough to show; "
        f"{len(acc.added):,} cells hidden by the audit).",
    )
    return [Note(text)]
