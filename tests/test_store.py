"""store.py: pseudonymisation, duplicates, period replacement, atomic commits (no GX needed)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import hrmetrics.store as store_mod
from hrmetrics.config import Config
from hrmetrics.pipelines import load_specs
from hrmetrics.store import Store, file_sha256

KEY = "test-key-0123456789"


@pytest.fixture(scope="module")
def spec():
    return load_specs()["overtime"]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store", Config(pseudonym_key=KEY))


def _frame(rows, file="overtime.csv"):
    return pl.DataFrame(
        {"staff_id": [r[0] for r in rows], "month": [date(2024, r[1], 1) for r in rows],
         "unit_code": ["A01"] * len(rows), "hours": [float(r[2]) for r in rows]},
    ).with_columns(_source_file=pl.lit(file), _source_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64))


def _commit(store, spec, tmp_path, name, rows, text=None):
    """Write a source file (its bytes decide the sha256) and commit its rows as accepted."""
    src = tmp_path / name
    src.write_text(text or f"{name}\n{rows}\n", encoding="utf-8")
    return store.commit_batch(source=src, dataset="overtime", accepted=_frame(rows, name), spec=spec,
                              rows_read=len(rows))


def _parquet_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*.parquet")))


def test_ids_are_hmac_pseudonyms_and_raw_ids_never_reach_parquet(store, spec, tmp_path):
    _commit(store, spec, tmp_path, "overtime_a.csv", [("S0012345", 4, 10), ("S0099999", 4, 5)])
    got = store.scan("overtime").sort("hours").collect()
    expected = hmac.new(KEY.encode(), b"S0012345", hashlib.sha256).hexdigest()[:24]
    assert got["staff_id"].to_list()[1] == expected
    assert got.columns == ["staff_id", "month", "unit_code", "hours", "_source_file", "_source_row", "_batch"]
    blob = _parquet_bytes(store.path)
    assert b"S0012345" not in blob and b"S0099999" not in blob
    assert expected.encode() in blob


def test_pseudonymise_maps_each_row_to_its_own_ids_hmac_even_if_row_hashes_collide(monkeypatch):
    """The rows are mapped through a 64-bit hash; a collision must fall back, not mix people."""
    frame = pl.DataFrame({"staff_id": ["S1", None, "S2", "S1", "S3"], "x": [1, 2, 3, 4, 5]})
    key = KEY.encode()

    def mac(v):
        return hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:24]

    expected = [mac("S1"), None, mac("S2"), mac("S1"), mac("S3")]
    assert store_mod.pseudonymise(frame, ["staff_id"], key)["staff_id"].to_list() == expected
    import hrmetrics.distinct

    same = lambda ids: pl.Series([7] * ids.len(), dtype=pl.UInt64)  # noqa: E731
    monkeypatch.setattr(hrmetrics.distinct, "row_hash", same)
    out = store_mod.pseudonymise(frame, ["staff_id"], key)
    assert out["staff_id"].to_list() == expected and out["x"].to_list() == [1, 2, 3, 4, 5]


def test_pseudonym_cache_hashes_each_id_once_across_files(monkeypatch):
    """The cache carries digests between files: a known id is looked up, a new one hashed once."""
    key = b"k" * 32
    calls: list[str] = []
    real = store_mod._digest
    monkeypatch.setattr(store_mod, "_digest", lambda k, v: calls.append(v) or real(k, v))
    cache: dict[str, str] = {}
    first = store_mod.pseudonymise(pl.DataFrame({"staff_id": ["S1", "S2", "S1"]}), ["staff_id"], key, cache)
    second = store_mod.pseudonymise(pl.DataFrame({"staff_id": ["S2", "S3", None]}), ["staff_id"], key, cache)
    assert sorted(calls) == ["S1", "S2", "S3"]
    assert second["staff_id"].to_list() == [first["staff_id"][1], real(key, "S3"), None]
    assert store_mod.pseudonymise(pl.DataFrame({"staff_id": ["S3"]}), ["staff_id"], key)["staff_id"][0] \
        == cache["S3"]


def test_same_person_same_pseudonym_across_batches(store, spec, tmp_path):
    _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 1)])
    _commit(store, spec, tmp_path, "b.csv", [("S1", 5, 2)])
    assert store.scan("overtime").collect()["staff_id"].n_unique() == 1


def test_random_key_file_created_with_mode_0600_when_none_configured(tmp_path, spec, monkeypatch):
    monkeypatch.delenv("HRMETRICS_PSEUDONYM_KEY", raising=False)
    s = Store(tmp_path / "s", Config())
    _commit(s, spec, tmp_path, "a.csv", [("S1", 4, 1)])
    key_file = tmp_path / "s" / "key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64
    assert s.scan("overtime").collect()["staff_id"][0] == hmac.new(
        key.encode(), b"S1", hashlib.sha256).hexdigest()[:24]
    # a second store object reuses the key: same pseudonym
    assert Store(tmp_path / "s", Config()).pseudonym_key() == key.encode()


def test_same_file_twice_is_a_duplicate_and_adds_nothing(store, spec, tmp_path):
    first = _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 1), ("S2", 4, 2)], text="same bytes")
    second = _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 1), ("S2", 4, 2)], text="same bytes")
    assert (first["status"], second["status"]) == ("loaded", "duplicate")
    assert store.scan("overtime").collect().height == 2
    led = store.ledger()
    assert led["status"].to_list() == ["loaded", "duplicate"]
    assert led["sha256"].n_unique() == 1
    assert len(list((store.path / "raw").iterdir())) == 1


def test_corrected_file_replaces_its_months_and_ledger_names_the_batch(store, spec, tmp_path):
    a = _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 10), ("S1", 5, 20), ("S2", 5, 30)])
    b = _commit(store, spec, tmp_path, "b.csv", [("S1", 5, 21)])
    got = store.scan("overtime").sort("month").collect()
    assert got.select(pl.col("month").dt.month(), "hours", "_batch").rows() == [
        (4, 10.0, a["batch"]), (5, 21.0, b["batch"])]
    led = store.ledger()
    assert led["replaced_batches"].to_list() == ["", a["batch"]]
    assert led["periods"].to_list() == ["2024-04, 2024-05", "2024-05"]
    # batch a still has live rows (April): the same bytes again would be a duplicate ...
    assert store.find_duplicate(a["sha256"], "overtime")["batch"] == a["batch"]
    # ... until a correction replaces all of them; then reloading the original is a real load
    c = _commit(store, spec, tmp_path, "c.csv", [("S1", 4, 11)])
    assert c["replaced_batches"] == a["batch"]
    assert store.find_duplicate(a["sha256"], "overtime") is None
    # exactly the live files remain (the rewritten part of batch a and batch b)
    on_disk = sorted(p.relative_to(store.path).as_posix() for p in (store.path / "data").rglob("*.parquet"))
    assert on_disk == sorted(store.manifest()["datasets"]["overtime"])
    assert len(on_disk) == 2 and store.live_batches("overtime") == {b["batch"], c["batch"]}


def test_replace_all_replaces_whole_dataset(tmp_path):
    spec = load_specs()["org_units"]
    s = Store(tmp_path / "s", Config(pseudonym_key=KEY))
    src = tmp_path / "org.csv"
    for text, codes in (("v1", ["A", "B"]), ("v2", ["C"])):
        src.write_text(text)
        frame = pl.DataFrame({"unit_code": codes, "unit_name": codes, "valid_from_fy": [2000] * len(codes),
                              "_source_file": ["org.csv"] * len(codes), "_source_row": [2, 3][: len(codes)]})
        row = s.commit_batch(source=src, dataset="org_units", accepted=frame, spec=spec, rows_read=len(codes))
    assert s.scan("org_units").collect()["unit_code"].to_list() == ["C"]
    assert row["periods"] == "all" and row["replaced_batches"] != ""


def test_crash_before_manifest_swap_leaves_store_unchanged(store, spec, tmp_path, monkeypatch):
    _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 10), ("S1", 5, 20)])
    manifest_before = (store.path / "manifest.json").read_bytes()
    data_before = store.scan("overtime").collect()
    ledger_before = store.ledger()
    files_before = sorted(p for p in store.path.rglob("*") if p.is_file() and p.parent.name != "raw")

    def crash(src, dst):
        raise KeyboardInterrupt("killed at the commit point")

    monkeypatch.setattr(store_mod, "_replace", crash)
    with pytest.raises(KeyboardInterrupt):
        _commit(store, spec, tmp_path, "b.csv", [("S1", 5, 99)])
    assert (store.path / "manifest.json").read_bytes() == manifest_before
    assert store.scan("overtime").collect().equals(data_before)
    assert store.ledger().equals(ledger_before)
    files_after = sorted(p for p in store.path.rglob("*") if p.is_file() and p.parent.name != "raw")
    assert files_after == files_before  # new Parquet and temp manifest cleaned up


def test_killed_process_leaves_previous_store(store, spec, tmp_path):
    _commit(store, spec, tmp_path, "a.csv", [("S1", 4, 10)])
    before = (store.path / "manifest.json").read_bytes()
    src = tmp_path / "b.csv"
    src.write_text("b")
    code = f"""
