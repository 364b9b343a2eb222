"""Disclosure control that survives an attacker (DESIGN §6): the published-numbers model
(`model`, `system`), the audit that solves each hidden cell's feasible interval (`solve`,
`audit`) and the secondary suppression it drives (`protect`)."""

from __future__ import annotations

from collections.abc import Mapping

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


__all__ = ["Context", "audit_context", "questionnaire"]
