"""The survey section's drivers and reliability tables, in the organisation report and a pack."""

from __future__ import annotations

import polars as pl

from hrmetrics.config import Config
from hrmetrics.report.model import Cell
from hrmetrics.report.sections import ReportInputs
from hrmetrics.report.sections.survey import drivers_blocks, reliability_blocks


def _drivers() -> pl.DataFrame:
    # ORG: six items, importance 30, 25, 20, 10, 9, 6 (%); D1 has its own drivers; D2 fell back.
    org = [("ORG", f"Q{i}", imp, False, 900) for i, imp in enumerate([25, 30, 6, 20, 9, 10], start=1)]
    own = [("D1", "Q9", 55.0, False, 23), ("D1", "Q8", 45.0, False, 23)]
    fall = [("D2", f"Q{i}", imp, True, 900) for i, imp in enumerate([25, 30, 6, 20, 9, 10], start=1)]
    rows = org + own + fall
    return pl.DataFrame({
        "unit_code": [r[0] for r in rows], "wave": ["FY2024"] * len(rows),
        "item_id": [r[1] for r in rows], "text": [f"設問{r[1]}" for r in rows],
        "dimension": ["働き方"] * len(rows), "correlation": [0.5] * len(rows),
        "importance": [float(r[2]) for r in rows], "n": [r[4] for r in rows],
        "fallback": [r[3] for r in rows], "note": [None] * len(rows),
    })


def _inputs(focus: str, survey: dict) -> ReportInputs:
    return ReportInputs(kpis=pl.DataFrame(), progress=None, survey=survey, quality=None, rejects=None,
                  references=None, projections=None, config=Config(), lang="ja", layout={},
                  focus=focus)


def test_organisation_report_lists_the_top_five_by_importance() -> None:
    [block] = drivers_blocks(_inputs("ORG", {"drivers": _drivers()}))
    # importance 30 (Q2), 25 (Q1), 20 (Q4), 10 (Q6), 9 (Q5); Q3 (6%) is the sixth and left out
    assert [r[0].text for r in block.rows] == ["設問Q2", "設問Q1", "設問Q4", "設問Q6", "設問Q5"]
    assert block.rows[0][3].text == "30.0%"
    assert "回答者 900人" in block.caption and "組織全体" in block.caption


def test_pack_of_a_small_division_falls_back_and_says_so() -> None:
    [block] = drivers_blocks(_inputs("D2", {"drivers": _drivers().filter(pl.col("unit_code") == "D2")}))
    assert [r[0].text for r in block.rows][:2] == ["設問Q2", "設問Q1"]
    assert "20人未満のため、組織全体の結果を示します" in block.caption


def test_pack_with_own_drivers_never_prints_its_respondent_count() -> None:
    """A division's count could undo the complementary suppression of its siblings."""
    [block] = drivers_blocks(_inputs("D1", {"drivers": _drivers()}))
    assert [r[0].text for r in block.rows] == ["設問Q9", "設問Q8"]
    assert "この所属" in block.caption
    assert "23" not in block.caption and "回答者" not in block.caption


def test_reliability_flags_dimensions_below_point_seven() -> None:
    rel = pl.DataFrame({"wave": ["FY2023", "FY2024", "FY2024"], "dimension": ["A", "A", "B"],
                        "k_items": [4, 4, 3], "n": [900, 950, 950], "alpha": [0.5, 0.82, 0.64],
                        "flag": [True, False, True]})
    [block] = reliability_blocks(_inputs("ORG", {"reliability": rel}))
    assert [[c.text for c in r] for r in block.rows] == [
        ["A", "4", "0.82", "良好"],
        ["B", "3", "0.64", "要確認（0.7未満）"],
    ]
    assert block.rows[0][2] == Cell("0.82", cls="num", value=0.82)
