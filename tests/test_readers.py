"""Reading CSV (encodings, delimiters, blank lines), XLSX and Parquet into all-String frames."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hrmetrics.errors import Refusal
from hrmetrics.readers import detect_encoding, read_raw

TEXT = "職員番号,年月,時間外勤務時間\nＡ００１,令和6年4月,12:30\nA002,R6.5,\"1,234\"\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("cp932", b"", "cp932")],
)
def test_csv_encodings_give_same_strings(tmp_path: Path, encoding: str, prefix: bytes, detected: str) -> None:
    path = _write(tmp_path, "overtime.csv", prefix + TEXT.encode(encoding))
    (table,) = read_raw(path)
    assert table.encoding == detected
    assert table.sheet is None and table.source == "overtime.csv"
    assert table.headers == ["職員番号", "年月", "時間外勤務時間"]  # BOM not glued to the first header
    assert table.frame.to_dicts() == [
        {"職員番号": "Ａ００１", "年月": "令和6年4月", "時間外勤務時間": "12:30",
         "_source_file": "overtime.csv", "_source_row": 2},
        {"職員番号": "A002", "年月": "R6.5", "時間外勤務時間": "1,234",
         "_source_file": "overtime.csv", "_source_row": 3},
    ]
    assert table.frame.schema["_source_row"] == pl.Int64
    assert all(dt == pl.String for c, dt in table.frame.schema.items() if c != "_source_row")


def test_tab_delimited_and_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    data = "職員番号\t年月\n\nA1\t2024-04\n\t\n   \nA2\t2024-05\n".encode()
    (table,) = read_raw(_write(tmp_path, "ot.tsv", data))
    # row 1 header, row 2 blank, row 3 A1, rows 4-5 blank, row 6 A2
    assert table.frame["職員番号"].to_list() == ["A1", "A2"]
    assert table.frame["_source_row"].to_list() == [3, 6]
    assert table.rows_read == 2


def test_leading_blank_line_shifts_header(tmp_path: Path) -> None:
    (table,) = read_raw(_write(tmp_path, "x.csv", b"\na,b\n1,2\n"))
    assert table.headers == ["a", "b"]
    assert table.frame["_source_row"].to_list() == [3]


def test_cp932_only_characters(tmp_path: Path) -> None:
    # ｱ (half-width kana), △, ① exist in CP932 but the bytes are invalid UTF-8
    data = "区分,値\nｱｲｳ,△3\n①,2\n".encode("cp932")
    assert detect_encoding(data) == "cp932"
    (table,) = read_raw(_write(tmp_path, "x.csv", data))
    assert table.frame["区分"].to_list() == ["ｱｲｳ", "①"]
    assert table.frame["値"].to_list() == ["△3", "2"]


@pytest.mark.parametrize("encoding", ["euc_jp", "utf-16", "utf-16-le"])
def test_other_encodings(tmp_path: Path, encoding: str) -> None:
    text = "職員番号,所属,備考\nA1,総務課,繁忙期のため残業\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":  # NUL bytes without a BOM: refused rather than guessed
        with pytest.raises(Refusal) as info:
            read_raw(_write(tmp_path, "x.csv", data))
        assert info.value.code == "binary_file"
        return
    assert detect_encoding(data) == encoding  # utf-16 with its BOM: Excel's 「Unicode テキスト」
    (table,) = read_raw(_write(tmp_path, "x.csv", data))
    assert table.frame["備考"].to_list() == ["繁忙期のため残業"]


def test_euc_jp_that_also_decodes_as_cp932_and_halfwidth_kana_names(tmp_path: Path) -> None:
    euc = "氏名,備考\nあいう,かきくけこ\n".encode("euc_jp")
    assert euc.decode("cp932")  # valid CP932 too (as half-width gibberish)
    assert detect_encoding(euc) == "euc_jp"
    kana = "ｶﾅ,ﾒﾓ\nﾀﾅｶﾀﾛｳ,ｿｳﾑｶ\nｽｽﾞｷﾊﾅ,ｹﾝｷｭ\n".encode("cp932")
    assert kana.decode("euc_jp")  # and half-width kana CP932 is valid EUC-JP
    assert detect_encoding(kana) == "cp932"


def test_duplicate_and_blank_headers_stay_unique(tmp_path: Path) -> None:
    (table,) = read_raw(_write(tmp_path, "x.csv", b"a,a,,\n1,2,3,\n"))
    # an empty trailing column with no header is dropped; an unnamed column with data is kept
    assert table.headers == ["a", "a__2", "__UNNAMED__2"]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty_file"), (b"\n\n  \n", "empty_file"), (b"a,b\n", "no_data_rows"),
     (b"a,b\n\n,\n", "no_data_rows"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file")],
)
def test_csv_refusals(tmp_path: Path, data: bytes, code: str) -> None:
    with pytest.raises(Refusal) as info:
        read_raw(_write(tmp_path, "staff.csv", data))
    assert info.value.code == code
    assert info.value.file == "staff.csv"


def test_refusal_messages_are_bilingual(tmp_path: Path) -> None:
    with pytest.raises(Refusal) as info:
        read_raw(_write(tmp_path, "staff.csv", b"a,b\n"))
    assert info.value.message("ja") == "ファイル「staff.csv」にデータ行がありません (見出し行のみ)。"
    assert info.value.message("en") == "File 'staff.csv' has no data rows (header only)."


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import xlsxwriter

    with xlsxwriter.Workbook(path) as wb:
        datefmt = wb.add_format({"num_format": "yyyy/mm/dd"})
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if hasattr(value, "year"):
                        ws.write_datetime(r, c, value, datefmt)
                    elif value is not None:
                        ws.write(r, c, value)
    return path


def test_xlsx_all_sheets_as_strings(tmp_path: Path) -> None:
    from datetime import datetime

    path = _xlsx(tmp_path / "ot.xlsx", {
        "総務部": [["職員番号", "年月", "時間"], ["A01", datetime(2024, 4, 1), 12.5], ["A02", "R6.5", 3]],
        "空": [],
        "企画部": [["職員番号", "年月", "時間"], [None, None, None], ["B01", "2024/06", "1:30"]],
    })
    tables = read_raw(path)
    assert [t.sheet for t in tables] == ["総務部", "企画部"]  # the empty sheet is skipped
    first, second = tables
    assert first.frame.select("職員番号", "年月", "時間").rows() == [
        ("A01", "2024-04-01 00:00:00", "12.5"), ("A02", "R6.5", "3")]
    assert first.frame["_source_row"].to_list() == [2, 3]
    assert second.frame["_source_row"].to_list() == [3]  # row 2 is blank
    assert second.frame["_source_file"].unique().to_list() == ["ot.xlsx"]


def test_xlsx_header_only_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ot.xlsx", {"Sheet1": [["職員番号", "年月"]]})
    with pytest.raises(Refusal) as info:
        read_raw(path)
    assert info.value.code == "no_data_rows"
    assert "Sheet1" in info.value.message("ja")


def test_truncated_xlsx_is_refused(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "good.xlsx", {"S": [["a"], ["1"]]})
    bad = _write(tmp_path, "bad.xlsx", good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(Refusal) as info:
        read_raw(bad)
    assert info.value.code == "unreadable_xlsx"
    assert info.value.message("en").startswith("Cannot open Excel file 'bad.xlsx'")


def test_parquet_cast_to_string(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "ot.parquet"
    frame = pl.DataFrame({"staff_id": ["A1", "A2"], "month": [date(2024, 4, 1), None], "hours": [12.5, 3.0]})
    frame.write_parquet(path)
    (table,) = read_raw(path)
    # numbers and dates stay typed until normalise; as_text is the all-String view
    assert table.frame.schema["month"] == pl.Date and table.frame.schema["hours"] == pl.Float64
    assert table.as_text().frame.rows() == [
        ("A1", "2024-04-01", "12.5", "ot.parquet", 2), ("A2", None, "3.0", "ot.parquet", 3)]


def test_empty_parquet_and_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pl.DataFrame({"a": []}, schema={"a": pl.String}).write_parquet(path)
    with pytest.raises(Refusal) as info:
        read_raw(path)
    assert info.value.code == "no_data_rows"
    with pytest.raises(Refusal) as info:
        read_raw(_write(tmp_path, "x.pdf", b"%PDF"))
    assert info.value.code == "unsupported_format"


def test_xlsx_rows_below_blank_top_rows_keep_excel_numbers(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "lead.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("職員&名簿")
        ws.write_row(2, 1, ["職員番号", "年月"])  # header in Excel row 3, column B
        ws.write_row(3, 1, ["A1", "R6.4"])
        ws.write_row(5, 1, ["A2", "R6.5"])  # row 5 blank
    (table,) = read_raw(path)
    assert table.sheet == "職員&名簿"
    assert table.frame.select("職員番号", "_source_row").rows() == [("A1", 4), ("A2", 6)]