import os, signal, polars as pl
from datetime import date
import hrmetrics.store as m
from hrmetrics.config import Config
from hrmetrics.pipelines import load_specs
m._replace = lambda s, d: os.kill(os.getpid(), signal.SIGKILL)
frame = pl.DataFrame({{"staff_id": ["S1"], "month": [date(2024, 4, 1)], "unit_code": ["A01"], "hours": [1.0],
                      "_source_file": ["b.csv"], "_source_row": [2]}})
m.Store({str(store.path)!r}, Config(pseudonym_key="{KEY}")).commit_batch(
    source={str(src)!r}, dataset="overtime", accepted=frame, spec=load_specs()["overtime"], rows_read=1)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-500:]
    assert (store.path / "manifest.json").read_bytes() == before
    got = store.scan("overtime").collect()
    assert got["hours"].to_list() == [10.0]
    assert store.ledger().height == 1
    # the next load works normally on top of the untouched store
    row = _commit(store, spec, tmp_path, "c.csv", [("S1", 4, 11)])
    assert row["replaced_batches"] == store.ledger()["batch"][0]
    assert json.loads((store.path / "manifest.json").read_text())["version"] == 2


def test_refused_file_is_recorded_in_ledger_raw_copy_only_if_its_dataset_is_known(store, tmp_path):
    src = tmp_path / "broken.csv"
    src.write_bytes(b"\x00\x01\x02")
    row = store.commit_batch(source=src, dataset=None, rows_read=0, status="refused")
    hr = tmp_path / "時間外_broken.csv"
    hr.write_bytes(b"\x00\x03")
    store.commit_batch(source=hr, dataset="overtime", rows_read=0, status="refused")
    led = store.ledger()
    assert led.select("file", "status", "rows_read").rows() == [
        ("broken.csv", "refused", 0), ("時間外_broken.csv", "refused", 0)]
    # an unclassified file may be a survey export with names and comments: no copy of it is kept
    assert sorted(p.name for p in (store.path / "raw").iterdir()) == [f"{file_sha256(hr)}.csv"]
    assert (store.path / "raw" / f"{file_sha256(hr)}.csv").read_bytes() == b"\x00\x03"
    assert row["batch"] == led["batch"][0]
    assert store.datasets() == {}


def test_empty_store_scans_with_canonical_schema(tmp_path):
    s = Store(tmp_path / "nothing")
    lf = s.scan("overtime")
    assert lf.collect_schema() == pl.Schema({
        "staff_id": pl.String, "month": pl.Date, "unit_code": pl.String, "hours": pl.Float64,
        "_source_file": pl.String, "_source_row": pl.Int64, "_batch": pl.String})
    assert s.ledger().height == 0
    assert not os.path.exists(tmp_path / "nothing")
