"""Wave change: pooled z test, Newcomb interval and BH q-values checked by hand / scipy."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from hrmetrics.config import Config
from hrmetrics.survey.change import trend_keys, wave_changes
from hrmetrics.survey.scores import KPI_SCHEMA

# unit, item, (fav, n) in FY2023, (fav, n) in FY2024
CELLS = [
    ("A", "Q1", (312, 480), (355, 500)),
    ("A", "Q2", (40, 100), (60, 100)),
    ("B", "Q1", (20, 50), (22, 50)),
    ("B", "Q2", (30, 60), (45, 60)),
]


def _kpis(suppress_b_q2: bool = False) -> pl.DataFrame:
    rows = []
    for unit, item, old, new in CELLS:
        for period, (fav, n) in (("FY2023", old), ("FY2024", new)):
            hidden = suppress_b_q2 and unit == "B" and item == "Q2" and period == "FY2023"
            rows.append(
                {
                    "kpi": "item_favourable",
                    "breakdown": item,
                    "level": "division",
                    "unit_code": unit,
                    "unit_name": unit,
                    "parent_code": None,
                    "period": period,
                    "period_type": "wave",
                    "year": int(period[2:]),
                    "value": None if hidden else fav / n * 100,
                    "numerator": None if hidden else fav,
                    "denominator": None if hidden else n,
                    "n": None if hidden else n,
                    "suppressed": hidden,
                    "unit": "%",
                    "view": "restated",
                }
            )
    return pl.DataFrame(rows, schema=KPI_SCHEMA)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_z_newcomb_and_bh_by_hand():
    out = wave_changes(_kpis(), Config()).sort("unit_code", "key")
    assert out.height == 4 and not out["suppressed"].any()
    zc = stats.norm.ppf(0.975)
    p_hand = []
    for (unit, item, (f0, n0), (f1, n1)), row in zip(
        sorted(CELLS), out.iter_rows(named=True), strict=True
    ):
        assert (row["unit_code"], row["key"]) == (unit, item)
        p0, p1 = f0 / n0, f1 / n1
        pooled = (f0 + f1) / (n0 + n1)  # pooled p under H0
        se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        z = (p1 - p0) / se  # sign: later − earlier
        p = 2 * stats.norm.sf(abs(z))
        p_hand.append(p)
        assert row["diff"] == pytest.approx((p1 - p0) * 100)
        assert row["z"] == pytest.approx(z, rel=1e-9) and row["p_value"] == pytest.approx(
            p, rel=1e-9
        )
        # Newcomb hybrid score: d − √((p1−l1)² + (u0−p0)²), d + √((u1−p1)² + (p0−l0)²)
        l1, u1 = _wilson(f1, n1, zc)
        l0, u0 = _wilson(f0, n0, zc)
        d = p1 - p0
        assert row["diff_low"] == pytest.approx(
            (d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)) * 100, rel=1e-6
        )
        assert row["diff_high"] == pytest.approx(
            (d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)) * 100, rel=1e-6
        )
    # Benjamini–Hochberg by hand: sort p, q(i) = min over j ≥ i of p(j)·m/j
    m = len(p_hand)
    order = sorted(range(m), key=lambda i: p_hand[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_hand[i] * m / rank)
        q[i] = running
    assert out["q_value"].to_list() == pytest.approx(q, rel=1e-9)
    assert out["significant"].to_list() == [qq < 0.05 for qq in q]


def test_suppressed_cell_gives_no_numbers():
    out = wave_changes(_kpis(suppress_b_q2=True), Config())
    hidden = out.filter(pl.col("unit_code") == "B", pl.col("key") == "Q2").row(0, named=True)
    assert hidden["suppressed"]
    assert all(
        hidden[c] is None
        for c in ("fav_from", "fav_to", "n_from", "n_to", "diff", "p_value", "q_value")
    )
    # BH now runs over the 3 visible cells only
    assert out.filter(~pl.col("suppressed")).height == 3


def test_reworded_items_are_not_compared_unless_mapped():
    items = pl.DataFrame(
        {
            "wave": ["FY2023", "FY2023", "FY2024", "FY2024"],
            "item_id": ["Q1", "Q2", "Q1", "Q2b"],
            "text": ["満足している", "上司は支援的だ", "とても満足している", "上司は支援的である"],
            "dimension": ["総合", "上司", "総合", "上司"],
            "scale_points": [5] * 4,
            "reverse": [False] * 4,
            "role": ["outcome", "driver", "outcome", "driver"],
            "equivalent_to": [None, None, None, "Q2"],
        }
    )
    tk = trend_keys(items)
    keys = {f"{w}:{i}": k for w, i, k in tk.select("wave", "item_id", "trend_key").iter_rows()}
    assert keys["FY2023:Q1"] != keys["FY2024:Q1"]  # same id, new wording → new series
    assert keys["FY2023:Q2"] == keys["FY2024:Q2b"]  # mapped by equivalent_to
