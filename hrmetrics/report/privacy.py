"""Privacy guards applied before anything is built: scrub suppressed numbers, scope manager packs,
keep file names inside their folder, neutralise spreadsheet formulas.

Hiding a number in a chart is not enough (the data travels with the chart), so every guard here
works on the tables themselves.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl

from hrmetrics.schemas import CHANGE_NUMBERS, KPI_NUMBERS

ORG = "ORG"


def _null_where_suppressed(df: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """Null the numeric columns of suppressed rows, whatever the producer left in them."""
    if "suppressed" not in df.columns:
        return df
    flag = pl.col("suppressed").fill_null(False)
    present = [c for c in columns if c in df.columns]
    return df.with_columns([pl.when(flag).then(None).otherwise(pl.col(c)).alias(c) for c in present])


def scrub_kpis(kpis: pl.DataFrame) -> pl.DataFrame:
    """The KPI table with no number left in a suppressed row (defence in depth)."""
    return _null_where_suppressed(kpis, KPI_NUMBERS)


def scrub_changes(changes: pl.DataFrame) -> pl.DataFrame:
    """Wave changes with suppressed comparisons carrying no shares, counts or test results."""
    out = _null_where_suppressed(changes, CHANGE_NUMBERS)
    if "significant" in out.columns and "suppressed" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("suppressed").fill_null(False))
            .then(False)
            .otherwise(pl.col("significant"))
            .alias("significant")
        )
    return out


def scrub_panel(panel: pl.DataFrame, kpis: pl.DataFrame) -> pl.DataFrame:
    """Null survey columns of the survey×HR panel where the KPI table says the cell is suppressed."""
    out = panel
    for kpi in ("engagement_index", "staff_satisfaction_rate"):
        if kpi not in out.columns:
            continue
        hidden = (
            kpis.filter(
                (pl.col("kpi") == kpi) & pl.col("suppressed").fill_null(False) & pl.col("breakdown").is_null()
            )
            .select("unit_code", "year")
            .unique()
            .with_columns(pl.lit(True).alias("_hidden"))
        )
        out = (
            out.join(hidden, on=["unit_code", "year"], how="left")
            .with_columns(
                pl.when(pl.col("_hidden").fill_null(False)).then(None).otherwise(pl.col(kpi)).alias(kpi)
            )
            .drop("_hidden")
        )
    return out


def scope_to_unit(df: pl.DataFrame | None, unit_code: str) -> pl.DataFrame | None:
    """Rows of one division plus the organisation totals; everything else is dropped."""
    if df is None or "unit_code" not in df.columns:
        return None
    return df.filter(pl.col("unit_code").is_in([unit_code, ORG]))


def safe_filename(code: str) -> str:
    """A file stem made only of [A-Za-z0-9_-]; altered codes get a short hash to stay unique."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", code)
    if stem != code or not stem.strip("_-"):
        stem = f"{stem.strip('_-')[:40] or 'unit'}_{hashlib.sha256(code.encode()).hexdigest()[:8]}"
    return stem


def safe_child(directory: Path, code: str, suffix: str) -> Path:
    """`directory/<safe code><suffix>`, refusing anything that would resolve outside `directory`."""
    base = directory.resolve()
    path = (base / f"{safe_filename(code)}{suffix}").resolve()
    if path.parent != base:
        raise ValueError(f"unsafe file name for unit code {code!r}")
    return path


