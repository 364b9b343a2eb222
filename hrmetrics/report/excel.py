"""The Excel workbook: each `DataTable` of the report model as one sheet, in the report's language.

Headers, widths, frozen header row, autofilter; percentages stored as fractions with a percent
format (so Excel sums and charts them correctly), hours/days with one decimal, people/counts
whole. Text is neutralised (`'=…`) and written as a string, never as a formula.

Speed: xlsxwriter writes the workbook's structure (styles, header row, widths, frozen panes,
filter); the data rows are built as sheet XML by polars string expressions, one expression per
column, and placed into the sheet afterwards. xlsxwriter's own path costs a few Python calls per
cell, which for the 100,000-staff organisation's KPI sheet (~1.2 million cells) was most of the
report stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from hrmetrics.report.labels import HIDDEN
from hrmetrics.report.model import Column, DataTable
from hrmetrics.spreadsheet_safety import neutralise_expr


class _Formats:
    """The workbook's cell formats and their style (XF) indices, which the sheet XML refers to."""

    def __init__(self, wb: Any) -> None:
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#E8EDF3", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.one = wb.add_format({"num_format": "#,##0.0"})
        self.int = wb.add_format({"num_format": "#,##0"})
        self.pct = wb.add_format({"num_format": "0.0%"})
        self.hidden = wb.add_format({"bg_color": "#E5E7EB", "font_color": "#6B7280", "align": "center"})

    def xf(self, fmt: Any) -> int:
        # xlsxwriter numbers a format when a cell first uses it; the cells here are written as
        # XML, so the number is asked for directly (the same call xlsxwriter's own writer makes).
        return int(fmt._get_xf_index())


_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"
"""Characters XML 1.0 cannot hold; written as Excel's `_xHHHH_` escape (as xlsxwriter does)."""


def _xml_text(expr: pl.Expr, controls: bool) -> pl.Expr:
    """Text escaped for an XML element: & < >, the `_xHHHH_` escape itself and, when the column
    has any (`controls`), control characters."""
    out = expr.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
    out = out.str.replace_all(">", "&gt;", literal=True).str.replace_all(r"(_x[0-9A-Fa-f]{4}_)", "_x005F$1")
    if controls:
        for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)):
            out = out.str.replace_all(chr(code), f"_x{code:04X}_", literal=True)
    return out


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell_xml(col: Column, c: int, frame: pl.DataFrame, fmts: _Formats, lang: str) -> pl.Expr:
    """One column's cells as XML strings (empty for a null), decided for the whole column at once."""
    dtype = frame.schema[col.id]
    src = pl.col(col.id)
    ref = pl.lit(f'<c r="{_letters(c)}') + pl.col("__row").cast(pl.String) + pl.lit('"')

    def number(value: pl.Expr, style: pl.Expr | int, value_is_float: bool = True) -> pl.Expr:
        style_expr = style if isinstance(style, pl.Expr) else pl.lit(style)
        value = pl.when(value.is_finite()).then(value) if value_is_float else value
        return (
            ref
            + pl.lit(' s="')
            + style_expr.cast(pl.String)
            + pl.lit('"><v>')
            + value.cast(pl.String)
            + pl.lit("</v></c>")
        )

    def string(value: pl.Expr, style: int | None = None, controls: bool = False) -> pl.Expr:
        s_attr = f' s="{style}"' if style else ""
        return (
            ref
            + pl.lit(f'{s_attr} t="inlineStr"><is><t xml:space="preserve">')
            + _xml_text(value, controls)
            + pl.lit("</t></is></c>")
        )

    if col.is_value and dtype.is_numeric():
        unit = pl.col(col.unit_col) if col.unit_col else pl.lit(col.unit, dtype=pl.String)
        pct = (unit == "%").fill_null(False)
        style = (
            pl.when(pct)
            .then(fmts.xf(fmts.pct))
            .when(unit.is_in(["people", "count"]).fill_null(False))
            .then(fmts.xf(fmts.int))
            .otherwise(fmts.xf(fmts.one))
        )
        cell = number(pl.when(pct).then(src.cast(pl.Float64) / 100).otherwise(src.cast(pl.Float64)), style)
        if col.hidden_col:
            hidden = string(pl.lit(HIDDEN.get(lang, HIDDEN["en"])), fmts.xf(fmts.hidden))
            cell = pl.when(pl.col(col.hidden_col).fill_null(False)).then(hidden).otherwise(cell)
        return cell
    if dtype == pl.Boolean:
        return ref + pl.lit(' t="b"><v>') + src.cast(pl.Int8).cast(pl.String) + pl.lit("</v></c>")
    if dtype.is_integer():
        return number(src, fmts.xf(fmts.int), value_is_float=False)
    if dtype.is_float():
        return number(src, fmts.xf(fmts.one))
    text = neutralise_expr(src)
    controls = bool(frame.select(text.str.contains(_CONTROL).any()).item())
    return string(text, controls=controls)


