"""hrmetrics: staff-survey and HR-metrics analytics for Japanese municipalities.

The public API is importable from here; heavy modules load on first use so that
`import hrmetrics` (and `hrmetrics --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API: dict[str, str] = {
    "Config": "hrmetrics.config",
    "load_config": "hrmetrics.config",
    "validate_files": "hrmetrics.intake",
    "load_files": "hrmetrics.intake",
    "Store": "hrmetrics.store",
    "generate_demo": "hrmetrics.demo.generator",
    "compute_kpis": "hrmetrics.kpis.engine",
    "load_plan": "hrmetrics.plans",
    "compute_progress": "hrmetrics.progress",
    "build_report": "hrmetrics.report.build",
    "run": "hrmetrics.workflow",
    "demo": "hrmetrics.workflow",
    "audit_output": "hrmetrics.workflow",
    "compute_kpis_audited": "hrmetrics.kpis.engine",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'hrmetrics' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
