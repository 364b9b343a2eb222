"""Japanese value formats (和暦 dates, 年度, full-width digits, `h:mm`) as vectorised polars parsers.

Exports from municipal HR systems mix Western and era (和暦) dates, fiscal-year labels (年度),
full-width digits, thousands separators, accounting negatives (△3) and ``h:mm`` durations. The
column parsers here are pure polars expressions (NFKC, regex extraction, arithmetic — never
``map_elements``) because intake normalises millions of rows; every scalar ``parse_*`` function
runs the same expression on a one-element Series, so the two can never disagree.

Parsers take a String expression and return null where the value does not parse; the caller
(normalise.py) tells "empty" (null in, null out) from "unreadable" (non-empty in, null out).

Eras and the fiscal year come from `hrmetrics.jpcalendar` (one era table for the package).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl

from hrmetrics.jpcalendar import ERA_LAST_YEAR, ERA_OFFSET, ERA_PATTERN

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Lotus' 1900 leap-year bug

# ---------------------------------------------------------------------------------------------
# vectorised parsers of String expressions


SILENT_INVISIBLE = r"[\x{FEFF}\x{200B}-\x{200D}\x{2060}]"
"""BOM and zero-width characters: invisible in Excel, left behind by concatenated exports and
copy-paste, never meant as data. Dropped from every value without a word."""
OTHER_INVISIBLE = r"[[\p{Cc}\p{Cf}]&&[^\x{FEFF}\x{200B}-\x{200D}\x{2060}]]"
"""Other control and format characters (ESC, NUL, bidi overrides, a line break inside a cell...):
dropped from ids and codes too, but the row gets a warning, because something a person typed may
have been altered. Leading and trailing whitespace is trimmed as in every value, without a word."""


def clean_text_expr(col: pl.Expr) -> pl.Expr:
    """BOM/zero-width dropped, NFKC, strip; empty → null. The base of every parser (`Ａ０１ ` →
    `A01`, `ｱ` → `ア`, `\ufeffS1` → `S1`)."""
    s = col.cast(pl.String).str.replace_all(SILENT_INVISIBLE, "").str.normalize("NFKC").str.strip_chars()
    return pl.when(s.str.len_bytes() > 0).then(s).otherwise(None)


def clean_id_expr(col: pl.Expr) -> pl.Expr:
    """Identifier or code: as `clean_text_expr`, with every control/format character removed
    (so `S\x1b1` and `S1` are one person; normalise reports the row when one was removed)."""
    return clean_text_expr(col.cast(pl.String).str.replace_all(OTHER_INVISIBLE, ""))


def has_other_invisible_expr(col: pl.Expr) -> pl.Expr:
    """True where `clean_id_expr` removes something other than a BOM/zero-width character."""
    return col.cast(pl.String).str.strip_chars().str.contains(OTHER_INVISIBLE).fill_null(False)


def _numeric_text(col: pl.Expr) -> pl.Expr:
    """Cleaned numeric text: accounting negatives (△▲) and unicode minus → '-', no spaces, no
    thousands separators (only where they group correctly: `1,234` yes, `1,23` no)."""
    s = clean_text_expr(col).str.replace_all(r"\s+", "")
    s = s.str.replace(r"^[△▲−‐ー]", "-")
    grouped = s.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
    has_comma = s.str.contains(",", literal=True)
    return pl.when(has_comma & grouped).then(s.str.replace_all(",", "", literal=True)).otherwise(s)


_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def parse_number_expr(col: pl.Expr) -> pl.Expr:
    """Float64 from `1,234.5`, `１，２３４．５`, `△3`, `▲3`, `-3`, `1e3`; else null."""
    s = _numeric_text(col)
    return pl.when(s.str.contains(_NUMBER_RE)).then(s.cast(pl.Float64, strict=False)).otherwise(None)


def parse_int_expr(col: pl.Expr) -> pl.Expr:
    """Int64 from whole numbers (`１，２３４`, `△3`, `12.0` as Excel writes ints); `1.5` → null."""
    s = _numeric_text(col)
    ok = s.str.contains(r"^[+-]?\d+(\.0*)?$")
    return pl.when(ok).then(s.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)).otherwise(None)


def parse_hours_expr(col: pl.Expr) -> pl.Expr:
    """Float64 hours from a number or `h:mm[:ss]` (`12:30` → 12.5, `1:05` → 1.0833…, `-0:30`).

    Also accepts what calamine returns for an Excel ``[h]:mm`` cell: a datetime on the 1899-12-31
    epoch (`1899-12-31 12:29:59.997` → 12.5, rounded to the second).
    """
    s = clean_text_expr(col)
    parts = s.str.extract_groups(r"^([+-]?)(\d+):([0-5]?\d)(?::([0-5]?\d(?:\.\d+)?))?$")
    sign = pl.when(parts.struct.field("1") == "-").then(-1.0).otherwise(1.0)
    hmm = sign * (
        parts.struct.field("2").cast(pl.Float64, strict=False)
        + parts.struct.field("3").cast(pl.Float64, strict=False) / 60
        + parts.struct.field("4").cast(pl.Float64, strict=False).fill_null(0.0) / 3600
    )
    excel = s.str.extract_groups(r"^(1899-12-3[01]|1900-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$")
    excel_dt = pl.concat_str([excel.struct.field("1"), excel.struct.field("2")], separator=" ")
    seconds = (
        excel_dt.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="ms")
        - pl.datetime(1899, 12, 31)
    ).dt.total_milliseconds() / 1000
    excel_hours = seconds.round(0) / 3600
    return pl.coalesce(hmm, excel_hours, parse_number_expr(s))


def _iso(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Date from integer parts via an ISO string, so impossible dates (2月30日) become null."""
    return pl.concat_str(
        [year.cast(pl.String), month.cast(pl.String).str.zfill(2), day.cast(pl.String).str.zfill(2)],
        separator="-",
    ).str.to_date("%Y-%m-%d", strict=False)


