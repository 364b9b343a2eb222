"""Plan files: periods, checks with clear errors, the seed presets as the seeds state them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from hrmetrics.plans import (
    PlanError,
    Reference,
    format_plan,
    list_presets,
    load_plan,
    national_reference,
    parse_period,
    references_frame,
)

MINIMAL = """
[plan]
name = "テスト計画"
organisation = "テスト市"
source_document = "テスト計画書"

[[targets]]
kpi = "{kpi}"
baseline = {baseline}
baseline_period = "{bp}"
target = {target}
target_period = "{tp}"
comparator = "{comp}"
source = "p.1"
"""


def _write(tmp_path: Path, text: str, name: str = "myplan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _plan_text(**kw: object) -> str:
    fields = {"kpi": "overtime_hours_per_staff", "baseline": 193, "bp": "FY2022", "target": 120,
              "tp": "FY2033", "comp": "<="}
    fields.update(kw)
    return MINIMAL.format(**fields)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("raw", "year", "kind"),
    [
        ("FY2022", 2022, "fiscal_year"),
        ("fy2033", 2033, "fiscal_year"),
        ("令和4年度", 2022, "fiscal_year"),
        ("R6年度", 2024, "fiscal_year"),
        ("令和元年度", 2019, "fiscal_year"),
        ("2024-04-01", 2024, "april1"),
        (dt.date(2030, 4, 1), 2030, "april1"),
        (dt.date(2024, 3, 31), 2023, "april1"),
        ("2024-03", 2023, "month"),
        ("2024-04", 2024, "month"),
        ("2023", 2023, "calendar"),
        (2023, 2023, "calendar"),
    ],
)
def test_parse_period(raw: object, year: int, kind: str) -> None:
    p = parse_period(raw)
    assert (p.year, p.kind) == (year, kind)


@pytest.mark.parametrize("raw", ["2024/13", "FY22", "next year", "2024-13", 3.5, True])
def test_parse_period_rejects(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_period(raw)


def test_period_display_both_calendars() -> None:
    assert parse_period("FY2033").display("ja") == "FY2033（令和15年度）"
    assert parse_period("FY2033").display("en") == "FY2033"
    assert parse_period("2024-04-01").display("ja") == "2024-04-01（令和6年4月1日）"


# --------------------------------------------------------------------------- errors


def test_unknown_kpi_names_file_target_and_id(tmp_path: Path) -> None:
    path = _write(tmp_path, _plan_text(kpi="overtime_per_head"))
    with pytest.raises(PlanError) as err:
        load_plan(path)
    msg = str(err.value)
    assert err.value.code == "unknown_kpi"
    assert "myplan.toml" in msg and "目標 #1" in msg and "overtime_per_head" in msg
    assert "unknown KPI id 'overtime_per_head'" in err.value.message("en")


def test_target_before_baseline(tmp_path: Path) -> None:
    path = _write(tmp_path, _plan_text(bp="FY2030", tp="FY2025"))
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert err.value.code == "target_before_baseline"
    assert "FY2025" in str(err.value) and "FY2030" in str(err.value) and "myplan.toml" in str(err.value)


def test_target_in_baseline_year_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="より後になっていません"):
        load_plan(_write(tmp_path, _plan_text(bp="FY2025", tp="FY2025")))


def test_comparator_contradicting_direction(tmp_path: Path) -> None:
    text = _plan_text(kpi="staff_satisfaction_rate", baseline=49.0, target=60, comp="<=")
    with pytest.raises(PlanError) as err:
        load_plan(_write(tmp_path, text))
    assert err.value.code == "comparator_direction"
    assert "staff_satisfaction_rate" in str(err.value) and "高いほど良い" in str(err.value)
    # and the mirror case: >= on a lower-is-better KPI
    with pytest.raises(PlanError, match="低いほど良い"):
        load_plan(_write(tmp_path, _plan_text(comp=">=")))


def test_headcount_has_no_direction_so_either_comparator_is_fine(tmp_path: Path) -> None:
    plan = load_plan(_write(tmp_path, _plan_text(kpi="headcount", baseline=960, target=960, comp="<=")))
    assert plan.targets[0].comparator == "<="


def test_missing_field(tmp_path: Path) -> None:
    text = _plan_text().replace('target_period = "FY2033"\n', "")
    with pytest.raises(PlanError) as err:
        load_plan(_write(tmp_path, text))
    assert err.value.code == "missing_field"
    assert "target_period" in str(err.value) and "目標 #1（overtime_hours_per_staff）" in str(err.value)


def test_missing_source(tmp_path: Path) -> None:
    text = _plan_text().replace('source = "p.1"\n', "")
    with pytest.raises(PlanError, match="「source」"):
        load_plan(_write(tmp_path, text))


def test_unknown_field_is_an_error_not_ignored(tmp_path: Path) -> None:
    text = _plan_text().replace('comparator = "<="', 'comparator = "<="\ntarget_yaer = 2033')
    with pytest.raises(PlanError, match="target_yaer"):
        load_plan(_write(tmp_path, text))


def test_bad_period_and_bad_rating(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="期間「next year」"):
        load_plan(_write(tmp_path, _plan_text(tp="next year")))
    text = _plan_text() + '\n[[targets.override]]\nperiod = "FY2024"\nrating = "C"\nreason = "x"\n'
    with pytest.raises(PlanError, match="S / A / B"):
        load_plan(_write(tmp_path, text))


def test_interim_outside_the_plan_is_refused(tmp_path: Path) -> None:
    text = _plan_text() + '\n[[targets.interim]]\nperiod = "FY2040"\nvalue = 100\n'
    with pytest.raises(PlanError, match="中間目標の期間 FY2040"):
        load_plan(_write(tmp_path, text))


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"broken\.toml"):
        load_plan(_write(tmp_path, "[plan\nname=", name="broken.toml"))


def test_target_not_set_needs_no_target(tmp_path: Path) -> None:
    text = """
