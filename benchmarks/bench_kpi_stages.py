"""The KPI table's stages at scale, wall and CPU seconds: aggregation and the disclosure audit.

Why: `compute_kpis` at 100,000 staff is two very different costs, polars aggregation over 7.2 M
overtime rows and the HiGHS audit of the result, and a change to one should be seen apart from
the other. CPU seconds are given beside wall seconds because the benchmark machine is shared
(wall time grows with the load, CPU time much less).

Reads the Parquet files of a data folder written by `hrmetrics demo --staff N --generate-only`
into memory (not timed), aggregates once untimed (warm-up), then times, `--repeat` times, in one
process:

* `aggregate`: `aggregate_hr` + `finish` (every HR KPI at three levels, restated, named, small
  groups suppressed: the table before the audit);
* `audit`: `protect_table` on that table (the disclosure audit and its secondary suppression);
* `total`: `compute_kpis(frames, Config(leave_year="calendar"))`, both together.

Prints one JSON line per run. To compare two checkouts, run it with each one's code first on
the path, e.g. `PYTHONPATH=/path/to/other/checkout .venv/bin/python benchmarks/bench_kpi_stages.py`.

    .venv/bin/python benchmarks/bench_kpi_stages.py --data /tmp/hrbench-scale/s100000/data --repeat 3
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

DATASETS = {"org_units": "org_units.parquet", "staff": "staff.parquet", "overtime": "overtime_FY*.parquet",
            "leave": "leave.parquet", "approvals": "approvals.parquet"}


def read(data: Path) -> dict[str, pl.DataFrame]:
    """The data folder's Parquet files, one frame per dataset (overtime comes one file per FY)."""
    return {name: pl.concat([pl.read_parquet(f) for f in sorted(data.glob(pattern))])
            for name, pattern in DATASETS.items() if any(data.glob(pattern))}


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def one_run(frames: dict[str, pl.DataFrame]) -> dict[str, float | int]:
    """Time the stages once, after one untimed aggregation (a process's first polars work over
    7 M rows pays for thread pools and page faults); a fresh `Inputs` each time, so nothing is
    cached between the timed stages."""
    from hrmetrics.config import Config
    from hrmetrics.kpis import engine
    from hrmetrics.kpis.spec import Inputs
    from hrmetrics.orgs import OrgRegistry

    config = Config(leave_year="calendar")
    datasets = engine.load_datasets(frames)
    inp = Inputs(datasets=datasets, config=config, registry=OrgRegistry.from_frame(datasets["org_units"]))
    engine.aggregate_hr(Inputs(datasets=datasets, config=config, registry=inp.registry), None)  # warm-up
    table, agg_wall, agg_cpu = timed(lambda: engine.finish(engine.aggregate_hr(inp, None), inp))
    protected, audit_wall, audit_cpu = timed(lambda: engine.protect_table(table, config, datasets))
    kpis, total_wall, total_cpu = timed(lambda: engine.compute_kpis(frames, config))
    account = protected[1]  # type: ignore[index]
    return {
        "overtime_rows": frames["overtime"].height, "kpi_rows": kpis.height,  # type: ignore[attr-defined]
        "aggregate_wall": round(agg_wall, 2), "aggregate_cpu": round(agg_cpu, 2),
        "audit_wall": round(audit_wall, 2), "audit_cpu": round(audit_cpu, 2),
        "audit_rounds": account.rounds, "audit_groups": account.results.height,
        "total_wall": round(total_wall, 2), "total_cpu": round(total_cpu, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    from hrmetrics import __file__ as code

    frames = read(args.data)
    for run in range(args.repeat):
        print(json.dumps({"run": run + 1, "code": str(Path(code).parent.parent), "data": str(args.data),
                          **one_run(frames)}), flush=True)


if __name__ == "__main__":
    main()
