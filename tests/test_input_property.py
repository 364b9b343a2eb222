"""Property tests over the readers and normalisers: whatever the bytes, "parsed, or a clear
message — never a traceback".

Inputs are random bytes, text in several encodings, control characters, exotic Unicode and huge
or tiny numbers. "A clear message" means a `Refusal` whose text names the file, or rejects rows
naming file, row, column and value; "parsed" means values of the canonical dtype, with the
accounting accepted + rejected = read intact. Example counts are kept small so the suite stays
fast, and derandomised so that the shared suite is reproducible; the generators lean on the
characters that broke intake before (BOM, ESC, rich markup). To explore further, set
HRMETRICS_PROPERTY_EXAMPLES (e.g. 2000): examples are then multiplied and drawn at random.
"""

from __future__ import annotations

import io
import os
import unicodedata
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hrmetrics import jpformat as jp
from hrmetrics.console import visible
from hrmetrics.errors import Refusal
from hrmetrics.normalise import DTYPES, NormaliseContext, normalise
from hrmetrics.pipelines import load_specs, match_spec
from hrmetrics.readers import SOURCE_FILE, SOURCE_ROW, read_raw
from hrmetrics.report.privacy import MAX_STEM, safe_filename

SPECS = load_specs()
ORG_UNITS = pl.DataFrame({"unit_code": ["A01"], "unit_name": ["総務課"], "parent_code": ["D1"],
                          "valid_from_fy": [2000], "valid_to_fy": [None], "successor_code": [None]},
                         schema_overrides={"valid_to_fy": pl.Int64, "successor_code": pl.String})
_EXPLORE = int(os.environ.get("HRMETRICS_PROPERTY_EXAMPLES", "0"))


def _settings(examples: int) -> settings:
    """Modest, reproducible example counts; many random ones when exploring on purpose."""
    return settings(max_examples=_EXPLORE or examples, deadline=None, derandomize=not _EXPLORE,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


FAST = _settings(40)

HOSTILE = st.sampled_from(["\ufeff", "\u200b", "\x1b[31m", "\x00", "\r", "\n", '"', ",", "\t", "[/bold]",
                           "\u202e", "𠮷", "ｱ", "①", "Ⅻ", "－", "△", "１", "令和", "年", "月", ":", "e", "."])
CELL = st.one_of(
    st.text(max_size=12),
    st.lists(HOSTILE, max_size=4).map("".join),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["2024-04", "令和6年4月", "R6.4", "202404", "99999", "9999/12", "1e308", "5e-324",
                     "12:30", "S1", "A01", "そう思う", "", " "]),
)
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16", "latin-1"])
OVERTIME_HEAD = ["職員番号", "年月", "所属コード", "時間外勤務時間"]


def _csv_bytes(rows: list[list[str]], encoding: str, head: list[str] = OVERTIME_HEAD) -> bytes:
    buf = io.StringIO()
    pl.DataFrame([head, *rows], schema=[f"c{i}" for i in range(len(head))], orient="row").write_csv(
        buf, include_header=False)
    return buf.getvalue().encode(encoding, errors="replace")


def _assert_clear(refusal: Refusal, file_name: str) -> None:
    """A refusal is clear when it renders in both languages and names the file."""
    for lang in ("ja", "en"):
        text = refusal.message(lang)
        assert file_name in text and "{" not in text.replace("{}", ""), text


def _read_or_refused(path) -> list:
    """The file's tables, or none when it is refused (the refusal checked to be clear)."""
    try:
        return read_raw(path)
    except Refusal as refusal:
        _assert_clear(refusal, path.name)
        return []


def _check_table(raw) -> None:
    assert raw.frame.schema[SOURCE_ROW] == pl.Int64 and raw.frame.schema[SOURCE_FILE] == pl.String
    assert all(raw.frame.schema[h] == pl.String for h in raw.headers)
    rows = raw.frame[SOURCE_ROW].to_list()
    assert rows == sorted(rows) and (not rows or rows[0] >= 2)


