"""Synthetic tables in the exact schemas of docs/architecture.md, for the report tests.

Small on purpose: ORG + 2 departments + 4 divisions, FY2019–FY2024. Division DIV-FUKUSHI has its
FY2024 survey cells suppressed; its hidden values are distinctive (37.77, n=4) and exist only in
`kpis_raw()` (the pre-suppression copy), so a leak test can search every output for them.
"""

from __future__ import annotations

import math

import polars as pl

YEARS = list(range(2019, 2025))
WAVES = [2022, 2023, 2024]
DEPARTMENTS = {"DEP-SOMU": "総務部", "DEP-SHIMIN": "市民部"}
DIVISIONS = {
    "DIV-JINJI": ("人事課", "DEP-SOMU"),
    "DIV-ZAISEI": ("財政課", "DEP-SOMU"),
    "DIV-SHIMIN": ("市民課", "DEP-SHIMIN"),
    "DIV-FUKUSHI": ("福祉課", "DEP-SHIMIN"),
}
DIMENSIONS = ["業務量", "職場の人間関係", "成長機会"]
HIDDEN_UNIT = "DIV-FUKUSHI"
HIDDEN_VALUE = 37.77
HIDDEN_N = 4
HIDDEN_NUMERATOR = 1.5111  # distinctive too: only ever in kpis_raw()
CAPS = [
    "overtime_over_45h_month_staff",
    "overtime_over_100h_month_staff",
    "overtime_over_360h_year_staff",
    "overtime_over_720h_year_staff",
    "overtime_over_80h_avg_staff",
    "overtime_over_45h_7plus_months_staff",
]
KPI_BASE = {  # kpi: (unit, period_type, base, slope per year)
    "overtime_hours_per_staff": ("h", "fiscal_year", 160.0, -6.0),
    "annual_leave_days_per_staff": ("days", "leave_year", 11.0, 0.6),
    "female_manager_ratio": ("%", "snapshot", 12.0, 1.3),
    "e_approval_rate": ("%", "fiscal_year", 20.0, 11.0),
    "staff_satisfaction_rate": ("%", "wave", 55.0, 2.0),
    "engagement_index": ("score", "wave", 60.0, 1.5),
}
SCHEMA = {
    "kpi": pl.String,
    "breakdown": pl.String,
    "level": pl.String,
    "unit_code": pl.String,
    "unit_name": pl.String,
    "parent_code": pl.String,
    "period": pl.String,
    "period_type": pl.String,
    "year": pl.Int64,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "n": pl.Int64,
    "suppressed": pl.Boolean,
    "unit": pl.String,
    "view": pl.String,
}


def _units() -> list[tuple[str, str, str, str | None, int]]:
    """(level, code, name, parent, index) for every unit."""
    out = [("organisation", "ORG", "デモ市", None, 0)]
    out += [("department", c, n, None, i + 1) for i, (c, n) in enumerate(DEPARTMENTS.items())]
    out += [("division", c, n, p, i + 3) for i, (c, (n, p)) in enumerate(DIVISIONS.items())]
    return out


def _avoid(v: float) -> float:
    """Keep every ordinary value away from the hidden one, so '37.8' can only be a leak."""
    return v + 0.5 if 37.5 <= v < 38.1 else v


def _row(kpi, breakdown, unit, period, ptype, year, value, n, unit_sym) -> dict:
    level, code, name, parent, _ = unit
    num = None if value is None else round(value * n / 100, 4) if unit_sym == "%" else round(value * n, 4)
    num = None if num is None else _avoid(num)
    return {
        "kpi": kpi,
        "breakdown": breakdown,
        "level": level,
        "unit_code": code,
        "unit_name": name,
        "parent_code": parent,
        "period": period,
        "period_type": ptype,
        "year": year,
        "value": value,
        "numerator": num,
        "denominator": float(n),
        "n": n,
        "suppressed": False,
        "unit": unit_sym,
        "view": "restated",
    }


def _period(ptype: str, year: int) -> str:
    return str(year) if ptype == "leave_year" else f"FY{year}"