def _era_year(era: pl.Expr, n: pl.Expr) -> pl.Expr:
    """Western year from era text and era-year text (`元` = 1); null when outside the era."""
    key = era.str.to_uppercase()
    offset = key.replace_strict(_ERA_OFFSET_UPPER, default=None, return_dtype=pl.Int32)
    last = key.replace_strict(_ERA_LAST_UPPER, default=None, return_dtype=pl.Int32)
    year = offset + pl.when(n == "元").then(pl.lit("1")).otherwise(n).cast(pl.Int32, strict=False)
    return pl.when((year > offset) & (year <= last)).then(year).otherwise(None)


_ERA_OFFSET_UPPER = {k.upper(): v for k, v in ERA_OFFSET.items()}
_ERA_LAST_UPPER = {k.upper(): v for k, v in ERA_LAST_YEAR.items()}

_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_WEST_RE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?" + _TIME_SUFFIX + "$"
)
_ERA_DATE_RE = (
    r"^(" + ERA_PATTERN + r")\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?$"
)


def _date_parts(col: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(year, month, day-or-null, excel_serial_date) from every accepted spelling."""
    s = clean_text_expr(col)
    west = s.str.extract_groups(_WEST_RE)
    era = s.str.extract_groups(_ERA_DATE_RE)
    compact = s.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})?$")
    year = pl.coalesce(
        west.struct.field("1").cast(pl.Int32, strict=False),
        _era_year(era.struct.field("1"), era.struct.field("2")),
        compact.struct.field("1").cast(pl.Int32, strict=False),
    )
    month = pl.coalesce(
        west.struct.field("2"), era.struct.field("3"), compact.struct.field("2")
    ).cast(pl.Int32, strict=False)
    day = pl.coalesce(
        west.struct.field("3"), era.struct.field("4"), compact.struct.field("3")
    ).cast(pl.Int32, strict=False)
    serial = s.str.extract(r"^(\d{5})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False)
    excel = pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial)
    return year, month, day, excel


def parse_month_expr(col: pl.Expr) -> pl.Expr:
    """Date (first of month) from `2024-04`, `2024/4`, `2024/04/01`, `202404`, `2024年4月`,
    `令和6年4月`, `R6.4`, `R6/4/1`, `H31.4`, an Excel serial (`45383`) or an XLSX datetime
    string (`2024-04-01 00:00:00`). A full date is truncated to its month."""
    year, month, day, excel = _date_parts(col)
    valid_day = pl.when(day.is_null()).then(pl.lit(1)).otherwise(day)
    checked = _iso(year, month, valid_day)  # null on 2024-13 or 2024-02-30
    return pl.coalesce(checked.dt.truncate("1mo"), excel.dt.truncate("1mo")).cast(pl.Date)


def parse_date_expr(col: pl.Expr) -> pl.Expr:
    """Date from `2024-04-01`, `2024/4/1`, `20240401`, `2024年4月1日`, `令和6年4月1日`,
    `R6.4.1`, an Excel serial or an XLSX datetime string. A month without a day is null."""
    year, month, day, excel = _date_parts(col)
    return pl.coalesce(_iso(year, month, day), excel).cast(pl.Date)


def parse_fiscal_year_expr(col: pl.Expr) -> pl.Expr:
    """Int64 fiscal year from `2024`, `2024.0`, `FY2024`, `2024年度`, `令和6年度`, `R6年度`, `R6`,
    `令和元年度` (→ 2019). Also `2024年`/`令和6年` as written in some year columns."""
    s = clean_text_expr(col)
    west = s.str.extract(r"^(?i:FY)?\s*(\d{4})(?:\.0+)?\s*(?:年度?)?$", 1).cast(pl.Int32, strict=False)
    era = s.str.extract_groups(r"^(" + ERA_PATTERN + r")\s*(\d{1,2}|元)\s*(?:年度?)?$")
    return pl.coalesce(west, _era_year(era.struct.field("1"), era.struct.field("2"))).cast(pl.Int64)


def parse_year_expr(col: pl.Expr) -> pl.Expr:
    """Int64 year number from `2024`, `2024年`, `令和6年`, `R6` (same spellings as fiscal years:
    the year *number* is what is stored; whether it is calendar or fiscal is the config's)."""
    return parse_fiscal_year_expr(col)


def parse_wave_expr(col: pl.Expr) -> pl.Expr:
    """Survey wave label: anything readable as a fiscal year → `FY2024`; other labels kept (NFKC)."""
    s = clean_text_expr(col)
    fy = parse_fiscal_year_expr(s)
    return pl.when(fy.is_not_null()).then(pl.lit("FY") + fy.cast(pl.String)).otherwise(s)


_TRUE = ("1", "1.0", "true", "t", "yes", "y", "○", "◯", "〇", "有", "あり", "はい", "済")
_FALSE = ("0", "0.0", "false", "f", "no", "n", "×", "✕", "x", "無", "なし", "いいえ", "-")


def parse_bool_expr(col: pl.Expr) -> pl.Expr:
    """Boolean from 1/0, true/false, yes/no, ○/×, 有/無, あり/なし, はい/いいえ; else null."""
    s = clean_text_expr(col).str.to_lowercase()
    mapping = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    return s.replace_strict(mapping, default=None, return_dtype=pl.Boolean)


# ---------------------------------------------------------------------------------------------
# scalar parsers (same expressions, one value)


def _scalar(expr_fn: Callable[[pl.Expr], pl.Expr], value: object) -> Any:
    """Run a column parser on one value; None when it does not parse."""
    if value is None:
        return None
    return pl.select(expr_fn(pl.lit(str(value), dtype=pl.String)).alias("v")).item()


def parse_number(value: object) -> float | None:
    """`"１，２３４．５"` → 1234.5, `"△3"` → -3.0; None if not a number."""
    return _scalar(parse_number_expr, value)


def parse_int(value: object) -> int | None:
    """`"１，２３４"` → 1234; None if not a whole number."""
    return _scalar(parse_int_expr, value)


def parse_hours(value: object) -> float | None:
    """`"12:30"` → 12.5, `"7.75"` → 7.75; None if unreadable."""
    return _scalar(parse_hours_expr, value)


def parse_month(value: object) -> date | None:
    """`"R1.5"` → 2019-05-01, `"平成31年4月"` → 2019-04-01, `"202404"` → 2024-04-01."""
    return _scalar(parse_month_expr, value)


def parse_date(value: object) -> date | None:
    """`"令和元年5月1日"` → 2019-05-01, `"R6/4/1"` → 2024-04-01, `"45383"` → 2024-04-01."""
    return _scalar(parse_date_expr, value)


def parse_fiscal_year(value: object) -> int | None:
    """`"令和6年度"` → 2024, `"令和元年度"` → 2019, `"FY2024"` → 2024."""
    return _scalar(parse_fiscal_year_expr, value)


def parse_year(value: object) -> int | None:
    """`"令和6年"` → 2024, `"2024"` → 2024."""
    return _scalar(parse_year_expr, value)


def parse_wave(value: object) -> str | None:
    """`"令和6年度"` → "FY2024", `"2024"` → "FY2024", `"2024春"` → "2024春"."""
    return _scalar(parse_wave_expr, value)


def parse_bool(value: object) -> bool | None:
    """`"○"` → True, `"無"` → False."""
    return _scalar(parse_bool_expr, value)


def excel_serial_to_date(serial: float) -> date:
    """Excel's day number (1900 system) as a date: 45383 → 2024-04-01."""
    return _EXCEL_EPOCH + timedelta(days=int(serial))