# ---------------------------------------------------------------------------------------------
# readers


@FAST
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet"]))
def test_any_bytes_are_read_or_refused(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"overtime{suffix}"
    path.write_bytes(data)
    for raw in _read_or_refused(path):
        _check_table(raw)


@FAST
@given(rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=6), encoding=ENCODING)
def test_hostile_csv_is_normalised_or_refused_with_accounting_intact(tmp_path_factory, rows, encoding):
    path = tmp_path_factory.mktemp("csv") / "overtime_x.csv"
    path.write_bytes(_csv_bytes(rows, encoding))
    context = NormaliseContext(reference={"org_units": ORG_UNITS})
    try:
        for raw in read_raw(path):
            _check_table(raw)
            spec = match_spec(path, raw.headers, SPECS)
            norm = normalise(raw, spec, context)
            assert norm.accepted_rows + len(norm.rejected_rows) == norm.rows_read
            assert {c: norm.frame.schema[c] for c in spec.columns} == {
                c: DTYPES[col.type] for c, col in spec.columns.items()}
            bad = norm.rejects.filter(pl.col("severity") == "error")
            assert bad["row"].null_count() == 0 and bad["column"].null_count() == 0
            for value, text in norm.rejects.select("value", "message").iter_rows():
                assert text and (value is None or value in text), (value, text)  # the value is named
            event(f"normalised, {norm.accepted_rows} of {norm.rows_read} rows accepted")
            months = norm.frame["month"].drop_nulls().to_list()
            assert all(1989 <= m.year <= date.today().year + 1 for m in months)
    except Refusal as refusal:
        _assert_clear(refusal, path.name)
        event(f"refused: {refusal.code}")


@settings(_settings(4), max_examples=min(_EXPLORE, 40) or 4)
@given(rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=4), encoding=ENCODING)
def test_whole_intake_with_great_expectations_never_raises(tmp_path_factory, rows, encoding):
    from hrmetrics.intake import validate_files

    folder = tmp_path_factory.mktemp("intake")
    org = "所属コード,所属名,親所属コード,開始年度\nD1,総務部,,2000\nA01,総務課,D1,2000\n"
    (folder / "組織.csv").write_text(org, encoding="utf-8")
    (folder / "overtime_x.csv").write_bytes(_csv_bytes(rows, encoding))
    result = validate_files([folder])
    for rep in result.reports:
        assert rep.rows_accepted + rep.rows_rejected == rep.rows_read
        assert rep.status in {"ok", "partial", "refused"} and rep.message


@_settings(15)
@given(rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=4),
       sheet=st.text(alphabet=st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=["Cs"]),
                     min_size=1, max_size=10))
def test_workbook_with_hostile_cells_and_sheet_name_is_read_or_refused(tmp_path_factory, rows, sheet):
    path = tmp_path_factory.mktemp("xlsx") / "overtime_w.xlsx"
    frame = pl.DataFrame(rows, schema=OVERTIME_HEAD, orient="row")
    try:
        frame.write_excel(path, worksheet=sheet)
    except Exception:  # xlsxwriter refuses some sheet names itself: nothing to read then
        return
    for raw in _read_or_refused(path):
        _check_table(raw)
        try:
            norm = normalise(raw, SPECS["overtime"], NormaliseContext(reference={"org_units": ORG_UNITS}))
        except Refusal as refusal:
            _assert_clear(refusal, path.name)
            continue
        assert norm.accepted_rows + len(norm.rejected_rows) == norm.rows_read


