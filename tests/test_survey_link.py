"""Survey × HR panel and the association measure against scipy and a hand Fisher z."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from hrmetrics.survey.link import association, survey_hr_panel
from hrmetrics.survey.scores import KPI_SCHEMA

OT = [120.0, 150.0, 180.0, 200.0, 240.0, 260.0]
ENG = [70.0, 66.0, 61.0, 63.0, 52.0, 50.0]


def _kpis() -> pl.DataFrame:
    rows = []
    for i, (ot, eng) in enumerate(zip(OT, ENG, strict=True)):
        for kpi, v, period_type in (
            ("overtime_hours_per_staff", ot, "fiscal_year"),
            ("engagement_index", eng, "wave"),
        ):
            rows.append(
                {
                    "kpi": kpi,
                    "breakdown": None,
                    "level": "division",
                    "unit_code": f"U{i}",
                    "unit_name": f"U{i}課",
                    "parent_code": "D",
                    "period": "FY2024",
                    "period_type": period_type,
                    "year": 2024,
                    "value": v,
                    "numerator": None,
                    "denominator": None,
                    "n": 10,
                    "suppressed": False,
                    "unit": "h",
                    "view": "restated",
                }
            )
    rows.append(
        {**rows[-1], "unit_code": "U9", "value": None, "suppressed": True}
    )  # never enters the panel
    return pl.DataFrame(rows, schema=KPI_SCHEMA)


def test_panel_and_association():
    panel = survey_hr_panel(_kpis())
    assert panel.height == 6 and "U9" not in panel["unit_code"].to_list()
    a = association(panel)
    r, p = stats.pearsonr(OT, ENG)
    assert a["r"] == pytest.approx(r) and a["p_value"] == pytest.approx(p) and a["n_units"] == 6
    z, se = math.atanh(r), 1 / math.sqrt(6 - 3)  # Fisher z, se = 1/√(n−3)
    assert a["r_low"] == pytest.approx(math.tanh(z - 1.959964 * se), rel=1e-5)
    assert a["r_high"] == pytest.approx(math.tanh(z + 1.959964 * se), rel=1e-5)
    lr = stats.linregress(OT, ENG)
    t = stats.t.ppf(0.975, 6 - 2)
    assert a["slope"] == pytest.approx(lr.slope)
    assert a["slope_low"] == pytest.approx(lr.slope - t * lr.stderr)
    assert a["slope_high"] == pytest.approx(lr.slope + t * lr.stderr)
    assert "因果" in a["note_ja"] and "ecological" in a["note_en"]


def test_too_few_units():
    a = association(survey_hr_panel(_kpis()).head(2))
    assert a["r"] is None and a["n_units"] == 2