def _rows_xml(sheet: DataTable, fmts: _Formats, lang: str) -> str:
    """Every data row of the sheet as `<row>` elements, built by polars string expressions: no
    Python call per cell, so a 100,000-row KPI sheet costs what the string building costs."""
    if sheet.frame.height == 0 or not sheet.columns:
        return ""
    frame = sheet.frame.with_columns(pl.int_range(2, sheet.frame.height + 2).alias("__row"))
    cells = [_cell_xml(col, c, frame, fmts, lang).fill_null("") for c, col in enumerate(sheet.columns)]
    row = pl.concat_str(
        [pl.lit('<row r="') + pl.col("__row").cast(pl.String) + pl.lit('">'), *cells, pl.lit("</row>")]
    )
    return str(frame.select(row.str.join("")).item())


def _write_sheet(wb: Any, fmts: _Formats, sheet: DataTable, lang: str) -> str:
    """The sheet's header, widths, frozen panes and filter via xlsxwriter; returns its data rows'
    XML, which `write_workbook` places into the sheet once the workbook is written."""
    ws = wb.add_worksheet(sheet.title)
    for c, col in enumerate(sheet.columns):
        ws.write_string(0, c, col.label, fmts.header)
    _widths(ws, sheet)
    if sheet.header_height:
        ws.set_row(0, sheet.header_height)
    ws.freeze_panes(1, sheet.freeze_cols)
    last_row = max(1, sheet.frame.height)
    ws.autofilter(0, 0, last_row, max(0, len(sheet.columns) - 1))
    return _rows_xml(sheet, fmts, lang)


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
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmts = _Formats(wb)
    rows = [_write_sheet(wb, fmts, sheet, lang) for sheet in sheets]
    wb.close()
    _splice_rows(path, rows, sheets)
    return path


def _splice_rows(path: Path, rows: list[str], sheets: Sequence[DataTable]) -> None:
    """Put each sheet's data rows after its header row and widen its dimension to cover them.

    The rewritten sheets are compressed at level 1: several times faster than the default on a
    KPI sheet of tens of megabytes of XML, for a file a little larger."""
    import re
    import zipfile

    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            i = int(m.group(1)) - 1 if m else -1
            if i < 0 or not rows[i]:
                dst.writestr(info, blob, compress_type=zipfile.ZIP_DEFLATED)
                continue
            xml = blob.decode("utf-8")
            last = f"{_letters(max(0, len(sheets[i].columns) - 1))}{sheets[i].frame.height + 1}"
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml, count=1)
            head, sep, tail = xml.partition("</sheetData>")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = 1  # type: ignore[attr-defined]
            with dst.open(entry, "w") as out:
                out.write(head.encode("utf-8"))
                out.write(rows[i].encode("utf-8"))
                out.write((sep + tail).encode("utf-8"))
    tmp.replace(path)