[plan]
name = "x"
organisation = "x市"
source_document = "x"

[[targets]]
kpi = "engagement_index"
status = "target_not_set"
source = "項目17"
"""
    plan = load_plan(_write(tmp_path, text))
    assert plan.targets[0].status == "target_not_set" and plan.with_targets() == ()


# --------------------------------------------------------------------------- presets


def test_list_presets() -> None:
    assert set(list_presets()) == {"demo", "nishitokyo", "kodaira", "komae", "musashino"}


def test_preset_by_name_and_workspace_override(tmp_path: Path) -> None:
    assert load_plan("demo").organisation == "みどり市"
    (tmp_path / "plans").mkdir()
    _write(tmp_path / "plans", _plan_text(), name="demo.toml")
    assert load_plan("demo", workspace=tmp_path).organisation == "テスト市"


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_plan(tmp_path / "nope.toml")
    with pytest.raises(FileNotFoundError):
        load_plan("no_such_city")


def test_nishitokyo_as_the_seed_states() -> None:
    plan = load_plan("nishitokyo")
    sat, ot = plan.targets
    assert (sat.kpi, sat.baseline, sat.baseline_period.year, sat.target, sat.target_period.year) == (
        "staff_satisfaction_rate", 49.0, 2022, 60, 2033)
    assert (ot.kpi, ot.baseline, ot.target, ot.comparator) == ("overtime_hours_per_staff", 193, 120, "<=")
    text = format_plan(plan)
    assert "193 時間 (FY2022（令和4年度）)" in text
    assert "120 時間 以下 [<=] (FY2033（令和15年度）)" in text
    assert "49.0% (FY2022（令和4年度）)" in text and "60% 以上 [>=]" in text
    assert "基本方針Ⅱ" in text
    en = format_plan(plan, lang="en")
    assert "Baseline: 193 h (FY2022)" in en and "Target: 120 h or less [<=] (FY2033)" in en


def test_kodaira_as_the_seed_states() -> None:
    plan = load_plan("kodaira")
    by_kpi = {t.kpi: t for t in plan.targets}
    ot = by_kpi["overtime_hours_per_staff"]
    assert (ot.baseline, ot.baseline_period.label) == (157, "FY2020")
    assert (ot.target, ot.target_period.label) == (139, "FY2025")
    assert [(m.period.label, m.value) for m in ot.observed] == [("FY2021", 156)]
    leave = by_kpi["annual_leave_days_per_staff"]
    assert (leave.baseline, leave.target, leave.comparator) == (12.6, 14, ">=")
    ea = by_kpi["e_approval_rate"]
    assert (ea.baseline, ea.baseline_period.year, ea.target, ea.target_period.year) == (62.3, 2021, 90, 2024)
    assert [(m.period.year, m.value) for m in ea.interim] == [(2022, 80)]
    assert [(o.period.year, o.rating) for o in ea.overrides] == [(2022, "B")]
    quota = by_kpi["headcount"]
    assert (quota.baseline, quota.target, quota.comparator) == (960, 960, "<=")
    text = format_plan(plan)
    for s in ("157 時間 (FY2020（令和2年度）)", "156 時間 (FY2021（令和3年度）)", "139 時間 以下",
              "12.6 日", "14 日 以上", "62.3% (2021-04-01（令和3年4月1日）)", "中間目標: 80% (FY2022",
              "90% 以上 [>=] (FY2024", "960 人", "プログラム⑲", "プログラム⑫", "プログラム⑯"):
        assert s in text, s


def test_komae_as_the_seed_states() -> None:
    plan = load_plan("komae")
    women, leave, *levels = plan.targets
    # the combined 27.9% → 35.0% is also shown per post level (no per-level target in the plan)
    assert [(t.kpi, t.breakdown, t.status) for t in levels] == [
        ("female_share_grade", g, "target_not_set")
        for g in ("unit_chief", "assistant_chief", "section_chief", "deputy_director", "director")]
    assert (women.kpi, women.breakdown) == ("female_share_grade_and_above", "unit_chief")
    assert (women.baseline, women.baseline_period.year, women.target, women.target_period.year) == (
        27.9, 2024, 35.0, 2030)
    assert (leave.baseline, leave.baseline_period.year, leave.target, leave.target_period.year) == (
        14.1, 2023, 16.0, 2029)
    text = format_plan(plan)
    for s in ("27.9% (2024-04-01（令和6年4月1日）)", "35.0% 以上 [>=] (2030-04-01（令和12年4月1日）)",
              "14.1 日 (FY2023（令和5年度）)", "16.0 日 以上 [>=] (FY2029（令和11年度）)",
              "「6. 指標」No.7（9ページ", "「6. 指標」No.8（9ページ"):
        assert s in text, s


def test_musashino_registers_kpis_without_targets() -> None:
    plan = load_plan("musashino")
    assert all(t.status == "target_not_set" for t in plan.targets)
    assert {t.kpi for t in plan.targets} == {
        "overtime_hours_per_staff", "annual_leave_under10_share", "female_share_grade_and_above",
        "engagement_index", "e_approval_rate"}
    ea = next(t for t in plan.targets if t.kpi == "e_approval_rate")
    assert (ea.baseline, ea.baseline_period.label, ea.baseline_period.year) == (4.8, "2024-03", 2023)
    text = format_plan(plan)
    assert text.count("目標未設定") == 5
    assert "4.8% (2024-03（令和6年3月）)" in text and "female_share_grade_and_above/section_chief" in text


def test_demo_preset() -> None:
    plan = load_plan("demo")
    got = {t.kpi: (t.baseline, t.baseline_period.year, t.target, t.target_period.year, t.comparator)
           for t in plan.targets}
    # Baselines are the demo city's FY2022 (leave: 2022) organisation values to one decimal.
    assert got == {
        "overtime_hours_per_staff": (191.0, 2022, 120, 2030, "<="),
        "staff_satisfaction_rate": (48.7, 2022, 60.0, 2030, ">="),
        "annual_leave_days_per_staff": (13.1, 2022, 16.0, 2030, ">="),
        "female_manager_ratio": (16.5, 2022, 30.0, 2030, ">="),
        "e_approval_rate": (70.1, 2022, 90.0, 2026, ">="),
        "male_childcare_leave_rate": (38.1, 2022, 85.0, 2025, ">="),
    }
    assert all(t.source for t in plan.targets)


def test_every_preset_target_cites_a_source() -> None:
    for name in list_presets():
        assert all(t.source.strip() for t in load_plan(name).targets), name


def test_plan_files_cite_public_documents_not_internal_files() -> None:
    """A reader must be able to look a source up: the issuer, the document and its date or
    period are named; no path of ours, no line numbers of a text extraction."""
    from hrmetrics.resources import list_resources

    files = list_resources("plans", "*.toml")
    assert len(files) >= 6
    internal = re.compile(r"原文|抽出テキスト|shared/|seeds|research/|\.txt|\.md|\bL\d{2,}")
    for path in files:
        assert not internal.search(path.read_text(encoding="utf-8")), path.name
    for name in ("nishitokyo", "kodaira", "komae", "musashino"):
        plan = load_plan(name)
        assert plan.source_document.startswith(f"{plan.organisation}『"), name  # issuer, then title
        assert re.search(r"令和\d+年(\d+月|度)", plan.source_document), name


# --------------------------------------------------------------------------- national reference


def test_national_reference_values_from_b1() -> None:
    ot = national_reference("overtime_hours_per_staff")
    assert isinstance(ot[0], Reference)
    assert (ot[0].value, ot[0].period.label, ot[0].scope_ja) == (130.0, "FY2023", "市区町村")
    assert national_reference("annual_leave_days_per_staff")[0].value == 13.4
    assert national_reference("male_childcare_leave_rate")[0].value == 47.6
    fm = national_reference("female_manager_ratio")[0]
    assert (fm.value, fm.period.year) == (15.8, 2020) and "課長相当職以上" in fm.definition_ja
    assert national_reference("female_share_grade", "section_chief")[0].value == 17.8
    assert national_reference("engagement_index") == []
    assert all(r.source for r in national_reference("overtime_hours_per_staff"))
    assert ot[0].label() == "全国参考値（市区町村, FY2023）: 130.0"


def test_references_frame_for_charts() -> None:
    frame = references_frame()
    ot = frame.filter(pl.col("kpi") == "overtime_hours_per_staff").row(0, named=True)
    assert (ot["year"], ot["value"], ot["scope"]) == (2023, 130.0, "市区町村")
    assert frame.filter(pl.col("kpi") == "male_childcare_leave_rate")["value"].to_list() == [47.6]
    assert references_frame(lang="en").row(0, named=True)["label"].startswith("National reference")


def test_a_folder_named_like_a_preset_does_not_shadow_it(tmp_path, monkeypatch) -> None:
    """`hrmetrics demo` run from a folder that holds a `demo/` directory must still find the preset."""
    (tmp_path / "demo").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_plan("demo").organisation == "みどり市"
