"""validate.py: GX suites on hand-made canonical frames (no readers involved)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.pipelines import load_specs
from hrmetrics.resources import list_resources
from hrmetrics.validate import REJECT_SCHEMA, declared_fiscal_year, validate_frame


@pytest.fixture(scope="session")
def gx():
    """Import GX once per test session (~4.5 s)."""
    import great_expectations

    return great_expectations


@pytest.fixture(scope="module")
def specs():
    return load_specs()


ORG = pl.DataFrame(
    {"unit_code": ["D1", "A01", "A02"], "unit_name": ["総務部", "総務課", "旧課"],
     "parent_code": [None, "D1", "D1"], "valid_from_fy": [2000, 2000, 2000],
     "valid_to_fy": [None, None, 2023], "successor_code": [None, None, "A01"]},
    schema_overrides={"valid_to_fy": pl.Int64, "parent_code": pl.String, "successor_code": pl.String},
)
ITEMS = pl.DataFrame(
    {"wave": ["FY2024", "FY2024"], "item_id": ["Q1", "Q2"], "text": ["満足", "成長"],
     "dimension": ["総合", "成長"], "scale_points": [5, 4], "reverse": [False, False],
     "role": ["outcome", "driver"], "equivalent_to": [None, None]},
    schema_overrides={"equivalent_to": pl.String},
)


def ctx(lang="ja", **reference):
    return SimpleNamespace(config=Config(), lang=lang, reference=reference)


def overtime(rows, file="overtime.csv"):
    """Overtime frame from (staff_id, 'YYYY-MM', unit_code, hours) tuples; rows numbered from 2."""
    return pl.DataFrame(
        {"staff_id": [r[0] for r in rows],
         "month": [date(int(r[1][:4]), int(r[1][5:]), 1) for r in rows],
         "unit_code": [r[2] for r in rows], "hours": [r[3] for r in rows]},
        schema_overrides={"hours": pl.Float64},
    ).with_columns(_source_file=pl.lit(file), _source_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64))


def test_every_suite_loads_and_every_expectation_has_bilingual_meta(gx):
    for path in list_resources("expectations", "*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        assert suite.name == path.stem
        for exp in data["expectations"]:
            assert set(exp["meta"]) >= {"rule", "ja", "en"}, (path.name, exp)
            assert exp["severity"] in ("critical", "warning")
    names = sorted(p.stem for p in list_resources("expectations", "*.json"))
    assert names == sorted(["org_units", "staff", "overtime", "leave", "childcare", "approvals",
                            "survey_items", "survey", "survey_attributes", "hires",
                            "exam_applicants", "separations", "pay"])


def test_duplicate_grain_rejects_every_copy_and_names_the_others(gx, specs):
    f = overtime([("S1", "2024-04", "A01", 1.0), ("S1", "2024-04", "A01", 2.0),
                  ("S2", "2024-04", "A01", 3.0), ("S1", "2024-04", "A01", 4.0)])
    v = validate_frame(f, specs["overtime"], ctx(org_units=ORG))
    dup = v.rejects.filter(pl.col("rule") == "unique_grain").sort("row")
    assert dup["row"].to_list() == [2, 3, 5]
    assert dup["column"].unique().to_list() == ["staff_id,month"]
    assert dup["value"].to_list() == ["S1 / 2024-04"] * 3
    assert dup["message"][0] == (
        "職員番号と年月が重複しています (重複している行: 3, 5)。重複した行はすべて取り込みません")
    assert dup["message"][2].startswith("職員番号と年月が重複しています (重複している行: 2, 3)")
    assert v.accepted["_source_row"].to_list() == [4]
    assert v.rejects.schema == pl.Schema(REJECT_SCHEMA)


def test_hours_range_rejects_negative_and_over_744(gx, specs):
    f = overtime([("S1", "2024-04", "A01", -1.0), ("S2", "2024-04", "A01", 744.0),
                  ("S3", "2024-04", "A01", 744.5)])
    v = validate_frame(f, specs["overtime"], ctx(org_units=ORG))
    bad = v.rejects.filter(pl.col("rule") == "hours_range").sort("row")
    assert bad.select("row", "column", "value").rows() == [(2, "hours", "-1"), (4, "hours", "744.5")]
    assert bad["message"][0] == "時間外勤務時間「-1」が範囲外です (0〜744時間: 1か月の時間数を超えられません)"
    assert bad["severity"].unique().to_list() == ["error"]
    assert v.accepted["_source_row"].to_list() == [3]


def test_overtime_over_legal_caps_is_accepted_with_warnings(gx, specs):
    f = overtime([("S1", "2024-04", "A01", 120.0), ("S2", "2024-04", "A01", 50.0),
                  ("S3", "2024-04", "A01", 45.0)])
    v = validate_frame(f, specs["overtime"], ctx(org_units=ORG))
    assert v.rejects.height == 0
    assert v.accepted.height == 3
    w = v.warnings.sort("row", "rule")
    assert w.select("row", "rule", "severity").rows() == [
        (2, "overtime_cap_100", "warning"), (2, "overtime_cap_45", "warning"),
        (3, "overtime_cap_45", "warning")]
    assert w["message"][0] == (
        "時間外勤務時間「120」が月100時間の上限を超えています (取り込みますが報告します)")


def test_unit_must_exist_in_org_units_for_the_rows_fiscal_year(gx, specs):
    # A02 is valid up to FY2023: 2024-03 is still FY2023, 2024-04 is FY2024.
    f = overtime([("S1", "2024-03", "A02", 1.0), ("S2", "2024-04", "A02", 1.0),
                  ("S3", "2024-04", "経理課", 1.0)])
    v = validate_frame(f, specs["overtime"], ctx(org_units=ORG))
    bad = v.rejects.filter(pl.col("rule") == "unit_known").sort("row")
    assert bad.select("row", "column", "value").rows() == [
        (3, "unit_code", "A02"), (4, "unit_code", "経理課")]
    assert bad["message"][1] == "所属コード「経理課」は組織マスタにないか、この時期に存在しない所属です"
    assert v.accepted["_source_row"].to_list() == [2]


def test_unit_check_is_skipped_and_named_without_org_units(gx, specs):
    f = overtime([("S1", "2024-04", "経理課", 1.0)])
    v = validate_frame(f, specs["overtime"], ctx())
    assert v.rejects.height == 0
    assert v.skipped_rules == ["unit_known"]


def test_months_outside_the_fiscal_year_in_the_file_name(gx, specs):
    rows = [("S1", "2024-04", "A01", 1.0), ("S1", "2025-03", "A01", 1.0), ("S1", "2025-04", "A01", 1.0)]
    f = overtime(rows, file="時間外_令和6年度.csv")
    v = validate_frame(f, specs["overtime"], ctx(org_units=ORG))
    bad = v.rejects.filter(pl.col("rule") == "period_in_file")
    assert bad.select("row", "column", "value").rows() == [(4, "month", "2025-04")]
    assert bad["message"][0] == "年月「2025-04」はファイル名の年度 (FY2024) の範囲外です"


@pytest.mark.parametrize(("name", "fy"), [
    ("時間外_令和6年度.csv", 2024), ("overtime_FY2024.csv", 2024), ("時間外_R6年度.xlsx", 2024),
    ("時間外_令和元年度.csv", 2019), ("時間外_平成30年度.csv", 2018), ("時間外２０２３年度.csv", 2023),
    ("overtime_2024-04.csv", None), ("時間外.csv", None),
])
def test_declared_fiscal_year(name, fy):
    assert declared_fiscal_year(name) == fy


def test_likert_value_outside_its_items_scale(gx, specs):
    # one spreadsheet row (respondent) → several long rows; an error on one rejects the respondent
    f = pl.DataFrame({
        "wave": ["FY2024"] * 5, "respondent_id": ["R1", "R1", "R2", "R2", "R3"],
        "unit_code": ["A01"] * 5, "item_id": ["Q1", "Q2", "Q1", "Q2", "Q9"], "value": [5, 5, 3, None, 1],
        "_source_file": ["survey_2024.csv"] * 5, "_source_row": [2, 2, 3, 3, 4],
    })
    v = validate_frame(f, specs["survey"], ctx(org_units=ORG, survey_items=ITEMS))
    assert v.rejects.select("row", "column", "value", "rule").sort("row").rows() == [
        (2, "value", "5", "likert_range"), (4, "item_id", "Q9", "item_known")]
    likert = v.rejects.filter(pl.col("rule") == "likert_range")
    assert likert["message"][0] == "回答値「5」が設問の尺度 (1〜4) の範囲外です"
    assert v.accepted["_source_row"].to_list() == [3, 3]


def test_leave_days_beyond_granted_plus_carryover(gx, specs):
    f = pl.DataFrame({
        "staff_id": ["S1", "S2", "S3"], "year": [2024, 2024, 2024], "unit_code": ["A01"] * 3,
        "leave_type": ["annual"] * 3, "days": [25.0, 30.0, 3.0], "granted_days": [20.0, 20.0, None],
        "carryover_days": [5.0, 5.0, None], "_source_file": ["leave.csv"] * 3, "_source_row": [2, 3, 4],
    })
    v = validate_frame(f, specs["leave"], ctx(org_units=ORG))
    assert v.rejects.select("row", "column", "value", "rule").rows() == [
        (3, "days", "30", "days_within_grant")]
    assert v.rejects["message"][0] == "取得日数「30」が付与日数と繰越日数の合計を超えています"


def test_org_units_parent_must_exist_and_validity_in_order(gx, specs):
    f = ORG.with_columns(
        parent_code=pl.Series(["", "D1", "D9"]).replace("", None),
        valid_to_fy=pl.Series([None, 1999, 2023], dtype=pl.Int64),
        _source_file=pl.lit("org_units.csv"), _source_row=pl.Series([2, 3, 4], dtype=pl.Int64))
    v = validate_frame(f, specs["org_units"], ctx())
    assert v.rejects.select("row", "column", "value", "rule").sort("row").rows() == [
        (3, "valid_to_fy", "1999", "validity_order"), (4, "parent_code", "D9", "parent_known")]


def test_messages_in_english(gx, specs):
    f = overtime([("S1", "2024-04", "A01", -2.5)])
    v = validate_frame(f, specs["overtime"], ctx(lang="en", org_units=ORG))
    assert v.rejects["message"].to_list() == [
        "Overtime hours '-2.5' out of range (0-744 h: cannot exceed the hours in a month)"]


def test_category_code_outside_the_known_set(gx, specs):
    # a Parquet export may bypass the category mapping: the suite still guards the code list
    f = pl.DataFrame({
        "as_of": [date(2024, 4, 1)] * 2, "staff_id": ["S1", "S2"], "unit_code": ["A01", "A01"],
        "grade": ["staff", "boss"], "gender": ["female", "male"], "employment_type": [None, "regular"],
        "_source_file": ["staff.parquet"] * 2, "_source_row": [2, 3],
    }, schema_overrides={"employment_type": pl.String})
    v = validate_frame(f, specs["staff"], ctx(org_units=ORG))
    assert v.rejects.select("row", "column", "value", "rule").rows() == [(3, "grade", "boss", "known_code")]
    assert v.accepted["staff_id"].to_list() == ["S1"]


def test_row_local_rules_on_distinct_values_and_other_rules_on_the_whole_frame(gx, specs, tmp_path):
    """GX judges each distinct value of a row-local rule once (polars finds its rows); a rule that
    needs the other rows (`mostly`, uniqueness) still sees every row. Both report the same rows."""
    from hrmetrics.validate import GxRules, _row_local

    suite = json.loads((Path(list_resources("expectations", "overtime.json")[0])).read_text("utf-8"))
    meta = {"rule": "custom", "ja": "「{value}」", "en": "'{value}'"}
    suite["expectations"] += [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "hours", "max_value": 30,
                                                                   "mostly": 0.99},
         "meta": {**meta, "rule": "mostly_30"}, "severity": "warning"},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "staff_id"},
         "meta": {**meta, "rule": "one_row_per_staff"}, "severity": "warning"},
    ]
    assert [_row_local(e) for e in suite["expectations"][-3:]] == [True, False, False]
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "overtime.json").write_text(json.dumps(suite), encoding="utf-8")
    f = overtime([("S1", "2024-04", "A01", 50.0), ("S1", "2024-05", "A01", 50.0),
                  ("S2", "2024-04", "A01", 10.0), ("S3", "2024-04", "A01", float("nan"))])
    context = SimpleNamespace(config=Config(workspace=tmp_path), lang="ja",
                              reference={"org_units": ORG}, rules=GxRules())
    v = validate_frame(f, specs["overtime"], context)
    context.rules.close()
    got = v.warnings.select("row", "rule").sort("rule", "row").rows()
    assert got == [(2, "mostly_30"), (3, "mostly_30"), (2, "one_row_per_staff"), (3, "one_row_per_staff"),
                   (2, "overtime_cap_45"), (3, "overtime_cap_45")]
    # NaN is missing to GX (pandas): the row is rejected by not_null, found by its value in polars
    assert v.rejects.select("row", "rule").rows() == [(5, "not_null")]


def test_presence_only_column_is_judged_on_its_missing_values_and_one_present_value(gx, specs, monkeypatch):
    """staff_id has only not_null: GX sees null and one id (not every id); the rows holding the
    null are rejected and every other row is kept, whatever its id."""
    from hrmetrics.validate import GxRules, _values_to_judge

    not_null = [{"type": "expect_column_values_to_not_be_null"}]
    assert _values_to_judge(pl.Series(["S1", "S2", None, "S1"]), not_null).to_list() == [None, "S1"]
    floats = _values_to_judge(pl.Series([2.0, float("nan"), None, 3.0, 2.0]), not_null)
    assert (floats.len(), floats.null_count(), floats.is_nan().sum(), floats[-1]) == (3, 1, 1, 2.0)
    both = _values_to_judge(pl.Series(["S1", "S2"]), [*not_null, {"type": "x"}])
    assert both.sort().to_list() == ["S1", "S2"]
    seen: list[list[object]] = []
    real = GxRules.run

    def spy(self, frame, expectations, index):
        if "staff_id" in frame.columns:
            seen.append(frame["staff_id"].unique().to_list())
        return real(self, frame, expectations, index)

    monkeypatch.setattr(GxRules, "run", spy)
    rows = [(f"S{i}", "2024-04", "A01", 1.0) for i in range(50)]
    rows[7] = (None, "2024-04", "A01", 1.0)
    v = validate_frame(overtime(rows), specs["overtime"], ctx(org_units=ORG))
    assert sorted(seen[0], key=str) == sorted([None, "S0"], key=str)
    assert v.rejects.select("row", "rule").rows() == [(9, "not_null")]
    assert v.accepted.height == 49
