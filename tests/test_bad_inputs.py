"""The bad-input corpus: every way an export goes wrong gets one exact, Japanese explanation.

The corpus is built by a fixture (small files in a temp folder) so the bytes are visible here.
One `validate_files` run covers the whole folder; each test then checks one file's outcome.
"""

from __future__ import annotations

import io

import polars as pl
import pytest

from hrmetrics.intake import validate_files

ORG = ("所属コード,所属名,親所属コード,開始年度,終了年度\n"
       "D1,総務部,,2000,\nA01,総務課,D1,2000,\nA02,企画課,D1,2000,\n")
HEAD = "職員番号,年月,所属コード,時間外勤務時間\n"
ITEMS = ("調査回,設問ID,設問文,領域,尺度,逆転項目,区分\n"
         "令和6年度,Q1,総合的に満足している,総合,5,0,総合\n令和6年度,Q2,成長できる,成長,4,0,要因\n")


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    pl.DataFrame({"職員番号": ["S1", "S2"], "年月": ["2024-04", "2024-04"], "所属コード": ["A01", "A01"],
                  "時間外勤務時間": [1.0, 2.0]}).write_excel(buf)
    return buf.getvalue()


CORPUS: dict[str, bytes] = {
    "組織.csv": ORG.encode(),
    "survey_items.csv": ITEMS.encode(),
    "overtime_empty.csv": b"",
    "overtime_header_only.csv": HEAD.encode(),
    "overtime_semicolon.csv": HEAD.replace(",", ";").encode() + b"S1;2024-04;A01;3\n",
    "overtime_no_unit.csv": "職員番号,年月,時間外勤務時間\nS1,2024-04,3\nS2,2024-04,4\n".encode(),
    "overtime_duplicates.csv": (HEAD + "S1,2024-04,A01,3\nS2,2024-04,A01,4\nS1,2024-04,A01,5\n").encode(),
    "overtime_negative.csv": (HEAD + "S1,2024-04,A01,-3\nS2,2024-04,A01,4\n").encode(),
    "overtime_text.csv": (HEAD + "S1,2024-04,A01,十時間\nS2,2024-04,A01,4\n").encode(),
    "overtime_unknown_unit.csv": (HEAD + "S1,2024-04,A01,3\nS2,2024-04,経理課,4\n").encode(),
    "overtime_cap.csv": (HEAD + "S1,2024-04,A01,120\nS2,2024-04,A01,30\n").encode(),
    "survey_2024.csv": ("調査回,回答者ID,所属コード,Q1,Q2\n"
                        "令和6年度,R1,A01,5,4\n令和6年度,R2,A01,6,2\n").encode(),
    "overtime_truncated.xlsx": _xlsx_bytes()[:700],
    "overtime_binary.csv": bytes(range(256)) * 8,
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    for name, data in CORPUS.items():
        (folder / name).write_bytes(data)
    out = tmp_path_factory.mktemp("out")
    result = validate_files([folder], out_dir=out)
    return result, out


def _report(result, name):
    [rep] = [r for r in result.reports if r.file == name]
    assert rep.rows_accepted + rep.rows_rejected == rep.rows_read
    return rep


def _rejects(result, name):
    return result.rejects.filter(pl.col("file") == name)


def test_every_file_is_reported_once_and_reference_files_come_first(run):
    result, _ = run
    assert sorted(r.file for r in result.reports) == sorted(CORPUS)
    assert [r.dataset for r in result.reports[:2]] == ["org_units", "survey_items"]
    assert not result.all_accepted


@pytest.mark.parametrize(("name", "code", "text", "read"), [
    ("overtime_empty.csv", "empty_file", "ファイル「overtime_empty.csv」は空です。", 0),
    ("overtime_header_only.csv", "no_data_rows",
     "ファイル「overtime_header_only.csv」にデータ行がありません (見出し行のみ)。", 0),
    ("overtime_semicolon.csv", "bad_delimiter",
     "ファイル「overtime_semicolon.csv」の区切り文字が正しくないようです "
     "(見出しが1列「職員番号;年月;所属コード;時間外勤務時間」に読めました)。"
     "カンマ区切りかタブ区切りで保存してください。", 1),
    ("overtime_no_unit.csv", "missing_columns",
     "ファイル「overtime_no_unit.csv」(時間外勤務実績) に必須の列がありません: unit_code (所属コード)。"
     "見つかった見出し: 職員番号, 年月, 時間外勤務時間", 2),
    ("overtime_binary.csv", "binary_file",
     "ファイル「overtime_binary.csv」はテキスト (CSV) として読めません。"
     "バイナリ形式か、対応していない文字コードです。", 0),
])
def test_refused_files(run, name, code, text, read):
    result, _ = run
    rep = _report(result, name)
    assert (rep.status, rep.rows_read, rep.rows_accepted, rep.rows_rejected) == ("refused", read, 0, read)
    assert rep.message == text
    rej = _rejects(result, name)
    assert rej.select("row", "column", "value", "rule", "message", "severity").rows() == [
        (None, None, None, code, text, "refused")]
    assert rep.dataset == "overtime"  # from the file name, even when unreadable


def test_truncated_xlsx_is_refused(run):
    result, _ = run
    rep = _report(result, "overtime_truncated.xlsx")
    assert rep.status == "refused"
    [rej] = _rejects(result, "overtime_truncated.xlsx").rows(named=True)
    assert rej["rule"] == "unreadable_xlsx"
    assert rej["message"].startswith(
        "Excel ファイル「overtime_truncated.xlsx」を開けません (破損しているか、途中で切れています): ")


def test_duplicate_grain_rows_all_rejected(run):
    result, _ = run
    rep = _report(result, "overtime_duplicates.csv")
    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected, rep.status) == (3, 1, 2, "partial")
    rej = _rejects(result, "overtime_duplicates.csv").sort("row")
    # the staff id is shown as its pseudonym (same for both rows), never as "S1"
    pseudonym = rej["value"][0].split(" / ")[0]
    assert len(pseudonym) == 24 and pseudonym != "S1"
    assert rej.select("row", "column", "value", "rule").rows() == [
        (2, "職員番号,年月", f"{pseudonym} / 2024-04", "unique_grain"),   # columns named as the file's header
        (4, "職員番号,年月", f"{pseudonym} / 2024-04", "unique_grain")]
    assert rej["message"].to_list() == [
        "職員番号と年月が重複しています (重複している行: 4)。重複した行はすべて取り込みません",
        "職員番号と年月が重複しています (重複している行: 2)。重複した行はすべて取り込みません"]
    assert result.accepted["overtime"].filter(pl.col("_source_file") == "overtime_duplicates.csv")[
        "staff_id"].to_list() == ["S2"]


