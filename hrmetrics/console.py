"""Terminal output of an intake run (rich tables).

Why a separate module: the CLI should stay a thin call, and the same printout is useful from a
notebook. Only the first rejects are shown on screen; the full list is in the CSVs, and the
printout says where.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

MAX_REJECTS_SHOWN = 20

_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
"""Characters that a terminal obeys or hides rather than shows: C0/C1 controls (ESC starts an
ANSI sequence), zero-width and bidi-override characters, the BOM."""


def visible(value: object) -> str:
    """Text from a data file made safe to show: controls and invisible characters are written as
    `\\x1b` / `\\u202e`, so a value can neither drive the terminal nor hide part of itself."""
    text = "" if value is None else str(value)
    return _INVISIBLE.sub(lambda m: _escape_char(m.group(0)), text)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def data_text(value: object, style: str = "") -> Any:
    """A rich Text of data: never parsed as markup (`[/bold]` stays literal), controls escaped."""
    from rich.text import Text

    return Text(visible(value), style=style)

_LABELS = {
    "ja": {
        "files": "ファイル別の結果", "file": "ファイル", "dataset": "データ", "read": "読込行",
        "accepted": "取込", "rejected": "除外", "warned": "注意", "status": "状態", "message": "内容",
        "rejects": "取り込めなかった行 (先頭 {n} 件 / 全 {total} 件)", "row": "行", "column": "列",
        "value": "値", "rule": "規則", "reason": "理由",
        "hint_csv": "全件は {path} の CSV (Excel で開けます) にあります。",
        "hint_out": "全件を CSV で見るには --out フォルダを指定してください。",
        "all_ok": "すべての行を取り込みました。",
        "ok": "正常", "partial": "一部除外", "refused": "取込不可", "duplicate": "読込済み",
    },
    "en": {
        "files": "Files", "file": "File", "dataset": "Dataset", "read": "Read",
        "accepted": "Accepted", "rejected": "Rejected", "warned": "Warned", "status": "Status",
        "message": "Message",
        "rejects": "Rejected rows (first {n} of {total})", "row": "Row", "column": "Column",
        "value": "Value", "rule": "Rule", "reason": "Reason",
        "hint_csv": "The full list is in the CSV files in {path} (they open in Excel).",
        "hint_out": "Give an --out folder to get the full list as CSV.",
        "all_ok": "Every row was accepted.",
        "ok": "ok", "partial": "partly rejected", "refused": "refused", "duplicate": "already loaded",
    },
}
_STYLE = {"ok": "green", "partial": "yellow", "refused": "red", "duplicate": "cyan"}


def print_intake(result: Any, lang: str = "ja", console: Any = None) -> None:
    """Print one table of files and one of the first rejects, then where the full CSVs are."""
    from rich.console import Console

    console = console or Console()
    t = _LABELS["en" if lang == "en" else "ja"]
    console.print(files_table(result, t))
    for r in result.reports:  # refusals and duplicates need their sentence, not just a status
        if r.status in ("refused", "duplicate"):
            line = data_text(r.file, _STYLE[r.status])
            line.append(": ")
            line.append(visible(r.message))
            console.print(line)
    rejects: pl.DataFrame = result.rejects
    if rejects.height == 0:
        if result.all_accepted:
            console.print(f"[green]{t['all_ok']}[/green]")
        return
    console.print(rejects_table(rejects, t))
    rejects_dir = getattr(result, "rejects_dir", None)
    console.print(data_text(t["hint_csv"].format(path=rejects_dir) if rejects_dir else t["hint_out"]))


def files_table(result: Any, t: dict[str, str]) -> Any:
    """Rows read/accepted/rejected/warned and status per file."""
    from rich.table import Table

    table = Table(title=t["files"])
    for key in ("file", "dataset"):
        table.add_column(t[key])
    for key in ("read", "accepted", "rejected", "warned"):
        table.add_column(t[key], justify="right")
    table.add_column(t["status"])
    for r in result.reports:
        style = _STYLE.get(r.status, "")
        table.add_row(data_text(r.file), data_text(r.dataset or "-"), f"{r.rows_read:,}",
                      f"{r.rows_accepted:,}", f"{r.rows_rejected:,}", f"{r.rows_warned:,}",
                      data_text(t.get(r.status, r.status), style))
    return table


def rejects_table(rejects: pl.DataFrame, t: dict[str, str]) -> Any:
    """The first rejects: file, row, column, value, rule and the reason in the run's language."""
    from rich.table import Table

    shown = rejects.sort("file", "row", nulls_last=False, maintain_order=True).head(MAX_REJECTS_SHOWN)
    table = Table(title=t["rejects"].format(n=shown.height, total=rejects.height))
    for key in ("file", "row", "column", "value", "rule", "reason"):
        table.add_column(t[key], justify="right" if key == "row" else "left", overflow="fold")
    for r in shown.iter_rows(named=True):  # at most 20 rows: display only
        table.add_row(data_text(r["file"]), "" if r["row"] is None else str(r["row"]), data_text(r["column"]),
                      data_text(r["value"]), data_text(r["rule"]), data_text(r["message"]))
    return table


