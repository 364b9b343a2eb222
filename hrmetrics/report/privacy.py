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

from hrmetrics.orgs import ORG_CODE as ORG
from hrmetrics.schemas import CHANGE_NUMBERS, KPI_NUMBERS


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


def scrub_drivers(drivers: pl.DataFrame, kpis: pl.DataFrame) -> pl.DataFrame:
    """Drop a unit's own drivers (correlations, importance) in a wave where any of its survey
    cells is hidden: they are computed from those very answers. Fallback rows stay."""
    if drivers.is_empty() or "wave" not in drivers.columns:
        return drivers
    hidden = (
        kpis.filter(pl.col("kpi").str.starts_with("item_") & pl.col("suppressed").fill_null(False))
        .select("unit_code", wave="period").unique()
    )
    own = ~pl.col("fallback").fill_null(False)
    return drivers.join(hidden.with_columns(_h=pl.lit(True)), on=["unit_code", "wave"], how="left").filter(
        ~(own & pl.col("_h").fill_null(False))).drop("_h")


def scope_to_unit(df: pl.DataFrame | None, unit_code: str) -> pl.DataFrame | None:
    """Rows of one division plus the organisation totals; everything else is dropped."""
    if df is None or "unit_code" not in df.columns:
        return None
    return df.filter(pl.col("unit_code").is_in([unit_code, ORG]))


MAX_STEM = 64
"""Longest file stem written for a unit: far below every file system's 255-byte name limit,
leaving room for the suffix and for the folder path on Windows."""
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                       *(f"LPT{i}" for i in range(10))})
"""Device names that Windows will not open as files, whatever the extension or case."""


def safe_filename(code: str) -> str:
    """A file stem made only of [A-Za-z0-9_-], at most MAX_STEM characters, never a Windows
    device name. A code that had to be altered (characters replaced, cut, or reserved) gets a
    hash of the original, so two codes never share a file and a plain code keeps its own name."""
    code = str(code)
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", code)
    if stem == code and stem.strip("_-") and len(stem) <= MAX_STEM and stem.upper() not in _RESERVED:
        return stem
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem.strip('_-')[:MAX_STEM - 9] or 'unit'}_{digest}"


def safe_child(directory: Path, code: str, suffix: str) -> Path:
    """`directory/<safe code><suffix>`, refusing anything that would resolve outside `directory`."""
    base = directory.resolve()
    path = (base / f"{safe_filename(code)}{suffix}").resolve()
    if path.parent != base:
        raise ValueError(f"unsafe file name for unit code {code!r}")
    return path


