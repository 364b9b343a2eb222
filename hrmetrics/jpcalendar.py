"""The Japanese calendar of a city hall: eras (和暦), the April–March fiscal year (年度), the
leave year and period labels — one table of eras and one fiscal-year formula for the package.

Everything that turns a date into a fiscal year, names an era or labels a KPI-table period comes
from here, as scalar functions and as polars expressions (also reachable as the ``jcal``
expression namespace once this module is imported, for notebooks)::

    >>> import polars as pl
    >>> from hrmetrics import jpcalendar as jc
    >>> from datetime import date
    >>> pl.select(fy=jc.fiscal_year_expr(pl.lit(date(2025, 3, 31)))).item()
    2024
    >>> pl.select(fy=pl.lit(date(2025, 4, 1)).jcal.fiscal_year()).item()
    2025
    >>> jc.format_period("FY2019")
    '令和元年度 (FY2019)'

Era conventions:
- 元年 is year 1 of an era; abbreviations M/T/S/H/R (case-insensitive) are accepted.
- An era year is accepted when its Western year lies within the era (H31 = 2019 is valid even in
  a month after 30 April 2019, because many systems kept printing 平成 for a while); H32 is not.
- Labels: a year or fiscal year is named after the era that *began* in or before it, so
  FY2019 = 令和元年度 (the fiscal year started on 1 April 2019, still Heisei 31, but fiscal-year
  labels use 令和元年度 by convention) and FY1989 = 平成元年度. Months and dates use the exact
  era of the day: 2019-04 = 平成31年4月, 2019-05 = 令和元年5月.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import polars as pl

ERAS: tuple[tuple[str, str, date], ...] = (
    ("明治", "M", date(1868, 1, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("昭和", "S", date(1926, 12, 25)),
    ("平成", "H", date(1989, 1, 8)),
    ("令和", "R", date(2019, 5, 1)),
)
"""(name, abbreviation, first day), newest last. The Meiji start is the Gregorian date of
Meiji 1-1-1 (lunar calendar era)."""

ERA_OFFSET: dict[str, int] = {}
"""Era name or abbreviation (upper case) → Western year of its year 0 (令和 → 2018)."""
ERA_LAST_YEAR: dict[str, int] = {}
"""Era name or abbreviation → the last Western year that can carry it (平成 → 2019)."""
for _i, (_name, _abbr, _start) in enumerate(ERAS):
    ERA_OFFSET[_name] = ERA_OFFSET[_abbr] = _start.year - 1
    ERA_LAST_YEAR[_name] = ERA_LAST_YEAR[_abbr] = ERAS[_i + 1][2].year if _i + 1 < len(ERAS) else 9999

ERA_PATTERN = "明治|大正|昭和|平成|令和|[MTSHRmtshr]"
"""A regex alternation matching any era name or abbreviation."""

FISCAL_YEAR_START_MONTH = 4
"""Japanese local government fiscal years run April–March (地方自治法 第208条)."""

LeaveYearBasis = Literal["calendar", "fiscal"]

# ---------------------------------------------------------------------------------------------
# scalar functions


def fiscal_year(d: date) -> int:
    """Japanese fiscal year (April–March) of a date: 2025-03-31 → 2024, 2025-04-01 → 2025."""
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_of_month(year: int, month: int) -> int:
    """Fiscal year of a year and month: (2025, 3) → 2024."""
    return fiscal_year(date(year, month, 1))


def era_of(d: date) -> tuple[str, int]:
    """Era name and era year of an exact day: 2019-04-30 → ("平成", 31), 2019-05-01 → ("令和", 1)."""
    for name, _abbr, start in reversed(ERAS):
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d} は明治より前の日付です / {d} is before the Meiji era")


def era_of_year(year: int) -> tuple[str, int]:
    """Era label of a (fiscal or calendar) year: the era that began in or before it (2019 → 令和1)."""
    for name, _abbr, start in reversed(ERAS):
        if year >= start.year:
            return name, year - start.year + 1
    raise ValueError(f"{year} は明治より前の年です / {year} is before the Meiji era")


def era_abbreviation(name: str) -> str:
    """`令和` → `R`."""
    return {n: a for n, a, _s in ERAS}[name]


def era_to_year(era: str, n: int | str) -> int:
    """Western year of era year `n` (`"元"` = 1): ("令和", 6) → 2024, ("H", 31) → 2019."""
    key = era if era in ERA_OFFSET else era.upper()
    if key not in ERA_OFFSET:
        raise ValueError(f"不明な元号: {era} / unknown era: {era}")
    year = ERA_OFFSET[key] + (1 if n == "元" else int(n))
    if not (ERA_OFFSET[key] < year <= ERA_LAST_YEAR[key]):
        raise ValueError(f"{era}{n}年 はその元号の範囲外です / {era} {n} is outside that era")
    return year


def era_year_text(n: int) -> str:
    """An era year as written: 1 → `元`, 6 → `6`."""
    return "元" if n == 1 else str(n)


def era_year_label(year: int) -> str:
    """`令和6` for 2024, `令和元` for 2019: the era part of 令和6年度 / 令和6年."""
    era, n = era_of_year(year)
    return f"{era}{era_year_text(n)}"


def format_fiscal_year(fy: int, lang: str = "ja") -> str:
    """`2024` → "令和6年度" (ja) / "FY2024" (en); 2019 → "令和元年度" (see module docstring)."""
    if lang == "en":
        return f"FY{fy}"
    return f"{era_year_label(fy)}年度"


def format_year(year: int, lang: str = "ja") -> str:
    """Calendar year label: 2024 → "2024年 (令和6年)" (ja) / "2024" (en)."""
    if lang == "en":
        return str(year)
    return f"{year}年 ({era_year_label(year)}年)"


def format_month(d: date, lang: str = "ja") -> str:
    """Month label with the exact era: 2024-04 → "令和6年4月 (2024-04)"; en → "2024-04"."""
    iso = f"{d.year:04d}-{d.month:02d}"
    if lang == "en":
        return iso
    era, n = era_of(date(d.year, d.month, 1))
    return f"{era}{era_year_text(n)}年{d.month}月 ({iso})"


def period_type_of(period: str) -> str:
    """The period type a bare period label implies: `FY2024` a fiscal year, `2024` a leave year."""
    return "fiscal_year" if str(period).upper().startswith("FY") else "leave_year"


def format_period(period: str, period_type: str | None = None, lang: str = "ja") -> str:
    """Human label of a KPI-table period (column `period`, see docs/architecture.md).

    `FY2024` → "令和6年度 (FY2024)"; `2024` (leave_year) → "2024年 (令和6年)";
    `2024-04` (month) → "令和6年4月 (2024-04)". English returns the period itself. Anything
    unrecognised (e.g. a free wave label) is returned unchanged rather than guessed at.
    Without `period_type` it is read off the label (see `period_type_of`).
    """
    text = str(period).strip()
    if lang == "en":
        return text
    period_type = period_type or period_type_of(text)
    if text.upper().startswith("FY") and text[2:].isdigit():
        return f"{format_fiscal_year(int(text[2:]), 'ja')} ({text.upper()})"
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        return format_month(date(int(text[:4]), int(text[5:]), 1), "ja")
    if len(text) == 4 and text.isdigit():
        year = int(text)
        if period_type in {"fiscal_year", "snapshot", "wave"}:
            return f"{format_fiscal_year(year, 'ja')} (FY{year})"
        return format_year(year, "ja")
    return text


# ---------------------------------------------------------------------------------------------
# vectorised expressions on Date columns


def _expr(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def fiscal_year_expr(col: str | pl.Expr) -> pl.Expr:
    """Fiscal year (Int64) of a Date column or expression: months Jan–Mar belong to the year before."""
    d = _expr(col)
    return (d.dt.year() - (d.dt.month() < FISCAL_YEAR_START_MONTH).cast(pl.Int32)).cast(pl.Int64)


def fiscal_year_label_expr(col: str | pl.Expr) -> pl.Expr:
    """`FY2024` (String) of a Date column or expression: the KPI table's fiscal-year period."""
    return pl.format("FY{}", fiscal_year_expr(col))