def kpis_raw() -> pl.DataFrame:
    """The KPI table BEFORE suppression (the hidden numbers are still in it)."""
    rows = []
    for unit in _units():
        idx = unit[4]
        size = 400 if unit[1] == "ORG" else 200 if unit[0] == "department" else 40 + 7 * idx
        for kpi, (u, ptype, base, slope) in KPI_BASE.items():
            years = WAVES if ptype == "wave" else YEARS
            for y in years:
                v = _avoid(round(base + slope * (y - 2019) + 1.37 * idx + 0.9 * math.sin(idx + y), 2))
                rows.append(_row(kpi, None, unit, _period(ptype, y), ptype, y, v, size, u))
        for j, cap in enumerate(CAPS):
            for y in YEARS:
                cnt = max(0, 9 - j - (y - 2019) + idx % 3)
                rows.append(
                    _row(cap, None, unit, f"FY{y}", "fiscal_year", y, round(100 * cnt / size, 2), size, "%")
                    | {"numerator": float(cnt)}
                )
        for d, dim in enumerate(DIMENSIONS):
            for y in WAVES:
                v = _avoid(round(48 + 4 * d + 2.1 * (y - 2022) + 1.9 * idx, 2))
                rows.append(_row("dimension_favourable", dim, unit, f"FY{y}", "wave", y, v, size, "%"))
    df = pl.DataFrame(rows, schema=SCHEMA)
    hidden = (
        (pl.col("unit_code") == HIDDEN_UNIT) & (pl.col("year") == 2024) & (pl.col("period_type") == "wave")
    )
    return df.with_columns(
        pl.when(hidden).then(pl.lit(HIDDEN_VALUE)).otherwise("value").alias("value"),
        pl.when(hidden).then(pl.lit(HIDDEN_N, pl.Int64)).otherwise("n").alias("n"),
        pl.when(hidden).then(pl.lit(HIDDEN_NUMERATOR)).otherwise("numerator").alias("numerator"),
    )


def kpis() -> pl.DataFrame:
    """The KPI table as the engine publishes it: suppressed cells carry no number."""
    df = kpis_raw()
    hidden = (
        (pl.col("unit_code") == HIDDEN_UNIT) & (pl.col("year") == 2024) & (pl.col("period_type") == "wave")
    )
    return df.with_columns(
        *[
            pl.when(hidden).then(None).otherwise(c).alias(c)
            for c in ("value", "numerator", "denominator", "n")
        ],
        pl.when(hidden).then(True).otherwise("suppressed").alias("suppressed"),
    )


PROGRESS_KPIS = {  # kpi: (baseline_year, target, target_year)
    "overtime_hours_per_staff": (2019, 120.0, 2027),
    "annual_leave_days_per_staff": (2019, 16.0, 2027),
    "female_manager_ratio": (2019, 30.0, 2030),
    "e_approval_rate": (2019, 90.0, 2025),
    "staff_satisfaction_rate": (2022, 70.0, 2027),
}


def progress(table: pl.DataFrame | None = None) -> pl.DataFrame:
    """A progress table for ORG (all plan KPIs) and DIV-JINJI (overtime), in the contract columns."""
    table = kpis() if table is None else table
    rows = []
    ratings = ["S", "A", "B", "A", "B"]
    for i, (kpi, (by, target, ty)) in enumerate(PROGRESS_KPIS.items()):
        for code in ("ORG", "DIV-JINJI") if kpi == "overtime_hours_per_staff" else ("ORG",):
            sub = table.filter((pl.col("kpi") == kpi) & (pl.col("unit_code") == code)).sort("year")
            base = sub.filter(pl.col("year") == by)["value"][0]
            for r in sub.iter_rows(named=True):
                if r["year"] < by:
                    continue
                traj = base + (target - base) * (r["year"] - by) / (ty - by)
                proj = r["value"] + (r["value"] - base) / max(1, r["year"] - by) * (ty - r["year"])
                rows.append(
                    {
                        "kpi": kpi,
                        "breakdown": None,
                        "level": r["level"],
                        "unit_code": code,
                        "unit_name": r["unit_name"],
                        "period": r["period"],
                        "year": r["year"],
                        "actual": r["value"],
                        "baseline": base,
                        "baseline_year": by,
                        "target": target,
                        "target_year": ty,
                        "comparator": "<=" if kpi.startswith("overtime") else ">=",
                        "trajectory": round(traj, 2),
                        "gap": round(r["value"] - traj, 2),
                        "pace_needed": 1.0,
                        "pace_so_far": 1.0,
                        "achieved": kpi == "e_approval_rate" and r["year"] == 2024,
                        "rating": ratings[i],
                        "rating_source": "suggested",
                        "tolerance": 0.05,
                        "projection": round(proj, 2),
                        "pi80_low": round(proj - 4, 2),
                        "pi80_high": round(proj + 4, 2),
                        "pi95_low": round(proj - 7, 2),
                        "pi95_high": round(proj + 7, 2),
                        "probability": 0.42 + 0.1 * i,
                        "year_reached": None,
                        "trend_note": "直近5年の線形トレンド",
                    }
                )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("year_reached").cast(pl.Int64), pl.col("breakdown").cast(pl.String)
    )


