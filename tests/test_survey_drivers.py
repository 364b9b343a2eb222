"""Drivers: correlations against numpy, Pratt shares, and the fallback below 20 respondents."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.survey.drivers import drivers

_spec = importlib.util.spec_from_file_location(
    "survey_city", Path(__file__).parent / "fixtures/survey/city.py"
)
city = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(city)


@pytest.fixture(scope="module")
def out() -> pl.DataFrame:
    return drivers(city.datasets(), Config())


def test_organisation_correlation_matches_numpy(out):
    s = city.survey().filter(pl.col("wave") == "FY2024")
    wide = s.pivot(on="item_id", index="respondent_id", values="value").sort("respondent_id")
    sat = wide["Q1"].to_numpy().astype(float)
    q4_reversed = 5 - wide["Q4"].to_numpy().astype(float)  # 4-point reverse item: x → 5 − x
    org = {r["item_id"]: r for r in out.filter(pl.col("unit_code") == "ORG").iter_rows(named=True)}
    assert org["Q3"]["correlation"] == pytest.approx(np.corrcoef(sat, wide["Q3"].to_numpy())[0, 1])
    assert org["Q4"]["correlation"] == pytest.approx(np.corrcoef(sat, q4_reversed)[0, 1])
    assert org["Q3"]["n"] == 43 and not org["Q3"]["fallback"]
    assert sum(r["importance"] for r in org.values()) == pytest.approx(
        100.0
    )  # Pratt shares add to 100


def test_units_below_twenty_fall_back_to_the_organisation(out):
    org = out.filter(pl.col("unit_code") == "ORG").select("item_id", "correlation", "importance")
    for unit in ("A", "B", "C", "E", "F"):  # every division has < 20 respondents
        rows = out.filter(pl.col("unit_code") == unit)
        assert rows["fallback"].all() and rows["note"].str.contains("20人未満").all()
        assert rows.select("item_id", "correlation", "importance").equals(org)
    d1 = out.filter(pl.col("unit_code") == "D1")  # 23 respondents: own drivers
    assert (~d1["fallback"]).all() and d1["n"].to_list() == [23, 23, 23]
    assert set(out["item_id"]) == {"Q3", "Q4", "Q5"}  # outcome items are not drivers