def leave_year_expr(col: str | pl.Expr, basis: LeaveYearBasis = "calendar") -> pl.Expr:
    """Leave year (Int64) of a Date expression: calendar year by default, fiscal year if configured."""
    if basis == "fiscal":
        return fiscal_year_expr(col)
    if basis != "calendar":
        raise ValueError(f"leave_year は calendar か fiscal です / leave_year is calendar or fiscal: {basis}")
    return _expr(col).dt.year().cast(pl.Int64)


@pl.api.register_expr_namespace("jcal")
class JapaneseCalendar:
    """`pl.col("month").jcal.fiscal_year()`: the functions above as an expression namespace."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def fiscal_year(self) -> pl.Expr:
        """See `fiscal_year_expr`."""
        return fiscal_year_expr(self._expr)

    def fiscal_year_label(self) -> pl.Expr:
        """See `fiscal_year_label_expr`."""
        return fiscal_year_label_expr(self._expr)

    def leave_year(self, basis: LeaveYearBasis = "calendar") -> pl.Expr:
        """See `leave_year_expr`."""
        return leave_year_expr(self._expr, basis)


def era_short_label_js(field: str = "datum.value", since: int = 1989) -> str:
    """A Vega expression labelling a year field by the short era year (`R6`, `H30`).

    Charts label their year axis in the browser, so the era table is written out here as one
    JavaScript conditional rather than copied into the chart code: eras from `since` on.
    """
    shown = [(abbr, start.year) for _name, abbr, start in ERAS if start.year >= since]
    expr = ""
    for abbr, first in shown:
        branch = f"'{abbr}' + ({field} - {first - 1})"
        expr = branch if not expr else f"{field} >= {first} ? {branch} : {expr}"
    return expr
