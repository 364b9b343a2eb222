"""CSV (UTF-8 with BOM, for Excel on Windows) and Parquet exports of the report tables.

CSV text is neutralised against formula injection; Parquet keeps the data as is (it is not
opened by a spreadsheet), but both are written from the scrubbed tables.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from hrmetrics.spreadsheet_safety import neutralise_frame


def write_csv(df: pl.DataFrame, path: Path) -> Path:
    """UTF-8 with BOM so Excel opens Japanese text correctly; formulas neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = neutralise_frame(df).write_csv()
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def write_parquet(df: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(path)
    return path
