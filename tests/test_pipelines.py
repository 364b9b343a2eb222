"""Pipeline specs: loading, strict checking, and matching files to datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrmetrics.errors import Refusal, SpecError
from hrmetrics.pipelines import load_spec, load_specs, match_spec, spec_from_dict

DATASETS = ["approvals", "childcare", "leave", "org_units", "overtime", "staff", "survey", "survey_items"]


def test_packaged_specs_load() -> None:
    specs = load_specs()
    assert set(DATASETS) <= set(specs)  # other specs (e.g. survey_glint) may be added
    ot = specs["overtime"]
    assert ot.grain == ("staff_id", "month") and ot.pseudonymise == ("staff_id",)
    assert ot.columns["hours"].type == "hours" and "時間外勤務時間" in ot.columns["hours"].aliases
    assert specs["survey"].reshape == "survey_wide"
    assert specs["survey"].columns["item_id"].generated is True
    assert specs["staff"].columns["gender"].values["female"][0] == "女"
    assert ot.title("en") == "Overtime" and ot.title("ja") == "時間外勤務実績"


def test_workspace_copy_shadows_default(tmp_path: Path) -> None:
    (tmp_path / "pipelines").mkdir()
    text = (Path(load_specs()["approvals"].path or "")).read_text(encoding="utf-8")
    (tmp_path / "pipelines" / "approvals.toml").write_text(
        text.replace('"電子決裁件数"', '"電子決裁件数", "電子処理件数"'), encoding="utf-8")
    specs = load_specs(tmp_path)
    assert "電子処理件数" in specs["approvals"].columns["electronic"].aliases
    assert "電子処理件数" not in load_specs()["approvals"].columns["electronic"].aliases


BASE = {"dataset": "x", "suite": "x", "columns": {"a": {"type": "id", "required": True}}}


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        ({"colums": {}}, "colums"),
        ({"columns": {"a": {"type": "integer"}}}, "columns.a.type"),
        ({"columns": {"a": {"type": "id", "requird": True}}}, "columns.a.requird"),
        ({"columns": {"a": {"type": "category"}}}, "columns.a.values"),
        ({"columns": {"a": {"type": "id", "aliases": "職員番号"}}}, "columns.a.aliases"),
        ({"grain": ["b"]}, "grain"),
        ({"suite": ""}, "suite"),
        ({"columns": {"a": {"type": "id", "aliases": ["番号"]}, "b": {"type": "id", "aliases": ["番号"]}}},
         "columns.b.aliases"),
    ],
)
def test_malformed_spec_names_the_key(patch: dict, key: str) -> None:
    with pytest.raises(SpecError) as info:
        spec_from_dict({**BASE, **patch}, "bad.toml")
    assert info.value.key == key
    assert info.value.file == "bad.toml"
    assert "bad.toml" in str(info.value) and key in str(info.value)


def test_unparseable_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('dataset = "x\n', encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.file == "broken.toml"


@pytest.mark.parametrize(
    ("name", "dataset"),
    [("overtime_2024.csv", "overtime"), ("ＯＶＥＲＴＩＭＥ_R6.CSV", "overtime"),
     ("時間外勤務実績_R6.xlsx", "overtime"),
     ("職員名簿_20240401.csv", "staff"), ("Staff.xlsx", "staff"), ("決裁実績.csv", "approvals"),
     ("survey_items_2024.csv", "survey_items"), ("職員意識調査_回答.csv", "survey")],
)
def test_match_by_file_name(name: str, dataset: str) -> None:
    assert match_spec(Path(name), [], load_specs()).dataset == dataset


def test_match_by_headers_when_name_says_nothing() -> None:
    specs = load_specs()
    headers = ["職員番号", "年月", "所属コード", "時間外勤務時間"]
    assert match_spec(Path("export_001.csv"), headers, specs).dataset == "overtime"
    headers = ["所属コード", "年月", "電子決裁件数", "紙決裁件数"]
    assert match_spec(Path("data.csv"), headers, specs).dataset == "approvals"


def test_name_matching_two_specs_is_settled_by_headers() -> None:
    specs = load_specs()
    # "*休暇*" (leave) and "*育児休業*" (childcare) both match this name
    headers = ["職員番号", "所属コード", "性別", "出生日"]
    assert match_spec(Path("育児休業_休暇.csv"), headers, specs).dataset == "childcare"


def test_no_match_is_refused_with_candidates() -> None:
    with pytest.raises(Refusal) as info:
        match_spec(Path("misc.csv"), ["列1", "列2"], load_specs())
    assert info.value.code == "unknown_dataset"
    assert info.value.details["candidates"] == sorted(load_specs())
    assert "misc.csv" in info.value.message("en")


def test_unmatched_semicolon_file_is_a_delimiter_problem() -> None:
    with pytest.raises(Refusal) as info:
        match_spec(Path("export.csv"), ["職員番号;年月;所属コード;時間外勤務時間"], load_specs())
    assert info.value.code == "bad_delimiter"
