"""Reports: offline HTML report, manager packs per division, Excel workbook, CSV/Parquet, charts.

Everything here reads the long KPI table, the progress table and the survey/quality tables;
nothing recomputes a KPI. `build_report` is the entry point.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReportPaths", "build_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hrmetrics.report import build

        return getattr(build, name)
    raise AttributeError(name)
