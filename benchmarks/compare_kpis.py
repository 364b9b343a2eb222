"""Same KPI table, same audit? Capture `compute_kpis_audited` with one checkout, compare with another.

Why: a speed change to the KPI engine or the disclosure audit must not change what is published
or what the audit concludes. `capture` writes, for the demo city or a data folder, the KPI
table (Parquet, plus the sha256 of its CSV), the audit's result rows and the cells it hid;
`diff` compares two captures: table bytes, hidden cells, every audit status, and every reported
range (num_min, num_max, gap_max, size_max).

    PYTHONPATH=/path/to/old/checkout .venv/bin/python benchmarks/compare_kpis.py capture demo /tmp/old
    .venv/bin/python benchmarks/compare_kpis.py capture demo /tmp/new
    .venv/bin/python benchmarks/compare_kpis.py capture /tmp/hrbench-scale/s100000/data /tmp/new
    .venv/bin/python benchmarks/compare_kpis.py diff /tmp/old /tmp/new
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
from pathlib import Path

import polars as pl

RANGES = ("num_min", "num_max", "gap_max", "size_max")


def capture(source: str, out: Path) -> None:
    from hrmetrics.config import Config
    from hrmetrics.kpis.engine import compute_kpis_audited

    if source == "demo":
        from hrmetrics.demo.generator import build_demo_frames

        frames, config, name = build_demo_frames(), None, "demo"
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_kpi_stages import read

        frames, config, name = read(Path(source)), Config(leave_year="calendar"), Path(source).parent.name
    wall, cpu = time.perf_counter(), time.process_time()
    table, account = compute_kpis_audited(frames, config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    table.write_csv(buf)
    table.write_parquet(out / f"{name}_table.parquet")
    assert account is not None
    account.results.write_parquet(out / f"{name}_audit.parquet")
    (out / f"{name}_added.json").write_text(json.dumps(list(account.added)))
    print(json.dumps({"capture": name, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
                      "table_csv_sha256": hashlib.sha256(buf.getvalue()).hexdigest(),
                      "rounds": account.rounds, "hidden_by_audit": len(account.added)}))


def diff(old: Path, new: Path) -> None:
    for path in sorted(old.glob("*_table.parquet")):
        name = path.name.removesuffix("_table.parquet")
        t_old, t_new = pl.read_parquet(path), pl.read_parquet(new / path.name)
        a_old = pl.read_parquet(old / f"{name}_audit.parquet").with_row_index()
        a_new = pl.read_parquet(new / f"{name}_audit.parquet").with_row_index()
        same_rows = a_old.select("family", "period", "cell", "target").equals(
            a_new.select("family", "period", "cell", "target"))
        both = a_old.join(a_new, on="index", suffix="_new")
        moved = both.filter(pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in RANGES]))
        print(json.dumps({
            "capture": name,
            "table_identical": t_old.equals(t_new),
            "hidden_cells_identical": (old / f"{name}_added.json").read_text()
            == (new / f"{name}_added.json").read_text(),
            "audit_groups": a_old.height, "same_groups_in_same_order": same_rows,
            "statuses_identical": same_rows and bool((both["status"] == both["status_new"]).all()),
            "ranges_differing": moved.height,
            "ranges_differing_by_family": dict(moved.group_by("family").len().sort("family").iter_rows()),
        }))


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(sys.argv[2], Path(sys.argv[3]))
    else:
        diff(Path(sys.argv[2]), Path(sys.argv[3]))
