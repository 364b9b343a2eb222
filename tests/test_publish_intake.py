"""The new exports read as a personnel system writes them: Japanese headers and codes, 令和 years,
and bad rows named with their rule (nothing dropped silently)."""

from __future__ import annotations

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.intake import validate_files

CFG = Config(pseudonym_key="publish-intake-test")


@pytest.fixture(scope="module", autouse=True)
def _gx():
    pytest.importorskip("great_expectations")


def test_pay_hires_exams_and_separations_are_read_with_japanese_headers(tmp_path) -> None:
    (tmp_path / "給与支給実績.csv").write_text(
        "職員番号,年度,職員区分,役職,性別,採用日,勤続年数,年間給与額,週所定勤務時間\n"
        "000101,令和6年度,任期の定めのない常勤職員,課長,女,2000/04/01,,\"8,500,000\",38.75\n"
        "000102,R6,会計年度任用職員,主事,男,,,\"1,600,000\",19.375\n"
        "000103,令和6年度,正規,係長,女,2025/04/01,,6000000,\n"           # hired after the pay year
        "000104,令和6年度,嘱託,主事,女,,,3000000,\n",                      # unknown class
        encoding="utf-8-sig")
    (tmp_path / "採用試験実施状況.csv").write_text(
        "年度,試験区分,性別,受験者数,合格者数\n令和6年度,一般事務,女,30,3\n令和6年度,一般事務,男,5,6\n",
        encoding="cp932")
    (tmp_path / "採用実績.csv").write_text(
        "職員番号,採用日,性別,職種,採用区分\n240001,2024/04/01,女,一般事務,新卒\n240501,2024/10/01,男,土木,中途\n",
        encoding="utf-8")
    (tmp_path / "離職者一覧.csv").write_text(
        "職員番号,退職日,性別,離職事由\n000201,2025/03/31,女,普通退職\n000202,2025/03/31,男,定年退職\n",
        encoding="utf-8")
    res = validate_files([tmp_path], config=CFG)
    by_file = {r.file: r for r in res.reports}
    assert {r.dataset for r in res.reports} == {"pay", "exam_applicants", "hires", "separations"}
    pay = by_file["給与支給実績.csv"]
    assert (pay.rows_read, pay.rows_accepted, pay.rows_rejected) == (4, 2, 2)
    rules = dict(res.rejects.filter(pl.col("dataset") == "pay").select("row", "rule").iter_rows())
    assert rules == {4: "hired_by_year", 5: "category"}   # spreadsheet rows (header = row 1)
    accepted = res.accepted["pay"].sort("annual_pay")
    assert accepted["annual_pay"].to_list() == [1_600_000.0, 8_500_000.0]
    assert accepted["employment_class"].to_list() == ["kaikei", "permanent"]
    assert accepted["year"].to_list() == [2024, 2024]
    exams = res.rejects.filter(pl.col("dataset") == "exam_applicants")
    assert exams.select("row", "rule").rows() == [(3, "passed_within_applicants")]
    assert res.accepted["hires"]["route"].to_list() == ["new_graduate", "experienced"]
    assert res.accepted["separations"]["reason"].to_list() == ["voluntary", "retirement"]
