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
    assert res.output == ("エラー: 計画「no_such_city」はファイルでもプリセットでもありません "
                          "(プリセット: demo, kodaira, komae, musashino, nishitokyo)\n")  # no traceback


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


# --- the CLI edge: every expected failure is one sentence in the chosen language, exit code 2 ---


def _fails(args: list[str], lang: str = "ja") -> str:
    """Run a command that must fail cleanly; its whole output (no traceback, no table)."""
    res = CliRunner().invoke(cli, [*args, *(["--lang", "en"] if lang == "en" else [])])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return res.output.strip()


def test_progress_needs_exactly_one_source_of_kpis(tmp_path) -> None:
    cmd = ["progress", "--plan", "demo"]
    assert _fails(cmd) == "エラー: --kpis, --data, --store のどれか1つを指定してください"
    assert _fails(cmd, "en") == "Error: Give exactly one of --kpis, --data, --store"
    both = ["progress", "--plan", "demo", "--data", str(tmp_path), "--store", str(tmp_path)]
    assert _fails(both, "en") == "Error: Give exactly one of --kpis, --data, --store"


def test_kpis_checks_its_options_and_suffix_before_any_work(tmp_path) -> None:
    assert _fails(["kpis", "--out", "k.csv"], "en") == "Error: Give exactly one of --data, --store"
    # the folder is empty: had the table been computed first, the error would be about the data
    out = _fails(["kpis", "--data", str(tmp_path), "--out", str(tmp_path / "k.txt")], "en")
    assert out == "Error: The output file 'k.txt' must end in .csv, .parquet"
    assert not (tmp_path / "k.txt").exists()
    out = _fails(["progress", "--plan", "demo", "--kpis", str(tmp_path), "--out", "p.xlsx"])
    assert out == "エラー: 出力ファイル「p.xlsx」の拡張子は .csv のどれかにしてください"


def test_missing_paths_are_named_in_the_chosen_language(tmp_path) -> None:
    gone = tmp_path / "nothere"
    assert _fails(["validate", str(gone)]) == f"エラー: 「{gone}」が見つかりません"
    assert _fails(["kpis", "--store", str(gone), "--out", "k.csv"], "en") == f"Error: '{gone}' does not exist"
    assert _fails(["run", "--data", str(gone), "--out", str(tmp_path / "o")], "en") == (
        f"Error: '{gone}' does not exist")
    assert _fails(["audit", str(gone)], "en") == f"Error: '{gone}' does not exist"
    assert _fails(["plan", "x.toml"], "en") == "Error: 'x.toml' does not exist"


def test_an_empty_folder_is_not_a_clean_run(tmp_path) -> None:
    """`validate emptydir` used to say every row was accepted and exit 0."""
    for cmd in (["validate", str(tmp_path)], ["load", str(tmp_path), "--store", str(tmp_path / "s")]):
        assert _fails(cmd, "en") == (f"Error: There is no file to read (CSV, XLSX or Parquet) in {tmp_path}; "
                                     "nothing was loaded")
    ja = _fails(["run", "--data", str(tmp_path), "--out", str(tmp_path / "o")])
    assert ja.splitlines()[-1] == (f"エラー: {tmp_path} に読み込めるファイル (CSV・XLSX・Parquet) "
                                   "がありません。何も取り込んでいません")


def test_an_unknown_plan_fails_before_the_run_loads_anything(tmp_path) -> None:
    out = _fails(["run", "--data", str(tmp_path), "--plan", "nosuch", "--out", str(tmp_path / "o")], "en")
    assert out == ("Error: Plan 'nosuch' is neither a file nor a preset "
                   "(presets: demo, kodaira, komae, musashino, nishitokyo)")
    assert not (tmp_path / "o").exists()


def test_init_twice_refuses_to_overwrite(tmp_path) -> None:
    first = CliRunner().invoke(cli, ["init", str(tmp_path / "ws"), "--lang", "en"])
    assert (first.exit_code, first.output) == (0, f"Workspace created: {tmp_path / 'ws'}\n")
    config = tmp_path / "ws" / "hrmetrics.toml"
    before = config.read_bytes()
    assert _fails(["init", str(tmp_path / "ws")]) == (
        f"エラー: {config} は既に存在します (上書きしません)。別のフォルダを指定してください")
    assert config.read_bytes() == before


def test_an_unknown_setting_names_the_section_and_the_settings_it_has(tmp_path) -> None:
    (tmp_path / "hrmetrics.toml").write_text("[privacy]\nmin_grup_hr = 3\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    out = _fails(["validate", str(tmp_path)], "en")
    assert out == ("Error: hrmetrics.toml: unknown setting [privacy] min_grup_hr (settings of this section: "
                   "min_group_hr, min_group_survey, pseudonym_key, keep_raw_survey, protection_width, "
                   "publish_small_organisation)")
    ja = _fails(["validate", str(tmp_path)])
    assert ja.startswith("エラー: hrmetrics.toml: 不明な設定 [privacy] min_grup_hr")


def test_an_unexpected_failure_is_named_without_a_traceback(monkeypatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr("hrmetrics.plans.list_presets", boom)
    assert _fails(["plan"], "en") == ("Error: Unexpected error (KeyError: 'x'). "
                                      "Run again with HRMETRICS_DEBUG=1 for details.")


def test_the_cli_reference_in_docs_is_current() -> None:
    """docs/cli.md is generated from --help; regenerate with `python scripts/cli_reference.py`."""
    from pathlib import Path

    from hrmetrics.cli import cli_reference

    docs = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    assert docs.read_text(encoding="utf-8") == cli_reference()
