"""What every section module shares: its inputs and the small builders of cells and blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from hrmetrics.config import Config
from hrmetrics.orgs import ORG_CODE as ORG
from hrmetrics.report.labels import MISSING, format_value, t
from hrmetrics.report.model import Cell, Chart, DataTable, Table

__all__ = ["ORG", "ReportInputs", "chart", "num", "table_of", "text"]


@dataclass(frozen=True)
class ReportInputs:
    """Everything a section may read, already scrubbed (and, for a pack, already scoped)."""

    kpis: pl.DataFrame
    progress: pl.DataFrame | None
    survey: dict[str, Any]
    quality: pl.DataFrame | None
    rejects: pl.DataFrame | None
    references: pl.DataFrame | None
    projections: pl.DataFrame | None
    config: Config
    lang: str
    layout: dict[str, Any]
    focus: str = ORG
    """ORG for the organisation report, a division code for a manager pack."""
    disclosure: Any = None
    """The disclosure audit's account (`hrmetrics.disclosure.protect.Protection`), if any."""
    divisions: DataTable | None = None
    """The division table (latest value per KPI), shared by the page and the workbook."""

    @property
    def in_pack(self) -> bool:
        return self.focus != ORG


def num(value: float | None, unit: str, lang: str, hidden: bool = False, sub: str = "") -> Cell:
    """A number cell: 12.3時間 / 非表示, keeping the number and unit for spreadsheets."""
    return Cell(
        format_value(value, unit, lang, suppressed=hidden),
        cls="hidden" if hidden else "num",
        sub=sub,
        value=None if hidden else value,
        unit=unit,
        hidden=hidden,
    )


def text(value: object) -> Cell:
    return Cell(MISSING if value is None else str(value))


def chart(chart_id: str, spec: dict[str, Any], alt: str, caption: str = "") -> Chart:
    return Chart(chart_id, spec, alt, caption)


def table_of(sheet: DataTable, lang: str, caption: str = "") -> Table:
    """The HTML/console view of a `DataTable` whose first columns are unit_code, unit_name: the
    organisation named 組織全体, every value formatted in its unit (hidden → 非表示)."""
    value_cols = [c for c in sheet.columns if c.is_value]
    headers = (t(lang, "所属", "Unit"), *[c.label for c in value_cols])
    org = t(lang, "組織全体", "Organisation")
    rows = []
    for r in sheet.frame.iter_rows(named=True):
        name = org if r["unit_code"] == ORG else r["unit_name"]
        cells = [num(r[c.id], c.unit or "", lang, bool(c.hidden_col and r[c.hidden_col])) for c in value_cols]
        rows.append((text(name), *cells))
    return Table(headers, tuple(rows), caption)
