"""The `hrmetrics` command end to end on the demo city (click's CliRunner, in process).

Reuses the session's demo run (`demo_run` in conftest.py) for its data folder, store and KPI table,
so only the commands under test run here.
"""

from __future__ import annotations

import io
import shutil
import tomllib
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from hrmetrics.cli import cli

pytestmark = pytest.mark.slow

BOM = b"\xef\xbb\xbf"
BAD_FILE = "時間外勤務実績_令和5年度.csv"
FY2024_FILE = "時間外勤務実績_令和6年度.csv"


def _invoke(args: list[str]):
    runner = CliRunner(env={"COLUMNS": "240"})
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=True)


def _org_overtime(frame: pl.DataFrame) -> dict[str, float]:
    rows = frame.filter(pl.col("kpi") == "overtime_hours_per_staff", pl.col("unit_code") == "ORG")
    return dict(zip(rows["period"], rows["value"].cast(pl.Float64), strict=True))


def _read_bom_csv(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(BOM), f"{path} has no UTF-8 BOM"
    return pl.read_csv(io.BytesIO(raw[len(BOM):]), infer_schema_length=0)


# ---------------------------------------------------------------------------------- validate


def test_validate_demo_data_exits_1_and_writes_rejects(demo_run, tmp_path):
    res = _invoke(["validate", demo_run.out_dir / "data", "--out", tmp_path])
    assert res.exit_code == 1, res.output
    rejects = _read_bom_csv(tmp_path / "rejects" / "overtime.csv")
    errors = rejects.filter(pl.col("severity") == "error")
    assert errors.height == 5 and set(errors["file"]) == {BAD_FILE}
    assert sorted(errors["rule"]) == ["hours_range", *["unique_grain"] * 4]
    assert "ファイル別の結果" in res.output  # Japanese by default
    # validate does not store anything
    assert not (tmp_path / "store").exists()


def test_validate_clean_file_exits_0(demo_run):
    res = _invoke(["validate", demo_run.out_dir / "data" / "組織マスタ.csv"])
    assert res.exit_code == 0, res.output
    assert "すべての行を取り込みました" in res.output


def test_validate_lang_en(demo_run):
    res = _invoke(["validate", demo_run.out_dir / "data" / BAD_FILE, "--lang", "en"])
    assert res.exit_code == 1, res.output
    for header in ("Files", "File", "Dataset", "Accepted", "Rejected", "Rejected rows"):
        assert header in res.output, header
    for ja in ("ファイル別の結果", "取り込めなかった行", "読込行"):
        assert ja not in res.output, ja


# -------------------------------------------------------------------------------------- kpis


def test_kpis_from_store_and_from_data_agree(demo_run, tmp_path):
    out = demo_run.out_dir
    pq, csv = tmp_path / "x.parquet", tmp_path / "x.csv"
    res = _invoke(["kpis", "--store", out / "store", "--out", pq])
    assert res.exit_code == 0, res.output
    res = _invoke(["kpis", "--data", out / "data", "--out", csv])
    assert res.exit_code == 0, res.output
    from_store, from_data = pl.read_parquet(pq), _read_bom_csv(csv)
    a, b = _org_overtime(from_store), _org_overtime(from_data)
    assert sorted(a) == sorted(b) == [f"FY{y}" for y in range(2019, 2025)]
    for period in a:
        assert a[period] == pytest.approx(b[period], rel=1e-12), period
    # and both equal the demo run's table
    assert a == pytest.approx(_org_overtime(demo_run.kpis), rel=1e-12)
    # --data finds the workspace config next to the data folder, and --store the workspace that
    # loaded the store (recorded in its manifest): both say みどり市, not the default デモ市
    assert set(from_data.filter(pl.col("unit_code") == "ORG")["unit_name"]) == {"みどり市"}
    assert set(from_store.filter(pl.col("unit_code") == "ORG")["unit_name"]) == {"みどり市"}


# ---------------------------------------------------------------------------------- progress


def test_progress_from_kpis_file(demo_run, tmp_path):
    from hrmetrics.resources import default_dir

    out_csv = tmp_path / "p.csv"
    res = _invoke(["progress", "--plan", "demo", "--kpis", demo_run.out_dir / "kpis.csv", "--out", out_csv])
    assert res.exit_code == 0, res.output
    progress = _read_bom_csv(out_csv) if out_csv.read_bytes().startswith(BOM) else pl.read_csv(
        out_csv, infer_schema_length=0)
    row = progress.filter(pl.col("kpi") == "overtime_hours_per_staff", pl.col("unit_code") == "ORG",
                          pl.col("period") == "FY2024")
    assert row.height == 1
    row = row.row(0, named=True)
    assert row["rating"] in {"S", "A", "B"}

    # the straight line from the plan's baseline to its target, computed by hand
    plan = tomllib.loads((default_dir("plans") / "demo.toml").read_text(encoding="utf-8"))
    target = next(t for t in plan["targets"] if t["kpi"] == "overtime_hours_per_staff")
    assert not any(k in target for k in ("interim", "observed")), "plan is no longer a straight line"

    def year(p) -> int:
        return int(str(p).removeprefix("FY"))

    y0, y1 = year(target["baseline_period"]), year(target["target_period"])
    b, t = float(target["baseline"]), float(target["target"])
    expected = b + (t - b) * (2024 - y0) / (y1 - y0)
    assert float(row["trajectory"]) == pytest.approx(expected, abs=1e-9)
    assert float(row["baseline"]) == pytest.approx(b) and float(row["target"]) == pytest.approx(t)
    actual = _org_overtime(demo_run.kpis)["FY2024"]
    assert float(row["actual"]) == pytest.approx(actual, abs=1e-9)
    assert float(row["gap"]) == pytest.approx(actual - expected, abs=1e-9)


# -------------------------------------------------------------------------------------- init


def test_init_then_run_with_a_workspace_alias(demo_run, tmp_path):
    from hrmetrics.config import Config
    from hrmetrics.intake import validate_files

    ws = tmp_path / "WS"
    res = _invoke(["init", ws])
    assert res.exit_code == 0, res.output
    assert (ws / "hrmetrics.toml").is_file() and (ws / "plan.toml").is_file()
    assert (ws / "reports" / "layout.toml").is_file() and (ws / "data").is_dir()
    assert {p.stem for p in (ws / "pipelines").glob("*.toml")} >= {"overtime", "staff", "survey"}
    assert {p.stem for p in (ws / "expectations").glob("*.json")} >= {"overtime", "staff", "survey"}

    # init twice fails and overwrites nothing
    marker = "\n# my edit\n"
    with (ws / "hrmetrics.toml").open("a", encoding="utf-8") as f:
        f.write(marker)
    res = _invoke(["init", ws])
    assert res.exit_code != 0
    assert (ws / "hrmetrics.toml").read_text(encoding="utf-8").endswith(marker)

    # a data folder whose overtime export calls the hours column 残業時間数
    src = demo_run.out_dir / "data"
    for name in ("組織マスタ.csv", "職員名簿.xlsx"):
        shutil.copy(src / name, ws / "data" / name)
    text = (src / FY2024_FILE).read_bytes().decode("utf-8-sig")
    header, rest = text.split("\r\n", 1)
    assert "時間外勤務時間" in header.split(",")
    renamed = ws / "data" / FY2024_FILE
    renamed.write_bytes(BOM + (header.replace("時間外勤務時間", "残業時間数") + "\r\n" + rest).encode())
    n_rows = len([ln for ln in rest.split("\r\n") if ln])

    # control: the packaged specs do not know the header, so the file is refused
    default = validate_files([renamed], config=Config())
    assert [r.status for r in default.reports] == ["refused"]

    spec = ws / "pipelines" / "overtime.toml"
    text = spec.read_text(encoding="utf-8")
    old = 'aliases = ["時間外勤務時間",'
    assert text.count(old) == 1
    spec.write_text(text.replace(old, 'aliases = ["残業時間数", "時間外勤務時間",'), encoding="utf-8")

    out = tmp_path / "OUT"
    res = _invoke(["run", "--data", ws / "data", "--plan", ws / "plan.toml", "--out", out])
    assert res.exit_code == 0, res.output
    ledger = pl.read_parquet(out / "store" / "ledger.parquet").filter(pl.col("file") == FY2024_FILE)
    assert ledger.height == 1
    r = ledger.row(0, named=True)
    assert (r["status"], r["rows_read"], r["rows_accepted"], r["rows_rejected"]) == (
        "loaded", n_rows, n_rows, 0)
    # same rows as the demo's FY2024 file, so the same organisation figure
    kpis = pl.read_parquet(out / "kpis.parquet")
    assert _org_overtime(kpis)["FY2024"] == pytest.approx(_org_overtime(demo_run.kpis)["FY2024"], rel=1e-12)
    assert (out / "report" / "index.html").is_file()


# --------------------------------------------------------------------------------- demo (en)


def test_demo_in_english(tmp_path):
    import re

    out = tmp_path / "D2"
    res = _invoke(["demo", "--lang", "en", "--out", out])
    assert res.exit_code == 0, res.output
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in index
    assert "FY2024" in index
    assert "Workforce and staff survey indicators report" in index
    scorecards = re.findall(r'<table class="scorecard">.*?</table>', index, re.S)
    assert scorecards and all("令和" not in s for s in scorecards)
    assert any("FY2024" in s for s in scorecards)
