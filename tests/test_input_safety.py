"""Issue 10, input side: nothing misread silently, and no traceback for any input.

Each test feeds one kind of hostile but realistic input and checks the exact outcome: the value
parsed as meant, or a message naming file, row, column and value (or the whole file refused with
its reason) — while the other files of the run are still processed.
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import polars as pl
import pytest
from click.testing import CliRunner
from rich.console import Console

from hrmetrics.cli import cli
from hrmetrics.config import Config, config_from_dict
from hrmetrics.console import print_intake, visible
from hrmetrics.intake import validate_files
from hrmetrics.report.privacy import MAX_STEM, safe_child, safe_filename
from hrmetrics.survey.intake import reshape_survey_wide

ORG = ("所属コード,所属名,親所属コード,開始年度,終了年度\n"
       "D1,総務部,,2000,\nA01,総務課,D1,2000,\nA02,企画課,D1,2000,\n")
HEAD = "職員番号,年月,所属コード,時間外勤務時間\n"


def _run(tmp_path, files: dict[str, bytes | str], config: Config | None = None, lang: str = "ja"):
    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    (folder / "組織.csv").write_text(ORG, encoding="utf-8")
    for name, data in files.items():
        target = folder / name
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return validate_files([folder], config=config, lang=lang)


def _report(result, name):
    [rep] = [r for r in result.reports if r.file == name]
    assert rep.rows_accepted + rep.rows_rejected == rep.rows_read
    return rep


def _rejects(result, name, rule=None):
    both = pl.concat([result.rejects, result.warnings])
    out = both.filter(pl.col("file") == name)
    return out if rule is None else out.filter(pl.col("rule") == rule)


# ---------------------------------------------------------------------------------------------
# 2. no silent misread: survey answers


def _survey(answers: list[str], scale: int = 5):
    items = pl.DataFrame({"wave": ["FY2024"], "item_id": ["Q1"], "text": ["満足"], "dimension": ["総合"],
                          "scale_points": [scale], "reverse": [False], "role": ["outcome"]})
    wide = pl.DataFrame({
        "wave": ["FY2024"] * len(answers), "respondent_id": [f"r{i}" for i in range(len(answers))],
        "unit_code": ["A01"] * len(answers), "_source_file": ["s.csv"] * len(answers),
        "_source_row": list(range(2, 2 + len(answers))), "Q1": answers})
    ctx = SimpleNamespace(config=None, lang="ja", reference={"survey_items": items})
    return reshape_survey_wide(wide, SimpleNamespace(dataset="survey"), ctx)


@pytest.mark.parametrize("answer", ["1e3", "4-5", "3 or 5", "2/5", "4.5", "5:そう思わない", "5点中4"])
def test_survey_answer_that_is_not_one_number_or_label_is_rejected(answer):
    long, rejects = _survey([answer])
    assert long.is_empty()
    assert rejects.select("row", "column", "value", "rule", "severity").rows() == [
        (2, "Q1", answer, "survey_label", "error")]
    assert rejects["message"].item() == (
        f"回答「{answer}」を5段階の選択肢として読めません（1つの数値か選択肢の文言だけを書いてください。"
        "例: 5、そう思う、5:そう思う）")


@pytest.mark.parametrize(("answer", "stored"), [
    ("5", 5), ("５", 5), ("5.0", 5), ("5:そう思う", 5), ("５：そう思う", 5), ("4 ややそう思う", 4),
    ("2）あまりそう思わない", 2), ("3 普通ではない何か", 3), ("そう思わない", 1), ("9", 9),
])
def test_survey_answer_as_one_number_or_label_is_read(answer, stored):
    long, rejects = _survey([answer])
    assert rejects.is_empty()
    assert long["value"].to_list() == [str(stored)]  # 9 is kept: the survey suite rejects it (1–5)


def test_survey_file_with_misread_answers_rejects_those_rows_only(tmp_path):
    items = ("調査回,設問ID,設問文,領域,尺度,逆転項目,区分\n令和6年度,Q1,満足,総合,5,0,総合\n"
             "令和6年度,Q2,成長,成長,4,0,要因\n")
    survey = ("調査回,回答者ID,所属コード,Q1,Q2\n令和6年度,R1,A01,1e3,4-5\n令和6年度,R2,A01,3 or 5,2/5\n"
              "令和6年度,R3,A01,5,そう思う\n")
    result = _run(tmp_path, {"survey_items.csv": items, "survey_2024.csv": survey})
    rep = _report(result, "survey_2024.csv")
    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected) == (3, 1, 2)
    bad = _rejects(result, "survey_2024.csv").select("row", "column", "value").sort("row", "column")
    assert bad.rows() == [
        (2, "Q1", "1e3"), (2, "Q2", "4-5"), (3, "Q1", "3 or 5"), (3, "Q2", "2/5")]
    assert result.accepted["survey"].sort("item_id")["value"].to_list() == [5, 4]


# ---------------------------------------------------------------------------------------------
# 2. no silent misread: implausible periods


def test_month_outside_the_plausible_years_is_rejected_with_the_value(tmp_path):
    rows = "S1,9999/12,A01,3\nS2,99999,A01,4\nS3,1988/12,A01,5\nS4,2024-04,A01,6\nS5,令和6年5月,A01,7\n"
    result = _run(tmp_path, {"overtime_a.csv": HEAD + rows}, config=Config(last_year=2027))
    rep = _report(result, "overtime_a.csv")
    assert (rep.rows_accepted, rep.rows_rejected) == (2, 3)
    bad = _rejects(result, "overtime_a.csv", "year_window")
    assert bad.select("row", "column", "value", "severity").rows() == [
        (2, "年月", "9999/12", "error"), (3, "年月", "99999", "error"), (4, "年月", "1988/12", "error")]
    assert bad["message"][0] == ("「年月」の値「9999/12」は想定する期間 (1989年〜2027年) の外です"
                                 " (hrmetrics.toml の [intake] first_year / last_year で変更できます)")
    assert result.accepted["overtime"]["month"].to_list() == [date(2024, 4, 1), date(2024, 5, 1)]


def test_plausible_years_are_configurable_and_default_to_next_year(tmp_path):
    config = config_from_dict({"intake": {"first_year": 1980, "last_year": 2030}})
    assert config.year_window() == (1980, 2030)
    assert Config().year_window() == (1989, date.today().year + 1)
    with pytest.raises(ValueError, match="last_year"):
        Config(first_year=2000, last_year=1999)
    late = HEAD + "S3,2030/01,A01,5\n"
    widened = _run(tmp_path / "a", {"overtime_a.csv": late}, config=config)
    assert _report(widened, "overtime_a.csv").rows_accepted == 1
    default = _run(tmp_path / "b", {"overtime_a.csv": late}, config=Config(last_year=2029))
    assert _rejects(default, "overtime_a.csv")["rule"].to_list() == ["year_window"]


def test_years_and_waves_are_windowed_but_unit_validity_is_not(tmp_path):
    leave = ("職員番号,年,所属コード,休暇種別,取得日数\nS1,2173,A01,年次休暇,3\nS2,2024,A01,年次休暇,4\n"
             "S3,明治10年,A01,年次休暇,4\n")
    org = ORG + "A09,新しい課,D1,2035,9999\n"  # planned reorganisation; "valid until 9999"
    result = _run(tmp_path, {"leave_a.csv": leave, "組織.csv": org}, config=Config(last_year=2027),
                  lang="en")
    assert _rejects(result, "leave_a.csv", "year_window").select("row", "value").rows() == [
        (2, "2173"), (4, "明治10年")]
    assert _rejects(result, "leave_a.csv")["message"][0] == (
        "'2173' in '年' is outside the plausible years 1989–2027 "
        "(set [intake] first_year / last_year in hrmetrics.toml to change them)")
    assert _report(result, "組織.csv").rows_accepted == 4  # validity is not a data period


# ---------------------------------------------------------------------------------------------
# 2. no silent misread: invisible characters in identifiers and codes


def test_bom_and_zero_width_characters_do_not_make_a_different_person(tmp_path):
    rows = "\ufeffS1,2024-04,A01,3\nS1,2024-05,A\u200b01,4\nS\u200d1,2024-06,A\u206001 ,5\n"
    result = _run(tmp_path, {"overtime_a.csv": HEAD + rows})
    rep = _report(result, "overtime_a.csv")
    assert (rep.rows_accepted, rep.rows_warned) == (3, 0)  # silently dropped: never data
    frame = result.accepted["overtime"]
    assert frame["staff_id"].unique().to_list() == ["S1"] and frame["unit_code"].unique().to_list() == ["A01"]


def test_other_control_characters_are_removed_from_ids_and_reported(tmp_path):
    rows = "S1,2024-04,A\x1b01,3\nS2,2024-04,A\u202e02,4\nS\x073,2024-04,A01,5\n"
    result = _run(tmp_path, {"overtime_a.csv": HEAD + rows})
    rep = _report(result, "overtime_a.csv")
    assert (rep.rows_accepted, rep.rows_rejected, rep.rows_warned) == (3, 0, 3)
    warned = _rejects(result, "overtime_a.csv", "stripped_characters")
    units = warned.filter(pl.col("column") == "所属コード").sort("row")
    assert units.select("row", "value", "severity").rows() == [(2, "A01", "warning"), (3, "A02", "warning")]
    assert units["message"][0] == "「所属コード」の値から制御文字・書式文字を取り除き、「A01」として読みました"  # noqa: E501
    [staff] = warned.filter(pl.col("column") == "職員番号").rows(named=True)  # ids: shown as pseudonym
    assert staff["row"] == 4 and staff["value"] not in ("S3", "S\x073") and "S3" not in staff["message"]
    assert sorted(result.accepted["overtime"]["staff_id"]) == ["S1", "S2", "S3"]
    assert sorted(result.accepted["overtime"]["unit_code"]) == ["A01", "A01", "A02"]


def test_bom_in_a_header_is_ignored(tmp_path):
    head = "\u200b職員番号,年月\ufeff,所属コード,時間外勤務時間\n"
    result = _run(tmp_path, {"overtime_a.csv": head + "S1,2024-04,A01,3\n"})
    assert _report(result, "overtime_a.csv").rows_accepted == 1


# ---------------------------------------------------------------------------------------------
# 2. no silent misread: duplicated headers and files that fit several datasets


def test_duplicated_header_refuses_the_file_naming_the_column(tmp_path):
    dup = "職員番号,年月,所属コード,時間外勤務時間,時間外勤務時間\nS1,2024-04,A01,3,30\n"
    titled = "時間外勤務実績 令和6年度,,,,\n,,,,\n" + dup  # re-headed below a title row: same check
    buf = io.BytesIO()
    pl.DataFrame({"職員番号": ["S1"], "年月": ["2024-04"], "所属コード": ["A01"], "時間": ["3"],
                  "備考": ["x"], "ＢＩＫＯ": ["y"]}).rename({"ＢＩＫＯ": "備考 "}).write_excel(buf)
    result = _run(tmp_path, {"overtime_a.csv": dup, "overtime_b.csv": titled, "staff_c.xlsx": buf.getvalue()})
    for name in ("overtime_a.csv", "overtime_b.csv"):
        rep = _report(result, name)
        assert (rep.status, rep.rows_accepted) == ("refused", 0)
        assert rep.message == (f"ファイル「{name}」に同じ見出しの列が複数あります: 「時間外勤務時間」。"
                               "どちらの列を使うか決められないため、ファイル全体を取り込みません。列名を直してください。")
    sheet = [r for r in result.reports if r.file.startswith("staff_c.xlsx")]
    assert [r.status for r in sheet] == ["refused"] and "「備考」" in sheet[0].message


def test_file_fitting_two_datasets_is_refused_with_the_candidates_unless_its_name_decides(tmp_path):
    both = "職員番号,年月,所属コード,時間外勤務時間,年,休暇種別,取得日数\nS1,2024-04,A01,3,2024,年次休暇,3\n"
    result = _run(tmp_path, {"export.csv": both, "overtime_x.csv": both}, lang="en")
    rep = _report(result, "export.csv")
    assert (rep.status, rep.dataset) == ("refused", None)
    assert rep.message == ("The headers of file 'export.csv' satisfy several datasets: leave, overtime. "
                           "Rather than guess, hrmetrics refuses it; put the dataset in the file name "
                           "(e.g. leave_….csv, overtime_….csv).")
    named = _report(result, "overtime_x.csv")
    assert (named.dataset, named.status, named.rows_accepted) == ("overtime", "ok", 1)


# ---------------------------------------------------------------------------------------------
# 3. no traceback


def _pq(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def test_parquet_with_a_list_column_or_bad_bytes_is_refused_and_the_run_goes_on(tmp_path):
    base = {"年月": ["2024-04", "2024-04"], "所属コード": ["A01", "A01"], "時間外勤務時間": ["3", "4"]}
    listed = _pq(pl.DataFrame({"職員番号": [["S1"], ["S2"]], **base}))
    binary = _pq(pl.DataFrame({"職員番号": [b"S1", b"\xff\xfe"], **base}))
    good_bytes = _pq(pl.DataFrame({"職員番号": [b"S1", "S２".encode()], **base}))
    result = _run(tmp_path, {"overtime_l.parquet": listed, "overtime_b.parquet": binary,
                             "overtime_g.parquet": good_bytes, "overtime_c.csv": HEAD + "S9,2024-04,A01,1\n"})
    assert _report(result, "overtime_l.parquet").message == (
        "Parquet ファイル「overtime_l.parquet」にリストや構造体の列があります: 職員番号 (List(String))。"
        "1つのセルに1つの値を入れてください。")
    assert _report(result, "overtime_b.parquet").message == (
        "Parquet ファイル「overtime_b.parquet」の列「職員番号」の 3 行目に"
        " UTF-8 として読めないバイト列があります。")
    for name in ("overtime_l.parquet", "overtime_b.parquet"):  # the rows are counted, all rejected
        assert (_report(result, name).rows_read, _report(result, name).rows_rejected) == (2, 2)
    assert _report(result, "overtime_g.parquet").rows_accepted == 2
    assert _report(result, "overtime_c.csv").status == "ok"


def test_unexpected_failure_in_one_file_refuses_that_file_only(tmp_path, monkeypatch):
    import hrmetrics.normalise as nm

    real = nm.normalise

    def flaky(raw, spec, context=None):
        if raw.source == "overtime_a.csv":
            raise ZeroDivisionError("boom")
        return real(raw, spec, context)

    monkeypatch.setattr(nm, "normalise", flaky)
    result = _run(tmp_path, {"overtime_a.csv": HEAD + "S1,2024-04,A01,3\n",
                             "overtime_b.csv": HEAD + "S2,2024-04,A01,3\n"}, lang="en")
    assert _report(result, "overtime_a.csv").message == (
        "An unexpected error occurred while processing file 'overtime_a.csv', so it was not taken in "
        "(ZeroDivisionError: boom). The other files were processed.")
    assert _report(result, "overtime_b.csv").status == "ok"


def test_markup_and_ansi_escapes_in_values_are_printed_literally(tmp_path):
    rows = "S1,2024-04,[/bold],3\nS2,2024-04,A01,\x1b[31m4\x1b[0m\nS3,2024-04,[red]A01,5\n"
    result = _run(tmp_path, {"overtime_[b]x.csv": HEAD + rows})
    out = io.StringIO()
    print_intake(result, console=Console(file=out, force_terminal=True, width=300, color_system=None))
    text = out.getvalue()
    assert "\x1b" not in text  # no colour system: any ESC would have come from the data
    assert "[/bold]" in text and "[red]A01" in text and "overtime_[b]x.csv" in text
    assert "\\x1b[31m4\\x1b[0m" in text


def test_load_with_markup_in_a_value_ends_with_a_table_not_a_traceback(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "組織.csv").write_text(ORG, encoding="utf-8")
    (data / "overtime_a.csv").write_text(HEAD + "S1,2024-04,[/bold],3\nS2,2024-04,A01,4\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["load", str(data), "--store", str(tmp_path / "store")])
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert res.exit_code == 1  # one row rejected
    assert "[/bold]" in res.output and "unit_known" in res.output


def test_visible_escapes_controls_and_invisible_characters():
    assert visible("a\x1b[2Jb\x07\u202ec\ufeff\n") == "a\\x1b[2Jb\\x07\\u202ec\\ufeff\\x0a"
    assert visible("所属 [bold]") == "所属 [bold]" and visible(None) == ""


@pytest.mark.parametrize(("code", "stem"), [
    ("A01", "A01"), ("DIV-01_a", "DIV-01_a"), ("CON", "CON_a3dbc4b6"), ("nul", "nul_99e62427"),
    ("COM1", "COM1_6eac394b"), ("", "unit_e3b0c442"),
])
def test_unit_file_names_are_bounded_and_never_reserved(code, stem):
    assert safe_filename(code) == stem


def test_a_300_character_unit_code_gets_a_short_distinct_file(tmp_path):
    long_a, long_b = "X" * 300, "X" * 299 + "Y"
    stem_a, stem_b = safe_filename(long_a), safe_filename(long_b)
    assert len(stem_a) == MAX_STEM and stem_a != stem_b and stem_a.startswith("X" * 55 + "_")
    path = safe_child(tmp_path, long_a, ".html")
    path.write_text("ok", encoding="utf-8")  # would be OSError: File name too long
    assert path.read_text(encoding="utf-8") == "ok" and path.parent == tmp_path.resolve()


def test_cr_only_line_endings_are_read_as_lines(tmp_path):
    text = (HEAD + "S1,2024-04,A01,3\nS2,2024-04,A01,4\n").replace("\n", "\r")
    result = _run(tmp_path, {"overtime_a.csv": text})
    rep = _report(result, "overtime_a.csv")
    assert (rep.status, rep.rows_read, rep.rows_accepted) == ("ok", 2, 2)


def test_huge_numbers_are_named_in_the_reject_not_blank(tmp_path):
    rows = "S1,2024-04,A01,1e308\nS2,2024-04,A01,1e400\nS3,2024-04,A01,123456789012345678901234567890\n"
    result = _run(tmp_path, {"overtime_a.csv": HEAD + rows})
    bad = _rejects(result, "overtime_a.csv", "hours_range")
    assert bad["value"].to_list() == ["1e+308", "inf", "1.2345678901234568e+29"]
    assert bad["message"][0] == ("時間外勤務時間「1e+308」が範囲外です"
                                 " (0〜744時間: 1か月の時間数を超えられません)")


def test_broken_workspace_config_is_one_sentence_naming_the_file(tmp_path):
    (tmp_path / "hrmetrics.toml").write_text('[report\nlang = "en"\n', encoding="utf-8")
    (tmp_path / "overtime_a.csv").write_text(HEAD + "S1,2024-04,A01,3\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output == ("エラー: hrmetrics.toml を TOML として読めません: "
                          "Expected ']' at the end of a table declaration (at line 1, column 8)\n")


def test_excel_unicode_text_export_utf16_with_bom_is_read(tmp_path):
    text = (HEAD + "S1,2024-04,A01,3\nＳ２,令和6年4月,A01,4\n").replace(",", "\t")
    result = _run(tmp_path, {"overtime_u.tsv": text.encode("utf-16")})  # Excel 「Unicode テキスト」
    rep = _report(result, "overtime_u.tsv")
    assert (rep.status, rep.rows_accepted) == ("ok", 2)
    assert result.accepted["overtime"]["staff_id"].to_list() == ["S1", "S2"]
