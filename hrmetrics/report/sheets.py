"""The workbook's tables as `DataTable`s, in the report's language: KPI table, progress, divisions,
data quality, rejected rows.

Column labels live here once (Japanese and English); the Excel writer only renders what these
declare, and the division table of the HTML report is rendered from the same `DataTable`.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.report import data
from hrmetrics.report.labels import kpi_label, kpi_unit, t
from hrmetrics.report.model import Column, DataTable

HEADERS: dict[str, tuple[str, str]] = {
    "kpi": ("指標ID", "KPI id"),
    "kpi_label": ("指標", "Indicator"),
    "breakdown": ("内訳", "Breakdown"),
    "level": ("階層", "Level"),
    "unit_code": ("所属コード", "Unit code"),
    "unit_name": ("所属名", "Unit name"),
    "parent_code": ("上位所属", "Parent unit"),
    "period": ("期間", "Period"),
    "period_type": ("期間の種類", "Period type"),
    "year": ("年", "Year"),
    "value": ("値", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "n": ("人数", "People"),
    "suppressed": ("非表示", "Hidden"),
    "unit": ("単位", "Unit"),
    "view": ("組織の見方", "Organisation view"),
    "actual": ("実績", "Actual"),
    "baseline": ("基準値", "Baseline"),
    "baseline_year": ("基準年度", "Baseline year"),
    "target": ("目標", "Target"),
    "target_year": ("目標年度", "Target year"),
    "comparator": ("比較", "Comparator"),
    "trajectory": ("計画の経路", "Plan trajectory"),
    "gap": ("差", "Gap"),
    "pace_needed": ("必要なペース", "Pace needed"),
    "pace_so_far": ("これまでのペース", "Pace so far"),
    "achieved": ("達成", "Achieved"),
    "rating": ("評価", "Rating"),
    "rating_source": ("評価の根拠", "Rating basis"),
    "tolerance": ("許容幅", "Tolerance"),
    "projection": ("見通し", "Projection"),
    "pi80_low": ("80%下限", "80% low"),
    "pi80_high": ("80%上限", "80% high"),
    "pi95_low": ("95%下限", "95% low"),
    "pi95_high": ("95%上限", "95% high"),
    "probability": ("達成確率", "Probability"),
    "year_reached": ("到達見込み年度", "Year reached"),
    "trend_note": ("傾向の注記", "Trend note"),
    "file": ("ファイル", "File"),
    "dataset": ("データ", "Dataset"),
    "rows_read": ("読込行数", "Rows read"),
    "rows_accepted": ("採用行数", "Rows accepted"),
    "rows_rejected": ("却下行数", "Rows rejected"),
    "rows_warned": ("警告行数", "Rows warned"),
    "status": ("状態", "Status"),
    "message": ("メッセージ", "Message"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "rule": ("規則", "Rule"),
    "severity": ("重大度", "Severity"),
}
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "kpis": ("KPI表", "KPIs"),
    "progress": ("進捗", "Progress"),
    "divisions": ("所属別", "By division"),
    "quality": ("データ品質", "Data quality"),
    "rejects": ("却下行", "Rejected rows"),
}
VALUE_COLUMNS = frozenset(
    {
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
)
"""Columns holding a KPI value: stored in the KPI's unit (a % as a fraction with a % format)."""


def header(column: str, lang: str) -> str:
    pair = HEADERS.get(column)
    return column if pair is None else t(lang, *pair)


def sheet_name(sheet_id: str, lang: str) -> str:
    return t(lang, *SHEET_NAMES[sheet_id])


def _plain(sheet_id: str, frame: pl.DataFrame, lang: str, unit_col: str | None = None) -> DataTable:
    cols = tuple(
        Column(
            c, header(c, lang), is_value=c in VALUE_COLUMNS, unit_col=unit_col if c in VALUE_COLUMNS else None
        )
        for c in frame.columns
    )
    return DataTable(sheet_id, sheet_name(sheet_id, lang), frame, cols)


def kpi_sheet(kpis: pl.DataFrame, lang: str) -> DataTable:
    """The KPI table with the indicator's label first; values in each row's own unit."""
    ids = kpis["kpi"].unique().to_list()
    labels = {k: kpi_label(k, lang) for k in ids}
    frame = kpis.select(
        pl.col("kpi").replace_strict(labels, return_dtype=pl.String).alias("kpi_label"), pl.all()
    )
    return _plain("kpis", frame, lang, unit_col="unit")


def progress_sheet(progress: pl.DataFrame, lang: str) -> DataTable:
    """The progress table; a value column's unit is its KPI's (progress rows carry no unit)."""
    ids = progress["kpi"].unique().to_list()
    units = {k: kpi_unit(k) or None for k in ids}
    frame = progress.with_columns(
        pl.col("kpi").replace_strict(units, default=None, return_dtype=pl.String).alias("__unit")
    )
    table = _plain("progress", progress, lang, unit_col="__unit")
    return DataTable(table.id, table.title, frame, table.columns)


def division_sheet(kpis: pl.DataFrame, kpi_ids: list[str], lang: str) -> DataTable:
    """Latest value of each listed KPI for the organisation and each division (ORG first)."""
    table = data.division_table(kpis, kpi_ids)
    shown = [k for k in kpi_ids if k in table.columns]
    cols = (
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        *[
            Column(k, kpi_label(k, lang), is_value=True, unit=kpi_unit(k), hidden_col=f"{k}__hidden")
            for k in shown
        ],
    )
    return DataTable("divisions", sheet_name("divisions", lang), table, cols, freeze_cols=2, header_height=48)


def workbook_sheets(
    kpis: pl.DataFrame,
    progress: pl.DataFrame | None,
    divisions: DataTable | None,
    quality: pl.DataFrame | None,
    rejects: pl.DataFrame | None,
    lang: str,
) -> tuple[DataTable, ...]:
    """The sheets in workbook order (a sheet with no table is left out)."""
    sheets = [kpi_sheet(kpis, lang)]
    if progress is not None and not progress.is_empty():
        sheets.append(progress_sheet(progress, lang))
    if divisions is not None:
        sheets.append(divisions)
    if quality is not None:
        sheets.append(_plain("quality", quality, lang))
    if rejects is not None:
        sheets.append(_plain("rejects", rejects, lang))
    return tuple(sheets)
