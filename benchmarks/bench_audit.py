"""Benchmark the disclosure audit: how much of `compute_kpis` it costs, and what it hides.

For the demo city and the 100,000-staff benchmark organisation (`build_demo_frames(size=...)`),
one run each:

* `kpis_seconds` — `compute_kpis_audited` whole (rule-based suppression + audit-driven
  secondary suppression + the final audit, which is the gate);
* `protect_seconds` — the audit-driven part alone (`Protection.seconds`), with its rounds;
* `audit_seconds` — a fresh `audit()` of the finished table (what `hrmetrics audit OUT` does
  after reading it);
* per family: cells hidden by the rule-based pass (primary + complementary), cells the audit
  added, and the audit's final verdict (pinned / group disclosures must be 0).

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_audit.py              # demo and large
    .venv/bin/python benchmarks/bench_audit.py --case demo
"""

from __future__ import annotations

import argparse
import json
import time

import polars as pl

from hrmetrics.config import Config
from hrmetrics.demo.generator import build_demo_frames
from hrmetrics.disclosure import audit_context
from hrmetrics.disclosure.audit import audit, family_of, summary
from hrmetrics.disclosure.system import measure_key
from hrmetrics.kpis.engine import compute_kpis_audited


def _hidden_by_family(table: pl.DataFrame, added: set[str]) -> dict[str, dict[str, int]]:
    cells = (
        table.filter(pl.col("suppressed"))
        .select(cell=pl.concat_str("period", "unit_code", measure_key(pl.col("kpi"), pl.col("breakdown")),
                                   separator="|"), measure=measure_key(pl.col("kpi"), pl.col("breakdown")))
        .unique()
    )
    out: dict[str, dict[str, int]] = {}
    for cell, measure in cells.iter_rows():
        fam = out.setdefault(family_of(measure), {"rule_based": 0, "audit_added": 0})
        fam["audit_added" if cell in added else "rule_based"] += 1
    return out


def run(case: str) -> dict:
    frames = build_demo_frames(size=case)
    config = Config()  # the demo's hrmetrics.toml keeps these privacy defaults
    start = time.perf_counter()
    table, account = compute_kpis_audited(frames, config)
    kpis_seconds = time.perf_counter() - start
    start = time.perf_counter()
    final = audit(table, audit_context(config, frames))
    audit_seconds = time.perf_counter() - start
    verdict = {r["family"]: r for r in summary(final).iter_rows(named=True)}
    hidden = _hidden_by_family(table, set(account.added) if account else set())
    return {
        "case": case,
        "kpi_rows": table.height,
        "kpis_seconds": round(kpis_seconds, 2),
        "protect_seconds": round(account.seconds, 2) if account else 0.0,
        "rounds": account.rounds if account else 0,
        "audit_seconds": round(audit_seconds, 2),
        "families": {f: {**hidden.get(f, {}), "pinned": v["pinned"],
                         "group_disclosures": v["group_disclosures"]} for f, v in verdict.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=("demo", "large"), action="append")
    for case in parser.parse_args().case or ["demo", "large"]:
        print(json.dumps(run(case), ensure_ascii=False))


if __name__ == "__main__":
    main()
