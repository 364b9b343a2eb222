"""Fiscal calendar and Japanese value formats (scalar + vectorised must agree)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from hrmetrics import jpcalendar as jc
from hrmetrics import jpformat as jp


@pytest.mark.parametrize(
    ("d", "fy"),
    [(date(2025, 3, 31), 2024), (date(2025, 4, 1), 2025), (date(2024, 1, 15), 2023),
     (date(2024, 12, 31), 2024)],
)
def test_fiscal_year(d: date, fy: int) -> None:
    assert jc.fiscal_year(d) == fy


def test_fiscal_and_leave_year_exprs() -> None:
    df = pl.DataFrame({"d": [date(2025, 3, 31), date(2025, 4, 1), None]})
    out = df.select(
        fy=jc.fiscal_year_expr(pl.col("d")),
        cal=jc.leave_year_expr(pl.col("d"), "calendar"),
        fis=jc.leave_year_expr(pl.col("d"), "fiscal"),
    )
    assert out["fy"].to_list() == [2024, 2025, None]
    assert out["cal"].to_list() == [2025, 2025, None]
    assert out["fis"].to_list() == [2024, 2025, None]
    assert out.schema["fy"] == pl.Int64
    with pytest.raises(ValueError):
        jc.leave_year_expr(pl.col("d"), "lunar")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04", date(2024, 4, 1)),
        ("2024/4", date(2024, 4, 1)),
        ("2024/04/01", date(2024, 4, 1)),
        ("2024/04/15", date(2024, 4, 1)),  # a full date in a month column → its month
        ("202404", date(2024, 4, 1)),
        ("2024年4月", date(2024, 4, 1)),
        ("２０２４年４月", date(2024, 4, 1)),
        ("令和6年4月", date(2024, 4, 1)),
        ("令和６年４月", date(2024, 4, 1)),
        ("R6.4", date(2024, 4, 1)),
        ("r6.4", date(2024, 4, 1)),
        ("R6/4/1", date(2024, 4, 1)),
        ("R1.5", date(2019, 5, 1)),
        ("令和元年5月", date(2019, 5, 1)),
        ("H31.4", date(2019, 4, 1)),
        ("平成31年4月", date(2019, 4, 1)),
        ("S64.1", date(1989, 1, 1)),
        ("45383", date(2024, 4, 1)),  # Excel serial: 1899-12-30 + 45383 days
        ("2024-04-01 00:00:00", date(2024, 4, 1)),  # XLSX datetime cell read as text
        ("2024-13", None),
        ("H32.1", None),  # Heisei ended in its 31st year
        ("R6", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_month(text: str, expected: date | None) -> None:
    assert jp.parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("令和6年4月1日", date(2024, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R6.4.1", date(2024, 4, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("S63.12.31", date(1988, 12, 31)),
        ("45383", date(2024, 4, 1)),
        ("2024-04-01 13:30:00", date(2024, 4, 1)),
        ("2024-02-30", None),
        ("2024-04", None),  # a month is not a date
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert jp.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "fy"),
    [("2024", 2024), ("FY2024", 2024), ("fy 2024", 2024), ("令和6年度", 2024), ("R6年度", 2024),
     ("2024年度", 2024), ("令和元年度", 2019), ("平成30年度", 2018), ("2024.0", 2024), ("R6", 2024),
     ("FY24", None), ("今年度", None)],
)
def test_parse_fiscal_year(text: str, fy: int | None) -> None:
    assert jp.parse_fiscal_year(text) == fy


@pytest.mark.parametrize(
    ("text", "wave"),
    [("令和6年度", "FY2024"), ("2024", "FY2024"), ("FY2024", "FY2024"), ("R6年度", "FY2024"),
     ("2024春", "2024春"), ("第３回", "第3回")],
)
def test_parse_wave(text: str, wave: str) -> None:
    assert jp.parse_wave(text) == wave


@pytest.mark.parametrize(
    ("text", "value"),
    [("１，２３４．５", 1234.5), ("1,234", 1234.0), ("12,345,678.25", 12345678.25), ("△3", -3.0),
     ("▲3", -3.0), ("-3", -3.0), ("△1,200", -1200.0), (" 7.5 ", 7.5), ("1,23", None), ("12a", None),
     ("", None)],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert jp.parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("１，２３４", 1234), ("12.0", 12), ("△3", -3), ("12.5", None), ("x", None)],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert jp.parse_int(text) == value


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("12:30", 12.5),
        ("1:05", 1 + 5 / 60),  # 1.0833…
        ("１２：３０", 12.5),
        ("100:45", 100.75),
        ("0:30:36", 0.5 + 36 / 3600),  # 0.51 h
        ("7.75", 7.75),
        ("1899-12-31 12:29:59.997", 12.5),  # calamine's rendering of an Excel [h]:mm cell
        ("12:60", None),
        ("abc", None),
    ],
)
def test_parse_hours(text: str, hours: float | None) -> None:
    got = jp.parse_hours(text)
    if hours is None:
        assert got is None
    else:
        assert got == pytest.approx(hours, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "value"),
    [("○", True), ("〇", True), ("有", True), ("はい", True), ("TRUE", True), ("1", True),
     ("×", False), ("無", False), ("いいえ", False), ("no", False), ("0", False), ("maybe", None)],
)
def test_parse_bool(text: str, value: bool | None) -> None:
    assert jp.parse_bool(text) is value


def test_vectorised_matches_scalar_and_keeps_nulls() -> None:
    values = ["R6.4", "2024/05", None, "bad", "令和7年3月"]
    out = pl.DataFrame({"m": values}, schema={"m": pl.String}).select(jp.parse_month_expr(pl.col("m")))
    assert out.to_series().to_list() == [date(2024, 4, 1), date(2024, 5, 1), None, None, date(2025, 3, 1)]
    assert out.to_series().dtype == pl.Date


@pytest.mark.parametrize(
    ("era", "n", "year"),
    [("令和", 6, 2024), ("R", "元", 2019), ("平成", 31, 2019), ("h", 1, 1989), ("昭和", 64, 1989),
     ("大正", 15, 1926), ("明治", 45, 1912)],
)
def test_era_to_year(era: str, n: int | str, year: int) -> None:
    assert jc.era_to_year(era, n) == year


def test_era_to_year_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        jc.era_to_year("平成", 32)
    with pytest.raises(ValueError):
        jc.era_to_year("X", 1)


def test_era_of_exact_day() -> None:
    assert jc.era_of(date(2019, 4, 30)) == ("平成", 31)
    assert jc.era_of(date(2019, 5, 1)) == ("令和", 1)
    assert jc.era_of(date(1989, 1, 7)) == ("昭和", 64)
    assert jc.era_of(date(1989, 1, 8)) == ("平成", 1)


def test_format_fiscal_year() -> None:
    assert jc.format_fiscal_year(2024, "ja") == "令和6年度"
    assert jc.format_fiscal_year(2024, "en") == "FY2024"
    assert jc.format_fiscal_year(2019) == "令和元年度"  # convention, although 2019-04 was Heisei 31
    assert jc.format_fiscal_year(1989) == "平成元年度"
    assert jc.format_fiscal_year(1988) == "昭和63年度"


@pytest.mark.parametrize(
    ("period", "ptype", "lang", "label"),
    [
        ("FY2024", "fiscal_year", "ja", "令和6年度 (FY2024)"),
        ("FY2019", "wave", "ja", "令和元年度 (FY2019)"),
        ("2024", "leave_year", "ja", "2024年 (令和6年)"),
        ("2024-04", "month", "ja", "令和6年4月 (2024-04)"),
        ("2019-04", "month", "ja", "平成31年4月 (2019-04)"),
        ("2019-05", "month", "ja", "令和元年5月 (2019-05)"),
        ("FY2024", "fiscal_year", "en", "FY2024"),
        ("2024-04", "month", "en", "2024-04"),
        ("2024春", "wave", "ja", "2024春"),
    ],
)
def test_format_period(period: str, ptype: str, lang: str, label: str) -> None:
    assert jc.format_period(period, ptype, lang) == label


def test_excel_serial_to_date() -> None:
    assert jp.excel_serial_to_date(45383) == date(2024, 4, 1)
    assert jp.excel_serial_to_date(61) == date(1900, 3, 1)
