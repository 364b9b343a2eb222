"""The one calendar module: fiscal/leave year expressions and namespace, era labels, and a guard
that no other module re-derives the fiscal year or the era offsets by hand."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from hrmetrics import jpcalendar as jc
from hrmetrics.plans import parse_period
from hrmetrics.validate import declared_fiscal_year

PACKAGE = Path(jc.__file__).parent


def test_fiscal_year_from_a_column_name_an_expression_and_the_namespace() -> None:
    frame = pl.DataFrame({"d": [date(2025, 3, 31), date(2025, 4, 1), date(2019, 12, 1)]})
    out = frame.select(
        by_name=jc.fiscal_year_expr("d"),
        by_expr=jc.fiscal_year_expr(pl.col("d")),
        ns=pl.col("d").jcal.fiscal_year(),
        label=pl.col("d").jcal.fiscal_year_label(),
        leave_fiscal=pl.col("d").jcal.leave_year("fiscal"),
        leave_cal=pl.col("d").jcal.leave_year(),
    )
    assert out["by_name"].to_list() == out["by_expr"].to_list() == out["ns"].to_list() == [2024, 2025, 2019]
    assert out["by_name"].dtype == pl.Int64
    assert out["label"].to_list() == ["FY2024", "FY2025", "FY2019"]
    assert out["leave_fiscal"].to_list() == [2024, 2025, 2019]
    assert out["leave_cal"].to_list() == [2025, 2025, 2019]


def test_format_period_reads_the_type_off_the_label_when_not_given() -> None:
    assert jc.format_period("FY2019") == "令和元年度 (FY2019)"
    assert jc.format_period("2024") == "2024年 (令和6年)"  # a bare year is a leave (calendar) year
    assert jc.format_period("2024", "snapshot") == "令和6年度 (FY2024)"
    assert jc.format_period("2019-04") == "平成31年4月 (2019-04)"
    assert jc.format_period("FY2024", lang="en") == "FY2024"


def test_plan_periods_use_the_shared_era_table() -> None:
    assert parse_period("令和元年度").label == "FY2019"
    assert parse_period("2025-03").year == 2024
    assert parse_period("FY2019").display("ja") == "FY2019（令和元年度）"
    # a month or day is labelled by the era of that day, as everywhere else in the package
    assert parse_period("2019-04-01").display("ja") == "2019-04-01（平成31年4月1日）"
    assert parse_period("2019-05").display("ja") == "2019-05（令和元年5月）"


def test_a_file_name_declares_only_a_fiscal_year_that_exists() -> None:
    assert declared_fiscal_year("時間外_令和6年度.csv") == 2024
    assert declared_fiscal_year("overtime_H30年度.csv") == 2018
    assert declared_fiscal_year("時間外_平成32年度.csv") is None  # 平成 ended in 2019


def test_chart_axis_expression_follows_the_era_table() -> None:
    assert jc.era_short_label_js() == (
        "datum.value >= 2019 ? 'R' + (datum.value - 2018) : 'H' + (datum.value - 1988)")


@pytest.mark.parametrize("pattern", [
    r"\.dt\.month\(\)\s*<\s*4",          # the fiscal-year formula
    r"month\s*>=\s*4",
    r"\b(2018|1988)\s*\+",                # era offsets
    r"-\s*(2018|1988)\b",
    r"ORG\w*\s*=\s*\"ORG\"",              # the organisation's unit code
])
def test_the_calendar_and_org_code_are_defined_once(pattern: str) -> None:
    hits = [f"{p.relative_to(PACKAGE)}:{i}" for p in sorted(PACKAGE.rglob("*.py"))
            if p.name not in ("jpcalendar.py", "orgs.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(pattern, line)]
    assert hits == []
