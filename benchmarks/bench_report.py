"""Time the report stage alone (`build_report`) on the demo city or the 100,000-staff organisation.

    .venv/bin/python benchmarks/bench_report.py --size demo  --repeat 3
    .venv/bin/python benchmarks/bench_report.py --size large --repeat 1

The data are generated (or taken from `--data`) under `--work`, then loaded, KPIs, survey and
progress computed once, untimed, and kept in `<work>/<size>/prepared.pkl`, so that another
checkout (the code before a change, run with PYTHONPATH pointing at it) times its report stage
on the very same inputs. `build_report` is then run `--repeat` times into a fresh folder each.
One JSON line per run: wall seconds, CPU seconds of this process and its children (the fairer
figure on a shared machine), the report folder's size and file count, packs written, and the
process's peak RSS so far (Linux VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _folder(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="demo", choices=["demo", "large"])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/hrbench-report"))
    ap.add_argument("--images", action="store_true", help="also write PNG/SVG (as `hrmetrics run` does)")
    ap.add_argument("--data", type=Path, help="an existing data folder of that size (default: generate one)")
    ap.add_argument("--workers", type=int, help="pack worker processes (default: build_report's choice)")
    args = ap.parse_args()

    from hrmetrics import workflow
    from hrmetrics.config import find_config
    from hrmetrics.demo.generator import generate_demo
    from hrmetrics.intake import load_files
    from hrmetrics.kpis.engine import compute_kpis_audited
    from hrmetrics.report.build import build_report
    from hrmetrics.store import Store

    work = args.work / args.size
    data_dir = args.data or work / "data"
    if not data_dir.exists():
        generate_demo(work, size=args.size)
    config = find_config(data_dir)
    cache = work / "prepared.pkl"
    if cache.exists():  # the report's inputs from an earlier run on the same data (same for any branch)
        inputs = pickle.loads(cache.read_bytes())
    else:
        shutil.rmtree(work / "store", ignore_errors=True)
        intake = load_files([data_dir], work / "store", out_dir=work / "intake", config=config)
        datasets = Store(work / "store").datasets()
        kpis, account = compute_kpis_audited(datasets, config)
        progress, projections = workflow._progress_and_projections(kpis, "demo", config)
        inputs = {
            "kpis": kpis,
            "progress": progress,
            "projections": projections,
            "disclosure": account,
            "survey": workflow._survey_tables(kpis, datasets, config) or None,
            "quality": intake.summary_frame(),
            "rejects": intake.rejects,
            "references": workflow._references(config, config.lang),
        }
        cache.write_bytes(pickle.dumps(inputs))
    kpis = inputs["kpis"]
    print(
        json.dumps(
            {
                "size": args.size,
                "prepared": True,
                "kpi_rows": kpis.height,
                "peak_rss_mb": round(_peak_rss_mb()),
            }
        ),
        flush=True,
    )
    for run in range(args.repeat):
        out = work / f"run{run}"
        shutil.rmtree(out, ignore_errors=True)
        t0, c0 = time.perf_counter(), _cpu()
        extra = {} if args.workers is None else {"workers": args.workers}
        paths = build_report(out, config=config, lang=config.lang, images=args.images, **inputs, **extra)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        size, files = _folder(out / "report")
        print(
            json.dumps(
                {
                    "size": args.size,
                    "run": run,
                    "report_seconds": round(wall, 2),
                    "cpu_seconds": round(cpu, 2),
                    "report_mb": round(size / 1e6, 1),
                    "files": files,
                    "packs": len(paths.divisions),
                    "kpi_rows": kpis.height,
                    "peak_rss_mb": round(_peak_rss_mb()),
                    "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()[0],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
