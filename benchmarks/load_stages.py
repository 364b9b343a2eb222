"""CPU seconds per stage of one `load_files` run (a profile without the profiler's overhead).

    .venv/bin/python benchmarks/load_stages.py DATA STORE [CONFIG]

Wraps the load's stage functions with `time.process_time` (process-wide CPU: on a run with the
intake's worker thread, a stage's figure also counts what the worker did meanwhile) and prints
their totals, the per-file counts, and the GX import alone. Nested stages are included in their
callers (normalise ⊃ parse_columns, commit_batch ⊃ pseudonymise and _write...).
"""

from __future__ import annotations

import collections
import functools
import importlib
import sys
import time
from typing import Any

SEC: collections.Counter[str] = collections.Counter()
CALLS: collections.Counter[str] = collections.Counter()
STAGES = [
    ("hrmetrics.readers", "read_raw"), ("hrmetrics.normalise", "normalise"),
    ("hrmetrics.normalise", "parse_columns"), ("hrmetrics.validate", "validate_frame"),
    ("hrmetrics.validate", "map_retired_units"), ("hrmetrics.validate", "prepare_checks"),
    ("hrmetrics.validate", "_run_gx"), ("hrmetrics.validate", "_failure_rows"),
    ("hrmetrics.validate", "_add_unit_known"), ("hrmetrics.validate", "_add_unique_grain"),
    ("hrmetrics.store", "pseudonymise"), ("hrmetrics.store", "_hmac_hex"),
]


def _timed(owner: Any, name: str, label: str) -> None:
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            SEC[label] += time.process_time() - start
            CALLS[label] += 1

    setattr(owner, name, wrapper)


def main(data: str, store: str, config: str | None = None) -> None:
    start = time.process_time()
    import great_expectations  # noqa: F401

    SEC["import great_expectations"] = time.process_time() - start
    for module, name in STAGES:
        _timed(importlib.import_module(module), name, f"{module.split('.')[-1]}.{name}")
    from hrmetrics.store import Store

    _timed(Store, "_write", "store._write")
    _timed(Store, "commit_batch", "store.commit_batch")
    from hrmetrics.config import load_config
    from hrmetrics.intake import load_files

    start = time.process_time()
    result = load_files(data, store, config=load_config(config) if config else None)
    SEC["load_files (all)"] = time.process_time() - start
    for r in result.reports:
        print(r.file, r.rows_read, r.rows_accepted, r.rows_rejected, r.rows_warned)
    print("warning rows", result.warnings.height, "rejects", result.rejects.height)
    for label, sec in sorted(SEC.items(), key=lambda kv: -kv[1]):
        print(f"{sec:8.2f}  {label}  ({CALLS[label]} calls)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