def changes() -> pl.DataFrame:
    """Wave changes FY2023→FY2024 by division × dimension; DIV-FUKUSHI suppressed."""
    rows = []
    for unit in _units():
        if unit[0] == "department":
            continue
        for d, dim in enumerate(DIMENSIONS):
            hidden = unit[1] == HIDDEN_UNIT
            diff = 2.1 + (3.0 if d == 0 else 0.0) * (1 if unit[4] % 2 else -2)
            sig = (not hidden) and abs(diff) > 4
            rows.append(
                {
                    "level": unit[0],
                    "unit_code": unit[1],
                    "unit_name": unit[2],
                    "scope": "dimension",
                    "key": dim,
                    "label": dim,
                    "wave_from": "FY2023",
                    "wave_to": "FY2024",
                    "fav_from": None if hidden else 50.0 + d,
                    "fav_to": None if hidden else 50.0 + d + diff,
                    "n_from": None if hidden else 30,
                    "n_to": None if hidden else 31,
                    "diff": None if hidden else diff,
                    "diff_low": None if hidden else diff - 3,
                    "diff_high": None if hidden else diff + 3,
                    "z": None if hidden else diff / 1.5,
                    "p_value": None if hidden else 0.01,
                    "q_value": None if hidden else (0.02 if sig else 0.3),
                    "significant": sig,
                    "suppressed": hidden,
                    "family": "dimension/divisions",
                    "method": "respondent_welch",
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("n_from").cast(pl.Int64), pl.col("n_to").cast(pl.Int64)
    )


def panel(table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Survey×HR panel built from the (suppressed) KPI table, divisions only."""
    table = kpis() if table is None else table
    cols = [
        "engagement_index",
        "staff_satisfaction_rate",
        "overtime_hours_per_staff",
        "annual_leave_days_per_staff",
        "e_approval_rate",
    ]
    sub = table.filter(
        pl.col("level") == "division",
        pl.col("kpi").is_in(cols),
        pl.col("breakdown").is_null(),
        pl.col("year").is_in(WAVES),
    )
    return sub.pivot("kpi", index=["unit_code", "unit_name", "year"], values="value").select(
        "unit_code", "unit_name", "year", *cols
    )


def association() -> dict:
    return {
        "x": "overtime_hours_per_staff",
        "y": "engagement_index",
        "n_units": 4,
        "r": -0.61,
        "r_low": -0.95,
        "r_high": 0.35,
        "slope": -0.2,
        "slope_low": -0.5,
        "slope_high": 0.1,
        "p_value": 0.12,
        "note_ja": "所属単位の相関であり、個人の関係を示すものではありません（生態学的誤謬に注意）。",
        "note_en": "Unit-level association; it says nothing about individuals (ecological fallacy).",
    }


def survey() -> dict:
    return {
        "changes": changes(),
        "panel": panel(),
        "association": association(),
        "reliability": pl.DataFrame(
            {
                "wave": ["FY2024"] * 3,
                "dimension": DIMENSIONS,
                "k_items": [3, 4, 3],
                "n": [300, 300, 300],
                "alpha": [0.81, 0.74, 0.62],
                "flag": [None, None, "low"],
            }
        ),
        "drivers": None,
    }


def quality() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": ["overtime_2024.csv", "leave_2024.xlsx", "survey_FY2024.csv"],
            "dataset": ["overtime", "leave", "survey"],
            "rows_read": [4800, 410, 9000],
            "rows_accepted": [4790, 410, 8990],
            "rows_rejected": [10, 0, 10],
            "rows_warned": [3, 0, 0],
            "status": ["loaded", "loaded", "loaded"],
            "message": ["", "", ""],
        }
    )


def rejects() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dataset": ["overtime", "overtime", "survey"],
            "file": ["overtime_2024.csv", "overtime_2024.csv", "survey_FY2024.csv"],
            "row": [12, 57, 33],
            "column": ["hours", "unit_code", "value"],
            "value": ["-3", '=HYPERLINK("http://evil")', "9"],
            "rule": ["range", "in_set", "range"],
            "message": ["時間がマイナスです", "不明な所属コード", "選択肢の範囲外"],
            "severity": ["error", "error", "error"],
        },
        schema_overrides={"row": pl.Int64},
    )


def references() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kpi": ["overtime_hours_per_staff"] * 4 + ["female_manager_ratio"] * 3,
            "year": [2020, 2021, 2022, 2023, 2021, 2022, 2023],
            "value": [150.2, 146.3, 140.9, 137.1, 16.2, 17.1, 18.4],
            "source": ["総務省 地方公務員の時間外勤務に関する実態調査"] * 4 + ["内閣府"] * 3,
        }
    )
