"""Normalising raw tables: header aliases, type parsing, rejects, refusals, format equivalence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from hrmetrics import normalise as nm
from hrmetrics.errors import Refusal
from hrmetrics.normalise import NormaliseContext, normalise
from hrmetrics.pipelines import load_specs, spec_from_dict
from hrmetrics.readers import RawTable, read_raw

# One canonical table, written to every format by the tests. Japanese text, full-width digits,
# an h:mm duration, era months, an accounting negative and a thousands separator.
HEADERS = ["職員番号", "年月", "所属コード", "時間外勤務時間", "役職", "備考"]
ROWS = [
    ["Ａ００１", "令和6年4月", "０１０", "12:30", "主事", "繁忙期"],
    ["A002", "R6.5", "010", "1:05", "係長", "ｶﾀｶﾅ"],
    ["A003", "2024/06", "020", "１，２３４．５", "課長", ""],
    ["A004", "平成31年4月", "020", "△3", "主任", "調整"],
]
EXPECTED = pl.DataFrame(
    {
        "staff_id": ["A001", "A002", "A003", "A004"],
        "month": [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1), date(2019, 4, 1)],
        "unit_code": ["010", "010", "020", "020"],
        "hours": [12.5, 1 + 5 / 60, 1234.5, -3.0],
        "grade": ["staff", "unit_chief", "section_chief", "staff"],
        "note": ["繁忙期", "カタカナ", None, "調整"],
    }
)

SPEC = spec_from_dict(
    {
        "dataset": "ot_test",
        "suite": "ot_test",
        "file_patterns": ["ot*"],
        "grain": ["staff_id", "month"],
        "columns": {
            "staff_id": {"type": "id", "required": True, "aliases": ["職員番号"]},
            "month": {"type": "month", "required": True, "aliases": ["年月"]},
            "unit_code": {"type": "code", "required": True, "aliases": ["所属コード"]},
            "hours": {"type": "hours", "required": True, "aliases": ["時間外勤務時間"]},
            "grade": {"type": "category", "aliases": ["役職"],
                      "values": {"staff": ["主事", "主任"], "unit_chief": ["係長"],
                                 "section_chief": ["課長"]}},
            "note": {"type": "text", "aliases": ["備考"]},
        },
    }
)


def _csv(path: Path, encoding: str, headers: list[str] = HEADERS, rows: list[list[str]] = ROWS) -> Path:
    lines = [",".join(headers)] + [",".join(f'"{v}"' if "," in v else v for v in r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _xlsx(path: Path) -> Path:
    import xlsxwriter

    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("時間外")
        ws.write_row(0, 0, HEADERS)
        for r, row in enumerate(ROWS, start=1):
            for c, value in enumerate(row):
                if value:
                    ws.write_string(r, c, value)
        # as Excel users do: a real date cell for the month and a number cell for hours
        ws.write_datetime(3, 1, datetime(2024, 6, 1), wb.add_format({"num_format": "yyyy/mm"}))
        ws.write_number(1, 3, 12.5)
    return path


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, RawTable]:
    return {
        "utf-8": read_raw(_csv(tmp_path / "ot_u8.csv", "utf-8"))[0],
        "utf-8-sig": read_raw(_csv(tmp_path / "ot_bom.csv", "utf-8-sig"))[0],
        "cp932": read_raw(_csv(tmp_path / "ot_sjis.csv", "cp932"))[0],
        "xlsx": read_raw(_xlsx(tmp_path / "ot.xlsx"))[0],
    }


def test_every_format_gives_the_same_canonical_frame(tables: dict[str, RawTable]) -> None:
    results = {k: normalise(t, SPEC) for k, t in tables.items()}
    for key, res in results.items():
        assert res.rejects.height == 0, key
        assert res.frame.drop("_source_file").equals(results["utf-8"].frame.drop("_source_file")), key
        assert res.frame.drop("_source_file", "_source_row").equals(EXPECTED), key
        assert res.frame["_source_row"].to_list() == [2, 3, 4, 5]
    assert results["cp932"].frame["_source_file"][0] == "ot_sjis.csv"
    assert results["xlsx"].frame.schema == pl.Schema({
        "staff_id": pl.String, "month": pl.Date, "unit_code": pl.String, "hours": pl.Float64,
        "grade": pl.String, "note": pl.String, "_source_file": pl.String, "_source_row": pl.Int64})


def _raw(headers: list[str], rows: list[list[str | None]], file: str = "ot.csv") -> RawTable:
    frame = pl.DataFrame([dict(zip(headers, r, strict=True)) for r in rows],
                         schema={h: pl.String for h in headers}, orient="row")
    frame = frame.with_columns(
        pl.lit(file).alias("_source_file"), (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_source_row"))
    return RawTable(frame, file)


def test_bad_value_gives_exact_reject_row_and_removes_row() -> None:
    raw = _raw(HEADERS, [ROWS[0], ["A009", "R6.4", "010", "abc", "主事", ""], ROWS[2]])
    res = normalise(raw, SPEC)
    assert res.rejects.to_dicts() == [{
        "dataset": "ot_test", "file": "ot.csv", "row": 3, "column": "hours", "value": "abc",
        "rule": "type_hours", "message": "「時間外勤務時間」の値「abc」を数値として読めません",
        "severity": "error"}]
    assert res.frame["staff_id"].to_list() == ["A001", "A003"]
    assert res.rejected_rows == frozenset({3})
    assert (res.rows_read, res.accepted_rows) == (3, 2)


def test_two_bad_cells_are_two_rejects_but_one_row() -> None:
    raw = _raw(HEADERS, [["A1", "2024-13", "010", "x", "部長", ""], ROWS[1]])
    res = normalise(raw, SPEC, NormaliseContext(lang="en"))
    assert sorted(res.rejects["rule"].to_list()) == ["category", "type_hours", "type_month"]
    assert res.rejects["row"].unique().to_list() == [2]
    assert res.rejected_rows == frozenset({2})
    # 2 rows read = 1 accepted + 1 rejected
    assert res.rows_read == res.accepted_rows + len(res.rejected_rows) == 2
    cat = res.rejects.filter(pl.col("rule") == "category").row(0, named=True)
    assert cat["message"] == ("'部長' is not an accepted value of '役職' "
                              "(accepted: staff (主事), unit_chief (係長), section_chief (課長))")


def test_empty_values_are_null_not_rejects() -> None:
    raw = _raw(HEADERS, [["A1", "", " ", "　", "", ""]])
    res = normalise(raw, SPEC)
    assert res.rejects.height == 0
    assert res.frame.row(0)[:6] == ("A1", None, None, None, None, None)


def test_headers_match_by_nfkc_case_and_alias_and_extra_columns_are_listed() -> None:
    headers = [" ＳＴＡＦＦ_ＩＤ ", "MONTH", "所属コード", "時間外勤務時間", "氏名", "内線"]
    raw = _raw(headers, [["A1", "2024-04", "010", "1", "x", "1234"]])
    res = normalise(raw, SPEC)
    assert res.column_map == {" ＳＴＡＦＦ_ＩＤ ": "staff_id", "MONTH": "month", "所属コード": "unit_code",
                              "時間外勤務時間": "hours"}
    assert res.ignored_columns == ("氏名", "内線")
    assert "氏名" not in res.frame.columns
    # optional columns absent from the file are present as typed nulls
    assert res.frame["grade"].to_list() == [None] and res.frame.schema["grade"] == pl.String


def test_missing_required_column_is_refused_with_names() -> None:
    raw = _raw(["職員番号", "年月", "所属コード"], [["A1", "2024-04", "010"]])
    with pytest.raises(Refusal) as info:
        normalise(raw, SPEC)
    assert info.value.code == "missing_columns"
    assert info.value.details["missing_columns"] == ["hours"]
    assert info.value.message("ja") == (
        "ファイル「ot.csv」(ot_test) に必須の列がありません: hours (時間外勤務時間)。"
        "見つかった見出し: 職員番号, 年月, 所属コード")


def test_semicolon_file_is_reported_as_bad_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "ot.csv"
    path.write_text("職員番号;年月;所属コード;時間外勤務時間\nA1;2024-04;010;1\n", encoding="utf-8")
    (raw,) = read_raw(path)
    with pytest.raises(Refusal) as info:
        normalise(raw, SPEC)
    assert info.value.code == "bad_delimiter"
    assert "区切り文字" in info.value.message("ja")


def test_two_headers_for_one_column_are_refused() -> None:
    headers = ["職員番号", "staff_id", "年月", "所属コード", "時間外勤務時間"]
    raw = _raw(headers, [["A", "A", "R6.4", "1", "1"]])
    with pytest.raises(Refusal) as info:
        normalise(raw, SPEC)
    assert info.value.code == "duplicate_columns"


def test_real_overtime_spec_with_japanese_headers() -> None:
    spec = load_specs()["overtime"]
    raw = _raw(["職員番号", "対象年月", "課コード", "超過勤務時間"],
               [["０００１２", "R6.4", "０１０", "45:00"], ["00013", "2024/04", "010", "1,234"]])
    res = normalise(raw, spec)
    assert res.frame.drop("_source_file", "_source_row").rows() == [
        ("00012", date(2024, 4, 1), "010", 45.0), ("00013", date(2024, 4, 1), "010", 1234.0)]


def test_staff_spec_categories_and_dates() -> None:
    spec = load_specs()["staff"]
    raw = _raw(["基準日", "職員番号", "所属コード", "役職", "性別", "任用区分"],
               [["令和6年4月1日", "1", "A", "課長級", "女", "会計年度任用"],
                ["2024/4/1", "2", "A", "主事", "Ｍ", ""]])
    res = normalise(raw, spec)
    assert res.rejects.height == 0
    assert res.frame.select("as_of", "grade", "gender", "employment_type").rows() == [
        (date(2024, 4, 1), "section_chief", "female", "part_time"),
        (date(2024, 4, 1), "staff", "male", None)]


def test_survey_items_bool_int_wave() -> None:
    spec = load_specs()["survey_items"]
    raw = _raw(["調査年度", "設問ID", "設問文", "領域", "尺度", "逆転項目", "区分"],
               [["令和6年度", "Q01", "仕事に満足している", "満足", "５", "×", "総合"],
                ["2024", "Q02", "残業が多い", "働き方", "5", "○", "要因"]])
    res = normalise(raw, spec)
    assert res.frame.select("wave", "scale_points", "reverse", "role").rows() == [
        ("FY2024", 5, False, "outcome"), ("FY2024", 5, True, "driver")]


def test_reshape_hook_is_called_and_rejected_rows_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    def hook(
        frame: pl.DataFrame, spec: object, context: NormaliseContext
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        assert "Q1" in frame.columns  # unknown columns reach the hook
        long = frame.unpivot(["Q1", "Q2"], index=["wave", "respondent_id", "unit_code", "_source_file",
                                                  "_source_row"], variable_name="item_id")
        rej = pl.DataFrame([{"dataset": "survey", "file": "s.csv", "row": 3, "column": "Q2", "value": "9",
                             "rule": "scale", "message": "m", "severity": "error"}])
        return long, rej

    module = types.ModuleType("fake_reshape")
    module.hook = hook  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_reshape", module)
    monkeypatch.setitem(nm.RESHAPERS, "survey_wide", "fake_reshape:hook")
    spec = load_specs()["survey"]
    raw = _raw(["調査回", "回答者ID", "所属コード", "Q1", "Q2"],
               [["R6年度", "r1", "010", "4", ""], ["2024", "r2", "020", "5", "9"]], file="s.csv")
    res = normalise(raw, spec)
    # row 3 rejected by the hook: its Q1 answer goes too, so accepted + rejected = read
    assert res.frame.select("wave", "respondent_id", "item_id", "value").rows() == [
        ("FY2024", "r1", "Q1", 4), ("FY2024", "r1", "Q2", None)]
    assert res.rejected_rows == frozenset({3})
    assert res.rows_read == res.accepted_rows + len(res.rejected_rows) == 2


def test_parse_series_dedup_path_equals_direct_expression() -> None:
    # 600 values, 6 distinct → the distinct-values path; each must equal the direct parse
    distinct = ["12:30", "１，２３４", "7.5", None, "abc", "-3"]
    values = pl.Series("h", distinct * 100)
    col = SPEC.columns["hours"]
    got = nm.parse_series(values, col)
    direct = values.to_frame().select(nm.column_parser(col)(pl.col("h"))).to_series()
    assert got.to_list() == direct.to_list()
    assert got.to_list()[:6] == [12.5, 1234.0, 7.5, None, None, -3.0]
    assert got.dtype == pl.Float64


def test_parse_series_fast_path_keeps_order_and_full_width() -> None:
    # all distinct → direct path with the plain-number fast path mixed with regex parsing
    values = pl.Series(["5", "５", "+7", " 8 ", "9.0", "x"])
    got = nm.parse_series(values, load_specs()["survey_items"].columns["scale_points"])
    assert got.to_list() == [5, 5, 7, 8, 9, None]


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ot.csv"
    body = "時間外勤務実績 令和6年4月分,,,\n,,,\n作成日 R6.5.10,,,\n" + ",".join(HEADERS[:4]) + "\n"
    body += "A1,R6.4,010,12:30\nA2,R6.4,010,bad\n"
    path.write_text(body, encoding="utf-8")
    res = normalise(read_raw(path)[0], SPEC)
    # rows: 1 title, 2 blank, 3 date line, 4 header, 5 A1, 6 A2
    assert res.frame.select("staff_id", "hours", "_source_row").rows() == [("A1", 12.5, 5)]
    assert res.rejects.select("row", "value").rows() == [(6, "bad")]
    assert res.rows_read == 2  # the title rows are not data


def test_xlsx_rejects_name_the_sheet(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "ot.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("総務部")
        ws.write_row(0, 0, HEADERS[:4])
        ws.write_row(1, 0, ["A1", "R6.4", "010", "十二"])
    res = normalise(read_raw(path)[0], SPEC)
    assert res.rejects.select("file", "row", "column", "value").rows() == [
        ("ot.xlsx [総務部]", 2, "hours", "十二")]
    assert res.frame.height == 0
