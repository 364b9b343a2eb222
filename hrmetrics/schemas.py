"""The column contracts every stage shares (docs/architecture.md), declared once.

The long KPI table is the spine every output reads and the rejects table is what every check
reports into; modules that write either cast to these so a drift shows up as an error, not as a
silently different column.
"""

from __future__ import annotations

import polars as pl

KPI_SCHEMA: dict[str, pl.DataType] = {
    "kpi": pl.String(),
    "breakdown": pl.String(),
    "level": pl.String(),
    "unit_code": pl.String(),
    "unit_name": pl.String(),
    "parent_code": pl.String(),
    "period": pl.String(),
    "period_type": pl.String(),
    "year": pl.Int64(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "n": pl.Int64(),
    "suppressed": pl.Boolean(),
    "unit": pl.String(),
    "view": pl.String(),
}
"""One row per KPI × breakdown × unit × period."""

SURVEY_ITEMS_SCHEMA: dict[str, pl.DataType] = {
    "wave": pl.String(),
    "item_id": pl.String(),
    "text": pl.String(),
    "dimension": pl.String(),
    "scale_points": pl.Int64(),
    "reverse": pl.Boolean(),
    "role": pl.String(),
    "equivalent_to": pl.String(),
}
"""The item master (設問マスタ) as canonical frames: the demo city's and the one derived from an export."""

KPI_NUMBERS = ("value", "numerator", "denominator", "n")
"""The KPI-table columns that carry numbers: all null on a suppressed row."""

REJECTS_SCHEMA: pl.Schema = pl.Schema({
    "dataset": pl.String(),
    "file": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "rule": pl.String(),
    "message": pl.String(),
    "severity": pl.String(),
})
"""One row per failed check: `severity` is error (row rejected), warning (kept) or refused (file)."""


CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "unit_code": pl.String(),
    "unit_name": pl.String(),
    "scope": pl.String(),
    "key": pl.String(),
    "label": pl.String(),
    "wave_from": pl.String(),
    "wave_to": pl.String(),
    "fav_from": pl.Float64(),
    "fav_to": pl.Float64(),
    "n_from": pl.Int64(),
    "n_to": pl.Int64(),
    "diff": pl.Float64(),
    "diff_low": pl.Float64(),
    "diff_high": pl.Float64(),
    "z": pl.Float64(),
    "p_value": pl.Float64(),
    "q_value": pl.Float64(),
    "significant": pl.Boolean(),
    "suppressed": pl.Boolean(),
    "family": pl.String(),
    "method": pl.String(),
}
"""One row per unit × item or dimension × pair of waves (survey.change.wave_changes).

`family` is the Benjamini–Hochberg family the q-value was computed in (``dimension/divisions``
is the survey heatmap); `method` is ``newcomb`` (items) or ``respondent_welch`` (dimensions)."""

CHANGE_NUMBERS = tuple(c for c, t in CHANGE_SCHEMA.items()
                       if t in (pl.Float64(), pl.Int64()))
"""The wave-change columns that carry numbers: all null on a suppressed comparison."""


def empty_rejects() -> pl.DataFrame:
    """A rejects table with no rows (so concatenation never meets a schema mismatch)."""
    return pl.DataFrame(schema=REJECTS_SCHEMA)
