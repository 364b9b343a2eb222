"""The CLI's light commands: plan listing and display, and a --help that imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from hrmetrics.cli import cli


def test_plan_without_argument_lists_the_presets() -> None:
    res = CliRunner().invoke(cli, ["plan"])
    assert res.exit_code == 0
    assert res.output.split() == ["demo", "kodaira", "komae", "musashino", "nishitokyo"]


def test_plan_prints_the_seed_targets_as_the_seed_states_them() -> None:
    ja = CliRunner().invoke(cli, ["plan", "nishitokyo"])
    assert ja.exit_code == 0, ja.output
    assert "基準値: 193 時間 (FY2022（令和4年度）)" in ja.output
    assert "目標値: 120 時間 以下 [<=] (FY2033（令和15年度）)" in ja.output
    assert "基準値: 49.0% (FY2022（令和4年度）)" in ja.output
    en = CliRunner().invoke(cli, ["plan", "kodaira", "--lang", "en"])
    assert "Baseline: 157 h (FY2020)" in en.output and "Target: 139 h or less [<=] (FY2025)" in en.output


def test_unknown_plan_is_a_clear_error() -> None:
    res = CliRunner().invoke(cli, ["plan", "no_such_city"])
    assert res.exit_code == 2
    assert res.output == "エラー: plans/no_such_city.toml が見つかりません\n"  # a sentence, no traceback


def test_bad_plan_file_is_a_message_in_the_chosen_language(tmp_path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[plan]\nname = "x"\n', encoding="utf-8")
    en = CliRunner().invoke(cli, ["plan", str(plan), "--lang", "en"])
    assert en.exit_code == 2
    assert en.output == "Error: plan.toml: [plan]: required field 'organisation' is missing\n"
    ja = CliRunner().invoke(cli, ["plan", str(plan)])
    assert ja.output == "エラー: plan.toml: [plan]: 必須項目「organisation」がありません\n"


def test_help_stays_light() -> None:
    """`hrmetrics --help` must not pay for Great Expectations or statsmodels (~5 s of imports)."""
    code = ("import sys; from hrmetrics.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('great_expectations', 'statsmodels', 'altair', 'scipy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "progress" in out.stdout and "plan" in out.stdout and "demo" in out.stdout
