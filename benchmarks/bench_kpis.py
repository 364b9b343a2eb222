"""Benchmark `compute_kpis`: wall time and peak RSS on the demo city and on a 100k-staff city.

Each case runs in a fresh child process so that its peak RSS (Linux `VmHWM`, else
`resource.getrusage`) is its own:

* ``demo``      — the demo city (`build_demo_frames(size="demo")`: all eight datasets, both views
  run one after the other), frames in memory.
* ``large``     — the demo generator's benchmark size (`build_demo_frames(size="large")`:
  100,000 overtime-eligible staff + 7,480 managers, six FYs, 7,210,523 overtime rows), written to
  Parquet first and then read the way the store is read: `pl.scan_parquet` (lazy), so the engine
  decides what to load.
* ``synthetic`` — exactly 100,000 staff × 72 months = 7.2 M overtime rows (every staff member
  every month; 10% move division each April), plus an April-1 roster per FY; Parquet + scan.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_kpis.py                 # all cases
    .venv/bin/python benchmarks/bench_kpis.py --case synthetic --repeat 3

Timing here, not in unit tests: the numbers depend on the machine (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

CASES = ("demo", "large", "synthetic")
LARGE_DATASETS = ("org_units", "staff", "overtime")


def synthetic_frames(n_staff: int = 100_000, n_fy: int = 6, first_fy: int = 2019, seed: int = 1,
                     n_departments: int = 80, divisions_per_department: int = 5) -> dict[str, pl.DataFrame]:
    """A vectorised 100k-staff city: org_units, April-1 rosters and one overtime row per staff-month."""
    rng = np.random.default_rng(seed)
    n_div = n_departments * divisions_per_department
    dept_codes = [f"D{d:03d}" for d in range(n_departments)]
    div_codes = [f"V{v:04d}" for v in range(n_div)]
    org = pl.DataFrame({
        "unit_code": dept_codes + div_codes,
        "unit_name": [f"第{d}部" for d in range(n_departments)] + [f"第{v}課" for v in range(n_div)],
        "parent_code": [None] * n_departments
        + [dept_codes[v // divisions_per_department] for v in range(n_div)],
        "valid_from_fy": [first_fy] * (n_departments + n_div),
        "valid_to_fy": [None] * (n_departments + n_div),
        "successor_code": [None] * (n_departments + n_div),
    }, schema={"unit_code": pl.String, "unit_name": pl.String, "parent_code": pl.String,
               "valid_from_fy": pl.Int64, "valid_to_fy": pl.Int64, "successor_code": pl.String})
    staff_idx = np.arange(n_staff)
    # division per staff and FY: home division, and 10% of staff shifted each FY
    shift = (rng.random((n_fy, n_staff)) < 0.10).cumsum(axis=0) * 37
    div_by_fy = (staff_idx[None, :] + shift) % n_div                   # (n_fy, n_staff)
    months = n_fy * 12
    fy_of_month = np.repeat(np.arange(n_fy), 12)
    ids = np.array([f"S{i:06d}" for i in range(n_staff)])
    month_dates = pl.date_range(pl.date(first_fy, 4, 1), pl.date(first_fy + n_fy, 3, 1), "1mo", eager=True)
    overtime = pl.DataFrame({
        "staff_id": np.tile(ids, months),
        "month": month_dates.gather(np.repeat(np.arange(months), n_staff)),
        "unit_code": np.array(div_codes)[div_by_fy[fy_of_month].ravel()],
        "hours": np.round(rng.gamma(1.6, 9.0, size=months * n_staff), 2),
    })
    from hrmetrics.config import GRADES

    grades = np.array(GRADES)
    staff = pl.DataFrame({
        "as_of": np.repeat(np.array([np.datetime64(f"{first_fy + f}-04-01") for f in range(n_fy)]), n_staff),
        "staff_id": np.tile(ids, n_fy),
        "unit_code": np.array(div_codes)[div_by_fy.ravel()],
        "grade": grades[rng.choice(6, size=n_fy * n_staff, p=[0.55, 0.2, 0.12, 0.08, 0.03, 0.02])],
        "gender": np.where(rng.random(n_fy * n_staff) < 0.4, "female", "male"),
    }).with_columns(pl.col("as_of").cast(pl.Date))
    return {"org_units": org, "staff": staff, "overtime": overtime}


def _peak_mb() -> float:
    """Peak RSS of this process in MiB.

    Linux `VmHWM` (reset at exec) is preferred: `getrusage().ru_maxrss` survives `execve`, so a
    child started by a parent that had just generated 7 M rows would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _child(case: str, data_dir: str) -> dict:
    """Run one case in this (fresh) process and return its measurements."""
    from hrmetrics.config import Config
    from hrmetrics.kpis.engine import compute_kpis

    if case == "demo":
        from hrmetrics.demo.generator import build_demo_frames

        source = build_demo_frames(size="demo")
        config = Config(quota={"organisation": 1250})
    else:
        source = {k: pl.scan_parquet(Path(data_dir) / f"{k}.parquet") for k in LARGE_DATASETS}
        config = Config()
    rows = {k: (v.select(pl.len()).collect().item() if isinstance(v, pl.LazyFrame) else v.height)
            for k, v in source.items()}
    before = _peak_mb()
    t0 = time.perf_counter()
    table = compute_kpis(source, config)
    wall = time.perf_counter() - t0
    out = {"case": case, "seconds": round(wall, 2), "kpi_rows": table.height,
           "overtime_rows": rows.get("overtime"), "peak_rss_mb_before": round(before),
           "peak_rss_mb": round(_peak_mb())}
    if case == "demo":
        t0 = time.perf_counter()
        compute_kpis(source, config, view="as_was")
        out["seconds_as_was"] = round(time.perf_counter() - t0, 2)
    return out


def _prepare(case: str, data_dir: Path) -> None:
    """Write the large inputs to Parquet (in the parent, so generation is not measured)."""
    if case == "large":
        from hrmetrics.demo.generator import build_demo_frames

        frames = build_demo_frames(size="large")
    elif case == "synthetic":
        frames = synthetic_frames()
    else:
        return
    for name in LARGE_DATASETS:
        frames[name].write_parquet(data_dir / f"{name}.parquet")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=[*CASES, "all"], default="all")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case (each in a fresh process)")
    ap.add_argument("--_child", nargs=2, metavar=("CASE", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        print(json.dumps(_child(*args._child)))
        return 0
    cases = CASES if args.case == "all" else (args.case,)
    for case in cases:
        tmp = Path(tempfile.mkdtemp(prefix=f"hrbench_{case}_"))
        try:
            t0 = time.perf_counter()
            _prepare(case, tmp)
            prep = time.perf_counter() - t0
            for _ in range(args.repeat):
                res = subprocess.run([sys.executable, __file__, "--_child", case, str(tmp)],
                                     check=True, capture_output=True, text=True)
                result = json.loads(res.stdout.strip().splitlines()[-1])
                result["prepare_seconds"] = round(prep, 1)
                print(json.dumps(result, ensure_ascii=False))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