def test_negative_hours(run):
    result, _ = run
    rep = _report(result, "overtime_negative.csv")
    assert (rep.rows_accepted, rep.rows_rejected) == (1, 1)
    rej = _rejects(result, "overtime_negative.csv")
    assert rej.select("row", "column", "value", "rule", "message").rows() == [
        (2, "時間外勤務時間", "-3", "hours_range",
         "時間外勤務時間「-3」が範囲外です (0〜744時間: 1か月の時間数を超えられません)")]


def test_text_in_a_number_column(run):
    result, _ = run
    rep = _report(result, "overtime_text.csv")
    assert (rep.rows_accepted, rep.rows_rejected) == (1, 1)
    [rej] = _rejects(result, "overtime_text.csv").rows(named=True)
    assert (rej["row"], rej["column"], rej["value"], rej["rule"], rej["severity"]) == (
        2, "時間外勤務時間", "十時間", "type_hours", "error")
    # the wording after the first sentence belongs to messages.py (normaliser texts)
    assert rej["message"].startswith("「時間外勤務時間」の値「十時間」を数値として読めません")


def test_unknown_division(run):
    result, _ = run
    rep = _report(result, "overtime_unknown_unit.csv")
    assert (rep.rows_accepted, rep.rows_rejected) == (1, 1)
    rej = _rejects(result, "overtime_unknown_unit.csv")
    assert rej.select("row", "column", "value", "rule", "message").rows() == [
        (3, "所属コード", "経理課", "unit_known",
         "所属コード「経理課」は組織マスタにないか、この時期に存在しない所属です")]


def test_likert_value_outside_the_scale(run):
    result, _ = run
    rep = _report(result, "survey_2024.csv")
    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected) == (2, 1, 1)
    assert _rejects(result, "survey_2024.csv").select("row", "column", "value", "rule", "message").rows() == [
        (3, "value", "6", "likert_range", "回答値「6」が設問の尺度 (1〜5) の範囲外です")]


def test_overtime_120h_is_accepted_with_a_warning(run):
    result, _ = run
    rep = _report(result, "overtime_cap.csv")
    assert (rep.rows_accepted, rep.rows_rejected, rep.rows_warned, rep.status) == (2, 0, 1, "ok")
    w = result.warnings.filter(pl.col("file") == "overtime_cap.csv").sort("rule")
    assert w.select("row", "value", "rule", "severity").rows() == [
        (2, "120", "overtime_cap_100", "warning"), (2, "120", "overtime_cap_45", "warning")]
    assert _rejects(result, "overtime_cap.csv").height == 0


def test_rejects_csv_has_bom_and_spreadsheet_rows(run):
    _, out = run
    data = (out / "rejects" / "overtime.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    csv = pl.read_csv(io.BytesIO(data[3:]), schema_overrides={"row": pl.Int64})
    assert csv.columns == ["dataset", "file", "row", "column", "value", "rule", "message", "severity"]
    neg = csv.filter(pl.col("file") == "overtime_negative.csv")
    assert neg.select("row", "value", "rule").rows() == [(2, "-3", "hours_range")]
    total_refused = csv.filter(pl.col("severity") == "refused").height
    assert total_refused == 6  # empty, header-only, semicolon, no unit, binary, truncated xlsx
