"""Disclosure control that survives an attacker (DESIGN §6): the published-numbers model
(`model`, `system`), the audit that solves each hidden cell's feasible interval (`solve`,
`audit`) and the secondary suppression it drives (`protect`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from hrmetrics.disclosure.model import Context


def questionnaire(items: pl.DataFrame | None) -> pl.DataFrame | None:
    """`period, item_id, dimension, is_sat` from a survey item master (what staff are shown)."""
    if items is None or items.is_empty():
        return None
    from hrmetrics.survey.scores import prepare_items

    return prepare_items(items).select(period="wave", item_id="item_id", dimension="dimension",
                                       is_sat="is_sat", outcome=pl.col("role") == "outcome")


def audit_context(config: object, datasets: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> Context:
    """The reader's knowledge besides the table: manager grades (config) and the questionnaire."""
    items = datasets.get("survey_items")
    if isinstance(items, pl.LazyFrame):
        items = items.collect()
    return Context.from_config(config, questionnaire(items))


def audit_output(out_dir: str | Path, config: object | None = None) -> pl.DataFrame:
    """Re-run the audit on a finished output folder, from what was written there: the KPI table
    (kpis.parquet, else kpis.csv), the workspace settings and the questionnaire in its store.

    Everything else the folder publishes (progress, Excel, the report's chart data, packs) is
    built from that table after scrubbing, so it publishes no number the table does not."""
    from hrmetrics.config import find_config
    from hrmetrics.disclosure.audit import audit
    from hrmetrics.kpis.engine import read_kpis

    out_dir = Path(out_dir)
    source = next((p for p in (out_dir / "kpis.parquet", out_dir / "kpis.csv") if p.exists()), None)
    if source is None:
        raise FileNotFoundError(f"{out_dir}: kpis.parquet も kpis.csv もありません / no KPI table found")
    items = None
    store = out_dir / "store"
    if (store / "manifest.json").exists():
        from hrmetrics.store import Store

        st = Store(store)
        config = config or st.recorded_config()
        items = st.datasets().get("survey_items")
    config = config or find_config(out_dir)
    frame = items.collect() if isinstance(items, pl.LazyFrame) else items
    return audit(read_kpis(source), Context.from_config(config, questionnaire(frame)))


__all__ = ["Context", "audit_context", "audit_output", "questionnaire"]
