"""The five core KPIs written the straightforward pandas way, checked against hrmetrics, timed.

Why: "faster than pandas" means nothing unless the pandas version is the one an analyst would
write (read the exports, group by, divide) and gives the same numbers. This script computes, at
organisation level for every period, the five KPIs of issue 12 with pandas:

* overtime hours per staff per FY (Σhours ÷ Σ(staff-months)/12),
* staff over 45 h in any month, staff at 100 h or more in any month (share of staff-FYs),
* annual leave days per staff (per leave year),
* women among managers (April-1 roster; section chief and above),
* e-approval rate per FY (electronic ÷ all approvals),

and checks every value against hrmetrics' KPI table (organisation rows, |difference| < 1e-9).
Both sides start from the same Parquet files already in memory (reading is timed apart):
`pandas_seconds` is the five KPIs in pandas; `hrmetrics_aggregate_seconds` is the KPI engine's
aggregation of the whole table of those datasets (~30 KPIs at organisation, department and
division level, restated to today's units, named, small groups suppressed: `aggregate_hr` +
`finish`, what `compute_kpis` does before the disclosure audit), and `hrmetrics_table_seconds`
all of `compute_kpis(frames)` including the audit (`hrmetrics.disclosure`). The ratios are
conservative: hrmetrics computes far more than the five.
(`compute_kpis(kpis=[the five])` is not timed: with `female_manager_ratio` alone the disclosure
audit stops with `ModelError: Infeasible` on these files, see benchmarks/README.md.)
Prints one JSON line.

    .venv/bin/python benchmarks/bench_pandas_kpis.py --data /tmp/hrbench/s100000/data
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import pandas as pd
import polars as pl

FIVE = {
    "overtime_hours_per_staff": "FY",
    "overtime_over_45h_month_staff": "FY",
    "overtime_over_100h_month_staff": "FY",
    "annual_leave_days_per_staff": "year",
    "female_manager_ratio": "as_of",
    "e_approval_rate": "FY",
}
"""The five core KPIs (the cap counts are two KPIs) and the period their pandas version uses."""
MANAGERS = ("section_chief", "deputy_director", "director")


def pandas_kpis(d: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Organisation-level values as (kpi, period, value), computed with plain pandas."""
    out = []
    ot = d["overtime"]
    month = pd.to_datetime(ot["month"])  # Parquet dates arrive as Python date objects
    fy = month.dt.year - (month.dt.month < 4)
    ot = ot.assign(fy=fy)
    by_fy = ot.groupby("fy")["hours"].agg(["sum", "size"])
    for y, r in by_fy.iterrows():
        out.append(("overtime_hours_per_staff", f"FY{y}", r["sum"] / (r["size"] / 12)))
    # the file has one row per staff and month, so a staff-FY's monthly maximum is its row maximum
    peak = ot.groupby(["staff_id", "fy"])["hours"].max().reset_index()
    caps = peak.assign(over45=peak["hours"] > 45, over100=peak["hours"] >= 100).groupby("fy")[
        ["over45", "over100"]].mean()
    for y, r in caps.iterrows():
        out.append(("overtime_over_45h_month_staff", f"FY{y}", 100 * r["over45"]))
        out.append(("overtime_over_100h_month_staff", f"FY{y}", 100 * r["over100"]))
    lv = d["leave"]
    annual = lv[lv["leave_type"] == "annual"]
    for y, days in annual.groupby("year")["days"]:
        out.append(("annual_leave_days_per_staff", str(y), days.sum() / len(days)))
    st = d["staff"]
    mgr = st[st["grade"].isin(MANAGERS)]
    for as_of, g in mgr.groupby(pd.to_datetime(mgr["as_of"]))["gender"]:  # April 1: that FY's roster
        out.append(("female_manager_ratio", f"FY{as_of.year}", 100 * (g == "female").mean()))
    ap = d["approvals"]
    am = pd.to_datetime(ap["month"])
    ap = ap.assign(fy=am.dt.year - (am.dt.month < 4))
    sums = ap.groupby("fy")[["electronic", "paper"]].sum()
    for y, r in sums.iterrows():
        out.append(("e_approval_rate", f"FY{y}", 100 * r["electronic"] / (r["electronic"] + r["paper"])))
    return pd.DataFrame(out, columns=["kpi", "period", "value"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a `hrmetrics demo --staff N` data folder")
    args = ap.parse_args()
    from hrmetrics.config import Config
    from hrmetrics.kpis.engine import Inputs, OrgRegistry, aggregate_hr, compute_kpis, finish

    names = ("org_units", "staff", "overtime", "leave", "approvals")

    def files(name: str) -> list[Path]:  # overtime comes one file per fiscal year
        return sorted(args.data.glob(f"{name}.parquet")) or sorted(args.data.glob(f"{name}_FY*.parquet"))

    t = time.perf_counter()
    pdf = {n: pd.concat([pd.read_parquet(f) for f in files(n)], ignore_index=True) for n in names}
    pandas_read = time.perf_counter() - t
    t = time.perf_counter()
    frames = {n: pl.concat([pl.read_parquet(f) for f in files(n)]) for n in names}
    polars_read = time.perf_counter() - t

    t = time.perf_counter()
    mine = pandas_kpis(pdf)
    pandas_seconds = time.perf_counter() - t
    config = Config(leave_year="calendar")
    t = time.perf_counter()
    datasets = {n: f.lazy() for n, f in frames.items()}
    inp = Inputs(datasets=datasets, config=config, registry=OrgRegistry.from_frame(datasets["org_units"]),
                 view="restated")
    finish(aggregate_hr(inp, None), inp)
    hr_aggregate = time.perf_counter() - t
    t = time.perf_counter()
    table = compute_kpis(frames, config)
    hr_table = time.perf_counter() - t

    org = (table.filter(pl.col("kpi").is_in(list(FIVE)), pl.col("level") == "organisation",
                        pl.col("breakdown").is_null())
           .select("kpi", "period", "value"))
    theirs = {(k, p): v for k, p, v in org.iter_rows()}
    compared, worst, missing = 0, 0.0, []
    for k, p, v in mine.itertuples(index=False):
        if (k, p) not in theirs or theirs[(k, p)] is None:
            missing.append(f"{k} {p}")
            continue
        compared += 1
        worst = max(worst, abs(theirs[(k, p)] - v))
    same = not missing and compared == len(theirs) and worst < 1e-9
    print(json.dumps({
        "data": str(args.data), "overtime_rows": frames["overtime"].height,
        "staff_rows": frames["staff"].height, "pandas_read_seconds": round(pandas_read, 3),
        "polars_read_seconds": round(polars_read, 3), "pandas_seconds": round(pandas_seconds, 3),
        "hrmetrics_aggregate_seconds": round(hr_aggregate, 3), "hrmetrics_table_seconds": round(hr_table, 3),
        "hrmetrics_table_rows": table.height,
        "ratio_pandas_over_aggregate": round(pandas_seconds / hr_aggregate, 2) if hr_aggregate else math.nan,
        "ratio_pandas_over_table": round(pandas_seconds / hr_table, 2) if hr_table else math.nan,
        "values_compared": compared, "max_abs_difference": worst, "missing": missing[:5],
        "same_numbers": same,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
