"""hrmetrics: staff-survey and HR-metrics analytics for Japanese municipalities.

The public API is importable from here; heavy modules load on first use so that
`import hrmetrics` (and `hrmetrics --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what a type checker sees; at run time `__getattr__` imports on first use
    from hrmetrics.config import Config as Config
    from hrmetrics.config import load_config as load_config
    from hrmetrics.demo.generator import generate_demo as generate_demo
    from hrmetrics.intake import load_files as load_files
    from hrmetrics.intake import validate_files as validate_files
    from hrmetrics.kpis.engine import compute_kpis as compute_kpis
    from hrmetrics.kpis.engine import compute_kpis_audited as compute_kpis_audited
    from hrmetrics.plans import load_plan as load_plan
    from hrmetrics.progress import compute_progress as compute_progress
    from hrmetrics.report.build import build_report as build_report
    from hrmetrics.store import Store as Store
    from hrmetrics.workflow import audit_output as audit_output
    from hrmetrics.workflow import demo as demo
    from hrmetrics.workflow import run as run

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


def __getattr__(name: str) -> Any:  # the lazy attribute's type: the TYPE_CHECKING imports above
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'hrmetrics' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
