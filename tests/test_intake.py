"""intake.py + console.py + the `validate` / `load` CLI commands, on real files."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from hrmetrics.cli import cli
from hrmetrics.config import Config
from hrmetrics.intake import collect_paths, load_files, validate_files
from hrmetrics.store import Store

ORG = ("所属コード,所属名,親所属コード,開始年度,終了年度\n"
       "D1,総務部,,2000,\nA01,総務課,D1,2000,\nA02,旧課,D1,2000,2023\n")
HEAD = "職員番号,年月,所属コード,時間外勤務時間\n"
CFG = Config(pseudonym_key="intake-test-key")


@pytest.fixture(scope="session")
def gx():
    import great_expectations

    return great_expectations


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_org_units_first_and_used_for_unit_checks(gx, tmp_path):
    data = tmp_path / "data"
    # alphabetically the overtime file comes first; org_units must still be processed first
    write(data, "a_時間外.csv", HEAD + "S1,2024-04,A01,3\nS2,2024-04,A02,4\n")
    write(data, "z_組織.csv", ORG)
    r = validate_files([data], config=CFG)
    assert [(x.file, x.dataset) for x in r.reports] == [
        ("z_組織.csv", "org_units"), ("a_時間外.csv", "overtime")]
    assert r.rejects.select("file", "row", "value", "rule").rows() == [
        ("a_時間外.csv", 3, "A02", "unit_known")]
    assert r.accepted["overtime"]["staff_id"].to_list() == ["S1"]
    summary = r.summary_frame().select("file", "rows_read", "rows_accepted", "rows_rejected", "status")
    assert summary.rows() == [
        ("z_組織.csv", 3, 3, 0, "ok"), ("a_時間外.csv", 2, 1, 1, "partial")]


def test_cp932_file_and_english_messages(gx, tmp_path):
    data = tmp_path / "d"
    write(data, "時間外.csv", HEAD + "S1,2024-04,A01,-1\n", encoding="cp932")
    r = validate_files([data], config=CFG, lang="en")
    assert r.rejects["message"].to_list() == [
        "Overtime hours '-1' out of range (0-744 h: cannot exceed the hours in a month)"]
    assert r.reports[0].message.startswith("1 of 1 rows were rejected")
    assert "unit_known" in r.reports[0].message  # said so: no org_units known in this run


def test_folder_walk_skips_hidden_outputs_and_non_data(tmp_path):
    data = tmp_path / "data"
    keep = write(data, "sub/時間外.csv", HEAD)
    write(data, ".hidden.csv", HEAD)
    write(data, ".git/x.csv", HEAD)
    write(data, "~$時間外.xlsx", "lock")
    write(data, "rejects/overtime.csv", HEAD)
    write(data, "README.md", "hello")
    write(data, "hrmetrics.toml", "")
    write(data, "store/data/overtime/b.parquet", "")
    out_inside = data / "out"
    write(out_inside, "x.csv", HEAD)
    assert collect_paths([data], exclude=[out_inside]) == [keep]
    explicit = write(tmp_path, "notes.txt", "x")
    assert collect_paths([explicit]) == [explicit]  # a file named explicitly is always tried


def test_load_twice_is_idempotent_and_correction_replaces_month(gx, tmp_path):
    store_dir = tmp_path / "store"
    first = tmp_path / "v1"
    write(first, "組織.csv", ORG)
    write(first, "overtime_FY2024.csv", HEAD + "S0012345,2024-04,A01,10\nS0012345,2024-05,A01,20\n")
    r1 = load_files([first], store_dir, config=CFG)
    assert [x.status for x in r1.reports] == ["ok", "ok"]
    assert r1.accepted == {}  # a load keeps rows in the store only
    r2 = load_files([first], store_dir, config=CFG)
    assert [x.status for x in r2.reports] == ["duplicate", "duplicate"]
    assert r2.reports[1].rows_accepted == 2 and r2.all_accepted
    store = Store(store_dir, CFG)
    assert store.scan("overtime").collect().height == 2
    assert store.ledger()["status"].to_list() == ["loaded", "loaded", "duplicate", "duplicate"]

    fix = tmp_path / "v2"
    write(fix, "overtime_FY2024_訂正.csv", HEAD + "S0012345,2024-05,A01,25\n")
    r3 = load_files([fix], store_dir, config=CFG)  # org_units come from the store this time
    assert r3.reports[0].status == "ok" and "unit_known" not in r3.reports[0].message
    got = store.scan("overtime").sort("month").collect()
    assert got.select(pl.col("month").dt.month(), "hours").rows() == [(4, 10.0), (5, 25.0)]
    led = store.ledger()
    loaded_ot = led.filter((pl.col("dataset") == "overtime") & (pl.col("status") == "loaded"))
    assert loaded_ot["replaced_batches"].to_list() == ["", loaded_ot["batch"][0]]
    assert loaded_ot["periods"].to_list() == ["2024-04, 2024-05", "2024-05"]
    blob = b"".join(p.read_bytes() for p in store_dir.rglob("*.parquet"))
    assert b"S0012345" not in blob


def test_refused_file_in_load_is_in_ledger_and_counts(gx, tmp_path):
    data = tmp_path / "d"
    write(data, "時間外.csv", "職員番号,年月\nS1,2024-04\n")
    r = load_files([data], tmp_path / "store", config=CFG)
    rep = r.reports[0]
    assert (rep.status, rep.rows_read, rep.rows_accepted, rep.rows_rejected) == ("refused", 1, 0, 1)
    led = Store(tmp_path / "store").ledger()
    assert led.select("file", "dataset", "status", "rows_read", "rows_rejected").rows() == [
        ("時間外.csv", "overtime", "refused", 1, 1)]


def test_stale_rejects_csv_removed_when_dataset_is_clean(gx, tmp_path):
    data, out = tmp_path / "d", tmp_path / "out"
    write(out, "rejects/overtime.csv", "old")
    write(data, "時間外.csv", HEAD + "S1,2024-04,A01,3\n")
    validate_files([data], out_dir=out, config=CFG)
    assert not (out / "rejects" / "overtime.csv").exists()


def test_formula_like_values_are_neutralised_in_rejects_csv(gx, tmp_path):
    data, out = tmp_path / "d", tmp_path / "out"
    write(data, "時間外.csv", HEAD + "S1,2024-04,A01,=1+1\nS2,2024-04,A01,-5\n")
    validate_files([data], out_dir=out, config=CFG)
    csv = pl.read_csv(out / "rejects" / "overtime.csv", schema_overrides={"value": pl.String})
    assert csv.sort("row")["value"].to_list() == ["'=1+1", "-5"]


def test_cli_validate_exit_codes_and_output(gx, tmp_path):
    good, bad, out = tmp_path / "good", tmp_path / "bad", tmp_path / "out"
    write(good, "時間外.csv", HEAD + "S1,2024-04,A01,3\n")
    write(bad, "時間外.csv", HEAD + "S1,2024-04,A01,-3\n")
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "すべての行を取り込みました" in ok.output
    ng = runner.invoke(cli, ["validate", str(bad), "--out", str(out)])
    assert ng.exit_code == 1
    assert "hours_range" in ng.output and "rejects" in ng.output
    assert (out / "rejects" / "overtime.csv").exists()
    en = runner.invoke(cli, ["validate", str(bad), "--lang", "en"])
    assert "Rejected rows" in en.output and "--out" in en.output


def test_cli_load(gx, tmp_path, monkeypatch):
    monkeypatch.setenv("HRMETRICS_PSEUDONYM_KEY", "cli-key")
    data = tmp_path / "d"
    write(data, "時間外.csv", HEAD + "S1,2024-04,A01,130\n")
    res = CliRunner().invoke(cli, ["load", str(data), "--store", str(tmp_path / "store")])
    assert res.exit_code == 0, res.output
    got = Store(tmp_path / "store").scan("overtime").collect()
    assert got["hours"].to_list() == [130.0]
    assert not (tmp_path / "store" / "key").exists()  # the configured key was used
    again = CliRunner().invoke(cli, ["load", str(data), "--store", str(tmp_path / "store")])
    assert again.exit_code == 0 and "読込済み" in again.output


def test_two_copies_of_one_file_in_one_load_store_rows_once(gx, tmp_path):
    data = tmp_path / "d"
    write(data, "a/時間外.csv", HEAD + "S1,2024-04,A01,3\n")
    write(data, "b/時間外.csv", HEAD + "S1,2024-04,A01,3\n")
    r = load_files([data], tmp_path / "store", config=CFG)
    assert [x.status for x in r.reports] == ["ok", "duplicate"]
    assert Store(tmp_path / "store").scan("overtime").collect().height == 1


def test_a_load_that_fails_midway_stores_nothing(gx, tmp_path, monkeypatch):
    """One run is one transaction: if the third file's commit fails (disk full, killed), the
    first two are not left half-loaded; the store is exactly as before the run, and a rerun
    loads everything."""
    store_dir = tmp_path / "store"
    base = tmp_path / "v1"
    write(base, "組織.csv", ORG)
    write(base, "overtime_FY2024.csv", HEAD + "S1,2024-04,A01,10\n")
    load_files([base], store_dir, config=CFG)
    manifest_before = (store_dir / "manifest.json").read_bytes()
    files_before = sorted(p for p in store_dir.rglob("*") if p.is_file())

    run = tmp_path / "v2"
    write(run, "a_overtime_FY2024_5月.csv", HEAD + "S1,2024-05,A01,20\n")
    write(run, "b_overtime_FY2024_6月.csv", HEAD + "S1,2024-06,A01,30\n")
    write(run, "c_overtime_FY2024_4月訂正.csv", HEAD + "S1,2024-04,A01,11\n")
    original = Store.commit_batch
    calls = []

    def failing(self, **kw):
        calls.append(kw["source"])
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, **kw)

    monkeypatch.setattr(Store, "commit_batch", failing)
    with pytest.raises(OSError, match="disk full"):
        load_files([run], store_dir, config=CFG)
    assert len(calls) == 3  # two files had been committed inside the run
    assert (store_dir / "manifest.json").read_bytes() == manifest_before
    files_after = sorted(p for p in store_dir.rglob("*") if p.is_file())
    assert files_after == files_before  # their Parquet, ledger versions and raw copies removed too
    assert Store(store_dir, CFG).scan("overtime").collect()["hours"].to_list() == [10.0]

    monkeypatch.setattr(Store, "commit_batch", original)
    load_files([run], store_dir, config=CFG)
    got = Store(store_dir, CFG).scan("overtime").sort("month").collect()
    assert got.select(pl.col("month").dt.month(), "hours").rows() == [(4, 11.0), (5, 20.0), (6, 30.0)]


def test_a_store_remembers_its_workspace_settings(gx, tmp_path):
    """Commands and notebooks that only get the store (`kpis --store`, `compute_kpis(path)`)
    must apply the settings it was loaded with — a stricter privacy minimum above all."""
    from hrmetrics.config import load_config
    from hrmetrics.kpis.engine import compute_kpis

    ws = tmp_path / "ws"
    write(ws, "hrmetrics.toml", '[organisation]\nname = "テスト市"\n[privacy]\nmin_group_hr = 4\n'
          'pseudonym_key = "k"\n')
    write(ws / "data", "組織.csv", ORG)
    write(ws / "data", "overtime_FY2024.csv", HEAD + "".join(f"S{i},2024-04,A01,{i}\n" for i in range(3)))
    load_files([ws / "data"], tmp_path / "store", config=load_config(ws))
    store = Store(tmp_path / "store")
    assert store.workspace() == ws.resolve()
    assert store.recorded_config().min_group_hr == 4
    table = compute_kpis(tmp_path / "store")  # no config passed
    ot = table.filter(pl.col("kpi") == "overtime_hours_per_staff")
    org, div = ot.filter(pl.col("unit_code") == "ORG"), ot.filter(pl.col("unit_code") == "A01")
    # 3 staff < the workspace's minimum of 4: the division is hidden; the organisation's figure
    # is statutory and shown with its n (publish_small_organisation), named as the workspace says
    assert div["suppressed"].to_list() == [True]
    assert org["unit_name"].to_list() == ["テスト市"] and org["n"].to_list() == [3]


def test_parquet_files_are_read_one_at_a_time_at_their_turn(gx, tmp_path, monkeypatch):
    """Plain Parquet files are ordered by their headers and each read when its turn comes (a
    1,000,000-staff load held every file at once), not all before the first is processed."""
    import hrmetrics.normalise
    import hrmetrics.readers

    data = tmp_path / "data"
    data.mkdir()
    pl.DataFrame({"職員番号": ["S1", "S2"], "年月": ["2024-04", "2024-04"], "所属コード": ["A01", "A01"],
                  "時間外勤務時間": [3.0, 50.0]}).write_parquet(data / "a_overtime_FY2024.parquet")
    pl.DataFrame({"職員番号": ["S1"], "年月": ["2023-04"], "所属コード": ["A02"],
                  "時間外勤務時間": [4.0]}).write_parquet(data / "b_overtime_FY2023.parquet")
    pl.read_csv(ORG.encode(), infer_schema=False).write_parquet(data / "z_org_units.parquet")
    events: list[str] = []
    read, normalise = hrmetrics.readers.read_raw, hrmetrics.normalise.normalise
    monkeypatch.setattr(hrmetrics.readers, "read_raw", lambda p: events.append(f"read {p.name}") or read(p))
    monkeypatch.setattr(hrmetrics.normalise, "normalise", lambda raw, *a, **k:
                        events.append(f"normalise {raw.source}") or normalise(raw, *a, **k))
    r = load_files([data], tmp_path / "store", config=CFG)
    # each file read once; the last is read only once the first is processed (the next file
    # may be read ahead while one is validated and stored: at most two files' rows at a time)
    assert sorted(e for e in events if e.startswith("read")) == [
        "read a_overtime_FY2024.parquet", "read b_overtime_FY2023.parquet", "read z_org_units.parquet"]
    assert events.index("read b_overtime_FY2023.parquet") > events.index("normalise z_org_units.parquet")
    assert [(x.file, x.rows_read, x.rows_accepted, x.rows_warned) for x in r.reports] == [
        ("z_org_units.parquet", 3, 3, 0), ("a_overtime_FY2024.parquet", 2, 2, 1),
        ("b_overtime_FY2023.parquet", 1, 1, 0)]


def test_next_file_is_normalised_ahead_and_its_refusal_or_crash_handled_as_before(gx, tmp_path, monkeypatch):
    """While one file is validated and stored, the next is read and normalised on a worker thread;
    a refusal or an unexpected error raised there refuses that file only, as before."""
    import threading

    import hrmetrics.normalise

    data = tmp_path / "data"
    write(data, "z_組織.csv", ORG)
    write(data, "a_時間外.csv", HEAD + "S1,2024-04,A01,3\n")
    write(data, "b_時間外.csv", "職員番号,職員番号,年月,所属コード,時間外勤務時間\nS1,S1,2024-05,A01,3\n")
    write(data, "c_時間外.csv", HEAD + "S2,2024-06,A01,4\n")
    threads: dict[str, str] = {}
    real = hrmetrics.normalise.normalise

    def spy(raw, *a, **k):
        threads[raw.source] = threading.current_thread().name
        if raw.source == "c_時間外.csv":
            raise ZeroDivisionError("boom")
        return real(raw, *a, **k)

    monkeypatch.setattr(hrmetrics.normalise, "normalise", spy)
    r = load_files([data], tmp_path / "store", config=CFG)
    assert [(x.file, x.status, x.rows_accepted) for x in r.reports] == [
        ("z_組織.csv", "ok", 3), ("a_時間外.csv", "ok", 1), ("b_時間外.csv", "refused", 0),
        ("c_時間外.csv", "refused", 0)]
    assert r.rejects.filter(pl.col("file") == "b_時間外.csv")["rule"].to_list() == ["duplicate_header"]
    assert "(ZeroDivisionError: boom)" in r.reports[3].message
    assert threads["z_組織.csv"] == "MainThread" and threads["c_時間外.csv"] != "MainThread"
    assert threads["a_時間外.csv"] != "MainThread" and threads["b_時間外.csv"] != "MainThread"
