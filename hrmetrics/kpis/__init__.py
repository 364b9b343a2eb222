"""KPI catalogue and engine. `compute_kpis`/`write_kpis` load the engine on first use."""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"compute_kpis", "write_kpis", "read_kpis", "KPI_SCHEMA"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("hrmetrics.kpis.engine"), name)
    raise AttributeError(f"module 'hrmetrics.kpis' has no attribute {name!r}")
