"""Neutralise text that a spreadsheet would run as a formula (CSV/Excel formula injection).

Unit names, file names and rejected values come from the organisation's own files; opened in
Excel, a cell such as `=HYPERLINK(...)` would execute. One rule for every export: text that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, except plain numbers such
as `-2.5`, which Excel reads as numbers and which a reject report must show as they were written.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?\d+(\.\d+)?$"
_FORMULA_RE = re.compile(FORMULA_START)
_NUMBER_RE = re.compile(PLAIN_NUMBER)


def neutralise_expr(expr: pl.Expr) -> pl.Expr:
    """The column as text, with `'` in front of anything a spreadsheet would evaluate."""
    s = expr.cast(pl.String)
    risky = s.str.contains(FORMULA_START) & ~s.str.contains(PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + s).otherwise(s)


def neutralise_text(value: object) -> object:
    """The scalar twin of `neutralise_expr`, for cell-by-cell writers (xlsxwriter)."""
    if isinstance(value, str) and _FORMULA_RE.match(value) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def neutralise_frame(df: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Every String column (or the named ones) of a frame, neutralised."""
    names = columns if columns is not None else [n for n, t in df.schema.items() if t == pl.String]
    return df.with_columns(neutralise_expr(pl.col(n)).alias(n) for n in names if n in df.columns)
