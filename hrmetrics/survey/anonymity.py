"""Survey anonymity: the complementary suppression of `hrmetrics.suppression`, plus the
survey's own constraints.

On top of the unit hierarchy, for one unit a dimension's favourable share is built from its
items, so dimension → items is a constraint too (the items overlap in people: agg = max). And a
unit hidden on its respondent count has every measure hidden (its response rate and item counts
would reveal the count); a hidden outcome item hides the unit's engagement index (with one
outcome item the two are the same number). Free-text comments never reach this stage (intake
drops them).
"""

from __future__ import annotations

import polars as pl

from hrmetrics.suppression import hidden_cells, suppress

RESPONDENTS = "respondents"
ENGAGEMENT = "engagement"


def _dimension_members(cells: pl.DataFrame, dims: pl.DataFrame | None) -> pl.DataFrame:
    """Dimension → its items within one unit (items overlap in people: agg = max)."""
    schema = {"constraint": pl.String, "parent": pl.String, "child": pl.String, "agg": pl.String}
    if dims is None or dims.is_empty():
        return pl.DataFrame(schema=schema)
    item_cells = cells.filter(pl.col("_measure").str.starts_with("item:")).with_columns(
        item_id=pl.col("_measure").str.slice(5)
    )
    return item_cells.join(
        dims.select("period", "item_id", "dimension"), on=["period", "item_id"]
    ).select(
        constraint=pl.concat_str(pl.lit("DIM"), "period", "unit_code", "dimension", separator="|"),
        parent=pl.concat_str(
            "period", "unit_code", pl.lit("dim:") + pl.col("dimension"), separator="|"
        ),
        child="cell",
        agg=pl.lit("max"),
    )


def _couplings(cells: pl.DataFrame, outcome_items: pl.DataFrame | None) -> pl.DataFrame:
    """(src, dst): hiding src forces hiding dst."""
    resp = cells.filter(pl.col("_measure") == RESPONDENTS).select("period", "unit_code", src="cell")
    unit_wide = resp.join(
        cells.select("period", "unit_code", dst="cell"), on=["period", "unit_code"]
    ).select("src", "dst")
    parts = [unit_wide]
    if outcome_items is not None and not outcome_items.is_empty():
        eng = cells.filter(pl.col("_measure") == ENGAGEMENT).select(
            "period", "unit_code", dst="cell"
        )
        out = (
            cells.with_columns(item_id=pl.col("_measure").str.slice(5))
            .filter(pl.col("_measure").str.starts_with("item:"))
            .join(outcome_items.select("period", "item_id"), on=["period", "item_id"])
            .select("period", "unit_code", src="cell")
        )
        parts.append(out.join(eng, on=["period", "unit_code"]).select("src", "dst"))
    return pl.concat(parts).filter(pl.col("src") != pl.col("dst")).unique()


def suppression_cells(
    kpis: pl.DataFrame,
    minimum: int,
    dims: pl.DataFrame | None = None,
    outcome_items: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`cell, hidden` for every wave × unit × measure of a KPI frame carrying `_measure`.

    `dims`: `period, item_id, dimension`; `outcome_items`: `period, item_id`.
    """
    return hidden_cells(
        kpis,
        minimum,
        extra_members=lambda cells: _dimension_members(cells, dims),
        couplings=lambda cells: _couplings(cells, outcome_items),
    )


def apply_suppression(
    kpis: pl.DataFrame,
    config: object,
    dims: pl.DataFrame | None = None,
    outcome_items: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Null value/numerator/denominator/n and set `suppressed` on every hidden cell's rows.

    The minimum is `config.min_group_survey` (Config refuses values below 3; checked again
    here because a privacy floor must not depend on who built the config object).
    """
    minimum = max(int(getattr(config, "min_group_survey", 5) or 5), 3)
    if kpis.is_empty():
        return kpis.with_columns(suppressed=pl.lit(False))
    return suppress(kpis, suppression_cells(kpis, minimum, dims, outcome_items))