_SCORE_LABELS = {
    "ja": {"title": "計画の進捗 (組織全体・最新年度)", "kpi": "指標", "period": "期間", "actual": "実績",
           "target": "目標", "rating": "評価", "projection": "推計 (目標年度)", "probability": "達成確率",
           "achieved": "達成", "report": "報告書: {path}",
           "quality": "取込: {files} ファイル、{rows:,} 行 (除外 {rej:,} 行)"},
    "en": {"title": "Plan progress (organisation, latest period)", "kpi": "KPI", "period": "Period",
           "actual": "Actual", "target": "Target", "rating": "Rating",
           "projection": "Projection (target year)",
           "probability": "P(meet)", "achieved": "achieved", "report": "Report: {path}",
           "quality": "Loaded: {files} files, {rows:,} rows ({rej:,} rejected)"},
}


def latest_organisation_progress(progress: pl.DataFrame) -> pl.DataFrame:
    """The organisation's latest row per target: what a scorecard shows first."""
    org = progress.filter(pl.col("level") == "organisation", pl.col("actual").is_not_null())
    return (org.sort("year").group_by(["kpi", "breakdown"], maintain_order=True).last()
            .sort(["kpi", "breakdown"], nulls_last=True))


def progress_table(progress: pl.DataFrame, lang: str = "ja") -> Any:
    """A rich table of the organisation's latest progress row per KPI."""
    from rich.table import Table

    from hrmetrics.jpcalendar import format_period
    from hrmetrics.kpis.catalog import KPIS

    t = _SCORE_LABELS["en" if lang == "en" else "ja"]
    table = Table(title=t["title"])
    table.add_column(t["kpi"], overflow="fold", min_width=14)
    table.add_column(t["period"], overflow="fold")
    for key in ("actual", "target", "rating", "projection", "probability"):
        table.add_column(t[key], justify="right", no_wrap=True)
    for row in latest_organisation_progress(progress).iter_rows(named=True):
        kpi = KPIS.get(row["kpi"])
        name = kpi.label(lang) if kpi else row["kpi"]
        if row.get("breakdown"):
            name += f" ({row['breakdown']})"
        rating = t["achieved"] if row.get("achieved") else (row.get("rating") or "—")
        table.add_row(
            data_text(name),
            data_text(format_period(row["period"], lang=lang)),
            _num(row.get("actual")),
            f"{row.get('comparator') or ''} {_num(row.get('target'))}".strip(),
            rating,
            _num(row.get("projection")),
            "—" if row.get("probability") is None else f"{row['probability'] * 100:.0f}%",
        )
    return table


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:,.1f}"


def print_progress(progress: pl.DataFrame, lang: str = "ja", console: Any = None) -> None:
    """Print the organisation's latest progress per target."""
    from rich.console import Console

    (console or Console()).print(progress_table(progress, lang))


