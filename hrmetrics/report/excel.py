"""The Excel workbook: each `DataTable` of the report model as one sheet, in the report's language.

Headers, widths, frozen header row, autofilter; percentages stored as fractions with a percent
format (so Excel sums and charts them correctly), hours/days with one decimal, people/counts
whole. Text is neutralised (`'=…`) and written as a string, never as a formula.

Speed: what each cell becomes (number, text, 非表示, blank) and its format are decided per column
in polars; the Python loop only hands ready values to xlsxwriter, row by row, in its
constant-memory mode (a finished row is flushed to disk, so a 100,000-row KPI sheet does not
sit in memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from hrmetrics.report.labels import HIDDEN
from hrmetrics.report.model import Column, DataTable
from hrmetrics.spreadsheet_safety import neutralise_expr

# format codes of a prepared cell
_TEXT, _ONE, _INT, _PCT, _HIDDEN, _BOOL = range(6)


class _Formats:
    def __init__(self, wb: Any) -> None:
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#E8EDF3", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.by_code = {
            _ONE: wb.add_format({"num_format": "#,##0.0"}),
            _INT: wb.add_format({"num_format": "#,##0"}),
            _PCT: wb.add_format({"num_format": "0.0%"}),
            _HIDDEN: wb.add_format({"bg_color": "#E5E7EB", "font_color": "#6B7280", "align": "center"}),
        }


def _unit_format(unit: pl.Expr) -> pl.Expr:
    return pl.when(unit == "%").then(_PCT).when(unit.is_in(["people", "count"])).then(_INT).otherwise(_ONE)


def _prepared(sheet: DataTable, lang: str) -> list[tuple[list[Any], list[int] | int]]:
    """Per column: the values to write and their format code (one code, or one per row)."""
    frame = sheet.frame
    out = []
    hidden_text = HIDDEN.get(lang, HIDDEN["en"])
    for col in sheet.columns:
        dtype = frame.schema[col.id]
        src = pl.col(col.id)
        if col.is_value and dtype.is_numeric():
            unit = _column_unit(col)
            code = _unit_format(unit).cast(pl.Int8)
            value = pl.when(unit == "%").then(src / 100).otherwise(src)
            if col.hidden_col:
                code = pl.when(pl.col(col.hidden_col).fill_null(False)).then(_HIDDEN).otherwise(code)
            got = frame.select(value.alias("v"), code.cast(pl.Int8).alias("c"))
            vals, codes = got["v"].to_list(), got["c"].to_list()
            if col.hidden_col:
                vals = [hidden_text if c == _HIDDEN else v for v, c in zip(vals, codes, strict=True)]
            out.append((vals, codes))
        elif dtype == pl.Boolean:
            out.append((frame[col.id].to_list(), _BOOL))
        elif dtype.is_integer():
            out.append((frame[col.id].to_list(), _INT))
        elif dtype.is_float():
            out.append((frame[col.id].to_list(), _ONE))
        else:
            out.append((frame.select(neutralise_expr(src).alias("v"))["v"].to_list(), _TEXT))
    return out


def _column_unit(col: Column) -> pl.Expr:
    if col.unit_col:
        return pl.col(col.unit_col)
    return pl.lit(col.unit, dtype=pl.String)


def _write_sheet(wb: Any, fmts: _Formats, sheet: DataTable, lang: str) -> None:
    ws = wb.add_worksheet(sheet.title)
    for c, col in enumerate(sheet.columns):
        ws.write_string(0, c, col.label, fmts.header)
    _widths(ws, sheet)
    if sheet.header_height:
        ws.set_row(0, sheet.header_height)
    ws.freeze_panes(1, sheet.freeze_cols)
    ws.autofilter(0, 0, max(1, sheet.frame.height), max(0, len(sheet.columns) - 1))
    columns = _prepared(sheet, lang)
    by_code = fmts.by_code
    for c, (values, codes) in enumerate(columns):
        if isinstance(codes, int):
            columns[c] = (values, [codes] * len(values))
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    cells = [list(zip(v, k, strict=True)) for v, k in columns]
    for r, row in enumerate(zip(*cells, strict=True), start=1):
        for c, (value, code) in enumerate(row):
            if value is None:
                continue
            if code in (_TEXT, _HIDDEN):
                write_string(r, c, str(value), by_code.get(code))
            elif code == _BOOL:
                write_boolean(r, c, value)
            else:
                write_number(r, c, value, by_code[code])


def _widths(ws: Any, sheet: DataTable) -> None:
    """Column widths from the header and the first 200 values (wide characters count double)."""
    head = sheet.frame.head(200)
    for c, col in enumerate(sheet.columns):
        sample = [len(col.label) * 2] + [
            len(str(v)) * (2 if isinstance(v, str) and not v.isascii() else 1) for v in head[col.id].to_list()
        ]
        ws.set_column(c, c, min(48, max(8, max(sample) + 2)))


def write_workbook(path: Path, sheets: Sequence[DataTable], lang: str = "ja") -> Path:
    """Write the sheets (already scrubbed tables) to one workbook."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": True,
        },
    )
    fmts = _Formats(wb)
    for sheet in sheets:
        _write_sheet(wb, fmts, sheet, lang)
    wb.close()
    return path
