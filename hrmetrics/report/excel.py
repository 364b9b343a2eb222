"""The Excel workbook: KPI表, 進捗, 所属別, データ品質, 却下行.

Japanese headers, widths, frozen header row, autofilter; percentages stored as fractions with a
percent format (so Excel sums and charts them correctly), hours/days with one decimal.
Every text cell goes through `neutralise_text` and is written as a string, never as a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from hrmetrics.report.labels import HIDDEN, kpi_label, kpi_unit
from hrmetrics.spreadsheet_safety import neutralise_text

HEADERS_JA = {
    "kpi": "指標ID",
    "kpi_label": "指標",
    "breakdown": "内訳",
    "level": "階層",
    "unit_code": "所属コード",
    "unit_name": "所属名",
    "parent_code": "上位所属",
    "period": "期間",
    "period_type": "期間の種類",
    "year": "年",
    "value": "値",
    "numerator": "分子",
    "denominator": "分母",
    "n": "人数",
    "suppressed": "非表示",
    "unit": "単位",
    "view": "組織の見方",
    "actual": "実績",
    "baseline": "基準値",
    "baseline_year": "基準年度",
    "target": "目標",
    "target_year": "目標年度",
    "comparator": "比較",
    "trajectory": "計画の経路",
    "gap": "差",
    "pace_needed": "必要なペース",
    "pace_so_far": "これまでのペース",
    "achieved": "達成",
    "rating": "評価",
    "rating_source": "評価の根拠",
    "tolerance": "許容幅",
    "projection": "見通し",
    "pi80_low": "80%下限",
    "pi80_high": "80%上限",
    "pi95_low": "95%下限",
    "pi95_high": "95%上限",
    "probability": "達成確率",
    "year_reached": "到達見込み年度",
    "trend_note": "傾向の注記",
    "file": "ファイル",
    "dataset": "データ",
    "rows_read": "読込行数",
    "rows_accepted": "採用行数",
    "rows_rejected": "却下行数",
    "rows_warned": "警告行数",
    "status": "状態",
    "message": "メッセージ",
    "row": "行",
    "column": "列",
    "rule": "規則",
    "severity": "重大度",
}
_VALUE_COLS = {
    "value",
    "actual",
    "baseline",
    "target",
    "trajectory",
    "gap",
    "projection",
    "pi80_low",
    "pi80_high",
    "pi95_low",
    "pi95_high",
}


class _Formats:
    def __init__(self, wb: Any) -> None:
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#E8EDF3", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.pct = wb.add_format({"num_format": "0.0%"})
        self.one = wb.add_format({"num_format": "#,##0.0"})
        self.int = wb.add_format({"num_format": "#,##0"})
        self.hidden = wb.add_format({"bg_color": "#E5E7EB", "font_color": "#6B7280", "align": "center"})
        self.text = wb.add_format({})


def _number_format(fmts: _Formats, unit: str | None) -> Any:
    return fmts.int if unit in ("people", "count") else fmts.one


def _write_cell(
    ws: Any, r: int, c: int, value: Any, fmts: _Formats, unit: str | None = None, is_value: bool = False
) -> None:
    """One cell: strings via write_string (never a formula), % as fractions with a % format."""
    if value is None:
        ws.write_blank(r, c, None)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        if is_value and unit == "%":
            ws.write_number(r, c, value / 100, fmts.pct)
        elif is_value or isinstance(value, float):
            ws.write_number(r, c, value, _number_format(fmts, unit))
        else:
            ws.write_number(r, c, value, fmts.int if not isinstance(value, float) else fmts.one)
    else:
        ws.write_string(r, c, str(neutralise_text(str(value))))


def _sheet(
    wb: Any,
    fmts: _Formats,
    name: str,
    df: pl.DataFrame,
    unit_col: str | None = None,
    unit_of_kpi: bool = False,
) -> None:
    """A table sheet with Japanese headers, widths, frozen header and autofilter."""
    ws = wb.add_worksheet(name)
    cols = df.columns
    for c, col in enumerate(cols):
        ws.write_string(0, c, HEADERS_JA.get(col, col), fmts.header)
    for r, row in enumerate(df.iter_rows(named=True), start=1):
        unit = row.get(unit_col) if unit_col else None
        if unit_of_kpi and unit is None and row.get("kpi"):
            unit = kpi_unit(row["kpi"])
        for c, col in enumerate(cols):
            _write_cell(ws, r, c, row[col], fmts, unit, is_value=col in _VALUE_COLS)
    for c, col in enumerate(cols):
        sample = [len(str(HEADERS_JA.get(col, col))) * 2] + [
            len(str(v)) * (2 if isinstance(v, str) and not v.isascii() else 1)
            for v in df[col].head(200).to_list()
        ]
        ws.set_column(c, c, min(48, max(8, max(sample) + 2)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, df.height), max(0, len(cols) - 1))


def _division_sheet(wb: Any, fmts: _Formats, table: pl.DataFrame, kpi_ids: list[str], lang: str) -> None:
    """所属別: one row per unit (ORG first), one column per KPI (latest value); hidden → 非表示."""
    ws = wb.add_worksheet("所属別")
    kpis = [k for k in kpi_ids if k in table.columns]
    headers = [HEADERS_JA["unit_code"], HEADERS_JA["unit_name"], *[kpi_label(k, "ja") for k in kpis]]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, fmts.header)
    for r, row in enumerate(table.iter_rows(named=True), start=1):
        ws.write_string(r, 0, str(neutralise_text(row["unit_code"])))
        ws.write_string(r, 1, str(neutralise_text(row["unit_name"] or "")))
        for c, k in enumerate(kpis, start=2):
            if row.get(f"{k}__hidden"):
                ws.write_string(r, c, HIDDEN["ja"], fmts.hidden)
            else:
                _write_cell(ws, r, c, row[k], fmts, kpi_unit(k), is_value=True)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 22)
    ws.set_column(2, max(2, len(headers) - 1), 16)
    ws.set_row(0, 48)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(1, table.height), len(headers) - 1)


def write_workbook(
    path: Path,
    kpis: pl.DataFrame,
    progress: pl.DataFrame | None,
    division_table: pl.DataFrame,
    division_kpis: list[str],
    quality: pl.DataFrame | None,
    rejects: pl.DataFrame | None,
    lang: str = "ja",
) -> Path:
    """Write the workbook from already scrubbed tables."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmts = _Formats(wb)
    labelled = kpis.with_columns(
        pl.col("kpi").map_elements(lambda k: kpi_label(k, lang), return_dtype=pl.String).alias("kpi_label")
    )
    labelled = labelled.select("kpi_label", *[c for c in kpis.columns])
    _sheet(wb, fmts, "KPI表", labelled, unit_col="unit")
    if progress is not None and not progress.is_empty():
        _sheet(wb, fmts, "進捗", progress, unit_of_kpi=True)
    _division_sheet(wb, fmts, division_table, division_kpis, lang)
    if quality is not None:
        _sheet(wb, fmts, "データ品質", quality)
    if rejects is not None:
        _sheet(wb, fmts, "却下行", rejects)
    wb.close()
    return path