def block_renderable(block: Any) -> Any:
    """One block of the report model as a rich renderable (tables as tables, charts by name)."""
    from rich.table import Table as RichTable
    from rich.text import Text

    from hrmetrics.report.model import Chart, Headline, Note, Table

    if isinstance(block, Table):
        table = RichTable(title=data_text(block.caption) if block.caption else None, title_justify="left")
        numeric = [any(c.value is not None or c.cls.startswith(("num", "hidden")) for c in col)
                   for col in zip(*block.rows, strict=True)] if block.rows else []
        for i, h in enumerate(block.headers):
            table.add_column(data_text(h), justify="right" if i < len(numeric) and numeric[i] else "left",
                             overflow="fold")
        for row in block.rows:
            table.add_row(*[data_text(f"{c.text} ({c.sub})" if c.sub else c.text) for c in row])
        return table
    if isinstance(block, Headline):
        line = data_text(block.title, "bold")
        for k, v in block.facts:
            line.append(f"  {visible(k)}: ", style="dim")
            line.append(visible(v))
        return line
    if isinstance(block, Chart):
        return data_text(f"[{block.alt}] {block.caption}".strip(), "dim")
    if isinstance(block, Note):
        return data_text(block.text, "dim" if block.cls == "note" else "")
    return Text(visible(block))


def print_report(report: Any, sections: tuple[str, ...] | None = None, console: Any = None) -> None:
    """The report model on the terminal: each section's title, notes, headlines and tables, in the
    report's language (the same model the HTML page and the workbook render)."""
    from rich.console import Console
    from rich.rule import Rule

    console = console or Console()
    for section in report.sections:
        if sections is not None and section.id not in sections:
            continue
        console.print(Rule(data_text(section.title), align="left"))
        for block in section.blocks:
            console.print(block_renderable(block))


def print_run_summary(result: Any, lang: str = "ja", console: Any = None) -> None:
    """End of `hrmetrics demo`/`run`: data quality in one line, the report's summary section (the
    plan scorecard, as in the HTML report), the report path."""
    from rich.console import Console

    console = console or Console()
    t = _SCORE_LABELS["en" if lang == "en" else "ja"]
    quality = result.intake.summary_frame()
    console.print(files_table(result.intake, _LABELS["en" if lang == "en" else "ja"]))
    console.print(t["quality"].format(files=quality.height, rows=int(quality["rows_read"].sum()),
                                      rej=int(quality["rows_rejected"].sum())))
    model = getattr(result.report, "report", None)
    if model is not None and model.section("summary") is not None:
        print_report(model, sections=("summary",), console=console)
    elif result.progress is not None and result.progress.height:
        console.print(progress_table(result.progress, lang))
    console.print(data_text(t["report"].format(path=result.report_path)))


def print_audit(results: pl.DataFrame, lang: str = "ja", console: Any = None) -> int:
    """Per family: cells hidden / protected / pinned / group disclosures; returns the failures."""
    from rich.console import Console
    from rich.table import Table

    from hrmetrics.disclosure.audit import failing, summary

    ja = lang != "en"
    title = "開示監査 (公表値からの復元)" if ja else "Disclosure audit (recovery from published numbers)"
    table = Table(title=title)
    heads = (["系列", "非表示セル", "未公表の残余", "保護", "うち法定公表値", "特定", "全員/誰も"] if ja else
             ["family", "hidden", "remainders", "protected", "of which statutory", "pinned", "all/none"])
    for i, h in enumerate(heads):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in summary(results).iter_rows():
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
    console = console or Console()
    console.print(table)
    bad = failing(results)
    for cell, status, lo, hi in bad.select("cell", "status", "num_min", "num_max").head(20).iter_rows():
        console.print(data_text(f"  {cell}: {status} [{lo:g}, {hi:g}]"))
    if bad.height:
        text = (f"{bad.height} 件の非表示セルが公表値から復元できます。" if ja
                else f"{bad.height} hidden cells can be recovered from published numbers.")
    else:
        text = ("問題なし: 復元できる非表示セルはありません。" if ja
                else "OK: no hidden cell can be recovered.")
    console.print(text, markup=False)
    return bad.height
