"""Survey KPIs against hand-computed values, and Cronbach's alpha on a tiny matrix."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.survey.drivers import reliability
from hrmetrics.survey.scores import KPI_SCHEMA, survey_kpis


def _tiny() -> dict[str, pl.DataFrame]:
    # Q2 is listed first and is an outcome item, but Q1's text says 満足: Q1 is the satisfaction item.
    items = pl.DataFrame(
        {
            "wave": ["FY2024"] * 2,
            "item_id": ["Q2", "Q1"],
            "text": ["仕事にやりがいを感じない", "総合的に満足している"],
            "dimension": ["総合", "総合"],
            "scale_points": [5, 5],
            "reverse": [True, False],
            "role": ["outcome", "outcome"],
        }
    )
    q1 = [5, 4, 4, 3, 2, 1]
    q2 = [1, 1, 2, 5, 4, None]  # reverse-coded: 5, 5, 4, 1, 2, (skipped)
    rows = [("FY2024", f"R{i}", "X", "Q1", v) for i, v in enumerate(q1)]
    rows += [("FY2024", f"R{i}", "X", "Q2", v) for i, v in enumerate(q2)]
    survey = pl.DataFrame(
        rows, schema=["wave", "respondent_id", "unit_code", "item_id", "value"], orient="row"
    )
    staff = pl.DataFrame(
        {
            "as_of": [date(2024, 4, 1)] * 8 + [date(2024, 10, 1)] * 3,
            "staff_id": [f"S{i}" for i in range(11)],
            "unit_code": ["X"] * 11,
        }
    )
    return {"survey_items": items, "survey": survey, "staff": staff}


@pytest.fixture(scope="module")
def kpis() -> pl.DataFrame:
    return survey_kpis(_tiny(), Config())


def _get(k: pl.DataFrame, kpi: str, breakdown: str | None = None) -> dict:
    f = k.filter(pl.col("kpi") == kpi, pl.col("unit_code") == "ORG")
    f = f.filter(
        pl.col("breakdown").is_null() if breakdown is None else pl.col("breakdown") == breakdown
    )
    return f.row(0, named=True)


def test_schema_and_period(kpis):
    assert dict(kpis.schema) == KPI_SCHEMA
    row = _get(kpis, "item_favourable", "Q1")
    assert (row["period"], row["period_type"], row["year"], row["view"]) == (
        "FY2024",
        "wave",
        2024,
        "restated",
    )


def test_item_shares_mean_sd_score(kpis):
    # Q1 = 5,4,4,3,2,1: favourable {5,4,4} = 3/6 = 50%, neutral {3} = 1/6, unfavourable {2,1} = 2/6.
    assert _get(kpis, "item_favourable", "Q1")["value"] == pytest.approx(50.0)
    assert _get(kpis, "item_neutral", "Q1")["value"] == pytest.approx(100 / 6)
    assert _get(kpis, "item_unfavourable", "Q1")["value"] == pytest.approx(200 / 6)
    # mean = 19/6; score = (19/6 − 1)/4 × 100 = 54.1667
    assert _get(kpis, "item_mean", "Q1")["value"] == pytest.approx(19 / 6)
    assert _get(kpis, "item_score", "Q1")["value"] == pytest.approx((19 / 6 - 1) / 4 * 100)
    # Σx² = 71, var = (71 − 6·(19/6)²)/5 = (65/6)/5 = 13/6
    assert _get(kpis, "item_sd", "Q1")["value"] == pytest.approx(math.sqrt(13 / 6))
    assert _get(kpis, "item_favourable", "Q1")["n"] == 6


def test_reverse_coded_item(kpis):
    # Q2 raw 1,1,2,5,4 → reversed 5,5,4,1,2 (n = 5, one skip): favourable 3/5 = 60%, mean 17/5.
    row = _get(kpis, "item_favourable", "Q2")
    assert (row["value"], row["numerator"], row["denominator"], row["n"]) == (
        pytest.approx(60.0),
        3,
        5,
        5,
    )
    assert _get(kpis, "item_mean", "Q2")["value"] == pytest.approx(3.4)
    assert _get(kpis, "item_score", "Q2")["value"] == pytest.approx(60.0)  # (3.4 − 1)/4 × 100


def test_satisfaction_engagement_dimension_response(kpis):
    assert _get(kpis, "staff_satisfaction_rate")["value"] == pytest.approx(
        50.0
    )  # Q1, not the first-listed Q2
    # per respondent (Q1, Q2 reversed, rescaled): (100+100)/2, (75+100)/2, (75+75)/2, (50+0)/2, (25+25)/2, 0
    # = 100, 87.5, 75, 25, 25, 0 → 312.5 / 6
    eng = _get(kpis, "engagement_index")
    assert eng["value"] == pytest.approx(312.5 / 6) and eng["n"] == 6
    # dimension 総合: favourable 3 + 3 of 11 answers; rescaled sums 325 (Q1) + 300 (Q2) over 11 answers
    assert _get(kpis, "dimension_favourable", "総合")["value"] == pytest.approx(6 / 11 * 100)
    assert _get(kpis, "dimension_score", "総合")["value"] == pytest.approx(625 / 11)
    # 6 respondents ÷ 8 staff on 2024-04-01 (the October snapshot does not count)
    rr = _get(kpis, "survey_response_rate")
    assert (rr["value"], rr["numerator"], rr["denominator"]) == (pytest.approx(75.0), 6, 8)


def test_small_organisation_is_suppressed():
    ds = _tiny()
    ds["survey"] = ds["survey"].filter(pl.col("respondent_id").is_in(["R0", "R1", "R2", "R3"]))
    k = survey_kpis(ds, Config())
    assert k["suppressed"].all()
    assert k.select("value", "numerator", "denominator", "n").null_count().row(0) == (k.height,) * 4


def test_min_group_never_below_three():
    with pytest.raises(ValueError):
        Config(min_group_survey=2)


def test_cronbach_alpha_by_hand():
    # 4 respondents × 3 items:  (1,2,2) (2,2,3) (3,4,3) (4,5,5)
    # item variances (ddof 1): 5/3, 6.75/3, 4.75/3 → Σ = 16.5/3 = 5.5
    # totals 5, 7, 10, 14 (mean 9): SS = 16+4+1+25 = 46 → var 46/3
    # α = 3/2 · (1 − 5.5/(46/3)) = 1.5 · (1 − 16.5/46) = 0.961957
    m = [(1, 2, 2), (2, 2, 3), (3, 4, 3), (4, 5, 5)]
    rows = [("FY2024", f"R{i}", "X", f"I{j}", v) for i, r in enumerate(m) for j, v in enumerate(r)]
    survey = pl.DataFrame(
        rows, schema=["wave", "respondent_id", "unit_code", "item_id", "value"], orient="row"
    )
    items = pl.DataFrame(
        {
            "wave": ["FY2024"] * 3,
            "item_id": ["I0", "I1", "I2"],
            "text": ["a", "b", "c"],
            "dimension": ["D"] * 3,
            "scale_points": [5] * 3,
            "reverse": [False] * 3,
            "role": ["driver"] * 3,
        }
    )
    out = reliability({"survey": survey, "survey_items": items}, Config()).row(0, named=True)
    assert out["alpha"] == pytest.approx(1.5 * (1 - 16.5 / 46))
    assert (out["k_items"], out["n"], out["flag"]) == (3, 4, False)


def test_restated_view_moves_a_merged_division_into_its_successor():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "survey_city", Path(__file__).parent / "fixtures/survey/city.py"
    )
    city = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(city)
    org = city.org_units().with_columns(
        valid_to_fy=pl.when(pl.col("unit_code") == "C").then(2023).otherwise(pl.col("valid_to_fy")),
        successor_code=pl.when(pl.col("unit_code") == "C")
        .then(pl.lit("A"))
        .otherwise(pl.col("successor_code")),
    )
    ds = {
        "org_units": org,
        "survey_items": city.survey_items(("FY2023",)),
        "survey": city.survey(("FY2023",)),
    }
    n = {}
    for view in ("restated", "as_was"):
        # minimum 3 so that no unit is suppressed and the counts can be compared
        k = survey_kpis(ds, Config(min_group_survey=3), view=view)
        k = k.filter(pl.col("kpi") == "engagement_index")
        n[view] = {r["unit_code"]: r["n"] for r in k.iter_rows(named=True)}
    # A has 12 respondents and C 8: restated, A carries both (20) and C is gone
    assert n["restated"]["A"] == 20 and "C" not in n["restated"]
    assert n["as_was"]["A"] == 12 and n["as_was"]["C"] == 8
