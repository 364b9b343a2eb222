"""Small hand-made canonical frames shared by the KPI engine tests (tests/test_kpis_*.py).

Organisation (fiscal years):
  D1 総務部 (department)      : A 人事課; B 財政課 + B2 契約課 until FY2023, merged into C 財務課 from FY2024
                                ; X3 企画課 from FY2024
  D2 市民部 (department)      : E 市民課; X1 広報課 FY2020-21 → X2 広聴課 FY2022-23 → X3 (moves to D1)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

ORG_UNITS = pl.DataFrame(
    {
        "unit_code": ["D1", "D2", "A", "B", "B2", "C", "E", "X1", "X2", "X3"],
        "unit_name": ["総務部", "市民部", "人事課", "財政課", "契約課", "財務課", "市民課", "広報課",
                      "広聴課", "企画課"],
        "parent_code": [None, None, "D1", "D1", "D1", "D1", "D2", "D2", "D2", "D1"],
        "valid_from_fy": [2020, 2020, 2020, 2020, 2020, 2024, 2020, 2020, 2022, 2024],
        "valid_to_fy": [None, None, None, 2023, 2023, None, None, 2021, 2023, None],
        "successor_code": [None, None, None, "C", "C", None, None, "X2", "X3", None],
    },
    schema={"unit_code": pl.String, "unit_name": pl.String, "parent_code": pl.String,
            "valid_from_fy": pl.Int64, "valid_to_fy": pl.Int64, "successor_code": pl.String},
)


def months(fy: int, first: int = 4, count: int = 12) -> list[dt.date]:
    """`count` consecutive months of fiscal year `fy` starting at calendar month `first`."""
    start = (fy if first >= 4 else fy + 1) * 12 + first - 1
    return [dt.date((start + i) // 12, (start + i) % 12 + 1, 1) for i in range(count)]


def overtime(rows: list[tuple[str, dt.date, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"staff_id": pl.String, "month": pl.Date, "unit_code": pl.String,
                                      "hours": pl.Float64}, orient="row")


def staff_months(staff_id: str, unit: str, dates: list[dt.date], hours: float | list[float]) -> list[tuple]:
    hs = hours if isinstance(hours, list) else [hours] * len(dates)
    return [(staff_id, d, unit, float(h)) for d, h in zip(dates, hs, strict=True)]


def get(table: pl.DataFrame, kpi: str, unit_code: str, period: str, breakdown: str | None = None) -> dict:
    """The single KPI-table row for a KPI, unit and period (fails loudly if not exactly one)."""
    f = table.filter((pl.col("kpi") == kpi) & (pl.col("unit_code") == unit_code)
                     & (pl.col("period") == period))
    f = f.filter(pl.col("breakdown").is_null() if breakdown is None else pl.col("breakdown") == breakdown)
    assert f.height == 1, f"expected one row for {kpi}/{unit_code}/{period}/{breakdown}, got {f.height}"
    return f.row(0, named=True)