@FAST
@given(cells=st.lists(st.one_of(CELL, st.binary(max_size=6)), min_size=1, max_size=5))
def test_parquet_with_any_cells_is_read_or_refused(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("pq") / "overtime_p.parquet"
    texts = [c for c in cells if isinstance(c, str)]
    blobs = [c for c in cells if isinstance(c, bytes)]
    frame = pl.DataFrame({"職員番号": texts or [None], "年月": [["2024-04"]] * max(len(texts), 1)})
    if blobs:
        frame = frame.head(1).with_columns(pl.lit(blobs[0], dtype=pl.Binary).alias("所属コード"))
    frame.write_parquet(path)
    try:
        read_raw(path)
    except Refusal as refusal:
        _assert_clear(refusal, path.name)
        assert refusal.code in {"parquet_nested_column", "parquet_bad_bytes"}


# ---------------------------------------------------------------------------------------------
# normalisers (jpformat parsers, survey answers)


PARSERS = {
    jp.parse_number: float, jp.parse_int: int, jp.parse_hours: float, jp.parse_month: date,
    jp.parse_date: date, jp.parse_fiscal_year: int, jp.parse_year: int, jp.parse_wave: str,
    jp.parse_bool: bool,
}


@_settings(25)
@given(value=CELL)
def test_every_scalar_parser_returns_its_type_or_none(value):
    for parse, kind in PARSERS.items():
        out = parse(value)
        assert out is None or isinstance(out, kind), (parse.__name__, value, out)


@_settings(60)
@given(value=st.text(max_size=10), junk=st.lists(HOSTILE, max_size=3).map("".join))
def test_ids_lose_only_invisible_characters(value, junk):
    cleaned = pl.select(jp.clean_id_expr(pl.lit(junk + value + junk, dtype=pl.String))).item()
    assert cleaned is None or not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned)


@_settings(20)
@given(answers=st.lists(CELL, min_size=1, max_size=6), scale=st.sampled_from([4, 5, 7, 11]))
def test_survey_answers_are_an_integer_or_a_named_reject(answers, scale):
    from types import SimpleNamespace

    from hrmetrics.survey.intake import reshape_survey_wide

    items = pl.DataFrame({"wave": ["FY2024"], "item_id": ["Q1"], "text": ["満足"], "dimension": ["総合"],
                          "scale_points": [scale], "reverse": [False], "role": ["outcome"]})
    n = len(answers)
    wide = pl.DataFrame({"wave": ["FY2024"] * n, "respondent_id": [f"r{i}" for i in range(n)],
                         "unit_code": ["A01"] * n, "_source_file": ["s.csv"] * n,
                         "_source_row": list(range(2, n + 2)), "Q1": answers})
    ctx = SimpleNamespace(config=None, lang="ja", reference={"survey_items": items})
    long, rejects = reshape_survey_wide(wide, SimpleNamespace(dataset="survey"), ctx)
    assert long.height + rejects.height == n
    assert set(rejects["value"].to_list()) <= set(answers)
    for raw, value in zip(long["_source_row"].to_list(), long["value"].to_list(), strict=True):
        written = answers[raw - 2]
        assert value is None or value.isdigit()
        if value is not None and written.strip()[:1].isdigit():  # a number is read whole, never cut
            digits = unicodedata.normalize("NFKC", written).strip().split(".")[0][:2].rstrip(":).、, ")
            assert int(value) == int(digits) + (scale == 11)


# ---------------------------------------------------------------------------------------------
# outputs of data: terminal text and file names


@_settings(80)
@given(text=st.one_of(st.text(max_size=30), st.lists(HOSTILE, max_size=6).map("".join)))
def test_console_text_holds_no_control_or_invisible_character(text):
    shown = visible(text)
    assert not any(unicodedata.category(ch) == "Cc" or ch in "\u200b\u202e\ufeff" for ch in shown)


@_settings(80)
@given(code=st.one_of(st.text(max_size=400), st.sampled_from(["CON", "aux", "LPT1", "COM9", "..", "/"])))
def test_unit_file_names_are_short_safe_and_never_device_names(code):
    stem = safe_filename(code)
    assert 1 <= len(stem) <= MAX_STEM and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in stem)
    assert stem.upper() not in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                                *(f"LPT{i}" for i in range(10))}
    assert Path(stem).name == stem
