"""What the report says about a projection: its fit window, a disagreement of the two fits, and a
line that reaches the KPI's limit (issue 14, item 5)."""

from __future__ import annotations

from hrmetrics.report.sections import _projection_cell, projection_note

DEMO_OVERTIME = {  # hrmetrics demo, organisation overtime (progress.csv)
    "projection": 123.338, "pi80_low": 116.574, "pi80_high": 130.102, "probability": 0.1853,
    "fit_window": "baseline", "fit_from": 2022, "fit_to": 2024, "fit_note": None,
    "alt_window": "all", "alt_from": 2019, "alt_projection": 170.949, "alt_probability": 0.04995,
    "fits_disagree": True, "limit": None,
}


def test_window_and_disagreement_are_stated() -> None:
    ja = projection_note(DEMO_OVERTIME, "h", "ja")
    assert ("令和4年度 (FY2022)〜令和6年度 (FY2024)の値に当てはめています"
            "（当てはめ期間の設定：計画の基準年度から）") in ja
    assert "123.3時間（達成確率18.5%）" in ja
    assert "令和元年度 (FY2019)〜令和6年度 (FY2024)の傾向では170.9時間（同5.0%）" in ja
    assert "80%予測区間を超えて食い違います" in ja
    en = projection_note(DEMO_OVERTIME, "h", "en")
    assert "fit window: from the plan's baseline year" in en
    assert "disagree by more than the 80% interval" in en
    assert _projection_cell(DEMO_OVERTIME, "h", "ja") == ("123.3時間 ※", "116.6時間〜130.1時間")


def test_agreeing_fits_state_only_the_window() -> None:
    r = {**DEMO_OVERTIME, "fits_disagree": False, "fit_window": "FY2020", "fit_from": 2020}
    ja = projection_note(r, "h", "ja")
    assert "（当てはめ期間の設定：令和2年度 (FY2020)から）" in ja and "食い違" not in ja
    assert "fit window: all history" in projection_note({**r, "fit_window": "all"}, "h", "en")


def test_clipped_projection_reaches_the_limit_instead_of_a_zero_width_interval() -> None:
    r = {**DEMO_OVERTIME, "projection": 100.0, "pi80_low": 100.0, "pi80_high": 100.0, "limit": 100.0,
         "fits_disagree": False}
    assert _projection_cell(r, "%", "ja") == ("上限（100.0%）に到達", "")
    assert _projection_cell(r, "%", "en") == ("reaches the limit (100.0%)", "")
    partly = {**r, "pi80_low": 98.9}
    assert _projection_cell(partly, "%", "ja") == ("上限（100.0%）に到達", "98.9%〜100.0%")
    assert "上限（100.0%）に達するため、線と帯は100.0%で止めています" in projection_note(r, "%", "ja")
