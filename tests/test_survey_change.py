"""Wave change: pooled z test, Newcomb interval and BH q-values checked by hand / scipy."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from hrmetrics.config import Config
from hrmetrics.survey.change import (
    _newcomb_z,
    ratio_stats,
    trend_keys,
    wave_changes,
    welch_difference,
)
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


# --------------------------------------------------------------------------- respondent as the unit


def _clustered(rng, reps: int, n: int, mean: float, kappa: float, items: int = 5) -> pl.DataFrame:
    """`rep, f, a` per respondent: each person has their own favourable propensity pᵢ ~ Beta
    (mean, concentration κ: intra-class correlation 1/(κ+1)) and answers ~90% of the items."""
    p = rng.beta(mean * kappa, (1 - mean) * kappa, size=(reps, n))
    a = np.maximum(rng.binomial(items, 0.9, size=(reps, n)), 1)
    f = rng.binomial(a, p)
    return pl.DataFrame({"rep": np.repeat(np.arange(reps), n), "f": f.ravel(), "a": a.ravel()})


def test_respondent_intervals_cover_95_percent_on_clustered_data():
    """Nominal 95% intervals of a dimension change cover the true change 93–97% of the time
    when answers cluster within people (ICC 0.25, 40 respondents × 5 items per wave); the old
    answers-as-independent interval covers far less."""
    rng = np.random.default_rng(20261203)
    reps, n, true_diff = 1000, 40, 7.0
    s0 = ratio_stats(_clustered(rng, reps, n, 0.55, 3.0), ["rep"]).sort("rep")
    s1 = ratio_stats(_clustered(rng, reps, n, 0.62, 3.0), ["rep"]).sort("rep")
    arr = [s[c].cast(pl.Float64).to_numpy() for s in (s0, s1) for c in ("share", "var", "n_resp")]
    res = welch_difference(*arr)
    covered = (res["diff_low"] <= true_diff) & (true_diff <= res["diff_high"])
    coverage = float(covered.mean())
    print(f"coverage {coverage:.3f}")
    assert 0.93 <= coverage <= 0.97, coverage
    # the answers-as-independent (Newcomb on pooled answers) interval, for contrast
    g0 = _clustered(np.random.default_rng(1), 300, n, 0.55, 3.0).group_by("rep").agg(
        pl.col("f").sum(), pl.col("a").sum()).sort("rep")
    g1 = _clustered(np.random.default_rng(2), 300, n, 0.62, 3.0).group_by("rep").agg(
        pl.col("f").sum(), pl.col("a").sum()).sort("rep")
    naive = [
        _newcomb_z(c1, n1, c0, n0)
        for c1, n1, c0, n0 in zip(g1["f"], g1["a"], g0["f"], g0["a"], strict=True)
    ]
    naive_cov = float(np.mean([lo <= true_diff <= hi for lo, hi, _, _ in naive]))
    print(f"answers-as-independent coverage {naive_cov:.3f}")
    assert naive_cov < 0.88, naive_cov  # 0.843 with these seeds


def test_respondent_welch_by_hand():
    """Two respondents answering different numbers of items: the ratio share, linearised
    variance and Welch interval computed by hand."""
    # wave 0: (f, a) = (2,3), (0,2), (3,3), (1,2), (2,2)   wave 1: (3,3), (2,3), (3,3), (2,2), (1,2)
    w0 = pl.DataFrame({"g": ["x"] * 5, "f": [2, 0, 3, 1, 2], "a": [3, 2, 3, 2, 2]})
    w1 = pl.DataFrame({"g": ["x"] * 5, "f": [3, 2, 3, 2, 1], "a": [3, 3, 3, 2, 2]})

    def hand(f: list[int], a: list[int]) -> tuple[float, float]:
        r = sum(f) / sum(a)
        abar = sum(a) / len(a)
        z = [(fi - r * ai) / abar for fi, ai in zip(f, a, strict=True)]
        n = len(f)
        return r * 100, sum(zi * zi for zi in z) / ((n - 1) * n) * 10_000

    r0, v0 = hand([2, 0, 3, 1, 2], [3, 2, 3, 2, 2])
    r1, v1 = hand([3, 2, 3, 2, 1], [3, 3, 3, 2, 2])
    s0, s1 = ratio_stats(w0, ["g"]), ratio_stats(w1, ["g"])
    assert s0["share"][0] == pytest.approx(r0) and s0["var"][0] == pytest.approx(v0)
    assert s1["share"][0] == pytest.approx(11 / 13 * 100)  # 11 favourable of 13 answers
    assert s1["share"][0] == pytest.approx(r1)
    res = welch_difference(*(np.array([x]) for x in (r0, v0, 5.0, r1, v1, 5.0)))
    df = (v0 + v1) ** 2 / (v0**2 / 4 + v1**2 / 4)
    half = stats.t.ppf(0.975, df) * math.sqrt(v0 + v1)
    assert res["diff"][0] == pytest.approx(r1 - r0)
    assert res["diff_low"][0] == pytest.approx(r1 - r0 - half)
    assert res["diff_high"][0] == pytest.approx(r1 - r0 + half)
    assert res["p_value"][0] == pytest.approx(
        2 * stats.t.sf(abs(r1 - r0) / math.sqrt(v0 + v1), df))


def test_dimension_changes_from_answers_use_respondents_and_families():
    """From the datasets, a dimension change is tested on respondents (Welch), its share equals
    the KPI table's, and q-values are computed per family (heatmap vs items)."""
    rows = []
    answers = {  # respondent → two items of dimension D (5-point)
        "FY2023": [(5, 4), (2, 2), (4, 5), (3, 2), (4, 4), (1, 2)],
        "FY2024": [(5, 5), (4, 4), (4, 5), (2, 3), (5, 4), (4, 2)],
    }
    for wave, people in answers.items():
        for i, (q1, q2) in enumerate(people):
            for item, v in (("Q1", q1), ("Q2", q2)):
                rows.append({"wave": wave, "respondent_id": f"{wave}-{i}", "unit_code": "A",
                             "item_id": item, "value": v})
    items = pl.DataFrame({
        "wave": ["FY2023", "FY2023", "FY2024", "FY2024"], "item_id": ["Q1", "Q2"] * 2,
        "text": ["仕事にやりがいがある", "職場で支え合っている"] * 2, "dimension": ["D"] * 4,
        "scale_points": [5] * 4, "reverse": [False] * 4, "role": ["driver"] * 4,
    })
    src = {"survey": pl.DataFrame(rows), "survey_items": items}
    out = wave_changes(src, Config())
    dim = out.filter(pl.col("scope") == "dimension", pl.col("level") == "division").row(0, named=True)
    assert dim["method"] == "respondent_welch" and dim["family"] == "dimension/divisions"
    assert dim["fav_from"] == pytest.approx(6 / 12 * 100) and dim["fav_to"] == pytest.approx(9 / 12 * 100)
    # every respondent answered both items: Welch on the respondents' own favourable shares
    s0 = np.array([2, 0, 2, 0, 2, 0]) / 2  # favourable = 4 or 5
    s1 = np.array([2, 2, 2, 0, 2, 1]) / 2
    welch = stats.ttest_ind(s1, s0, equal_var=False)
    assert dim["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert set(out["family"].unique()) == {"dimension/divisions", "item/divisions"}
    items_q = out.filter(pl.col("family") == "item/divisions")
    assert items_q.height == 4  # Q1, Q2 × organisation, division: BH over these 4 only
