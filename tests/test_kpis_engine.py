"""The engine: schema, levels, restatement, suppression, errors, output files, survey hook."""

from __future__ import annotations

import sys
import types

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get, months, overtime, staff_months

from hrmetrics.config import Config
from hrmetrics.kpis.engine import KPI_SCHEMA, compute_kpis, read_kpis, write_kpis
from hrmetrics.orgs import UnknownUnitError

CFG1 = Config(min_group_hr=1)


def _merger_overtime():
    """FY2023: B (財政課) 2 staff, B2 (契約課) 1 staff; FY2024: merged C (財務課) 3 staff."""
    fy23, fy24 = months(2023), months(2024)
    rows = (staff_months("b1", "B", fy23, 10) + staff_months("b2", "B", fy23[:6], 20)   # B: 120 + 120 h, 1.5
            + staff_months("k1", "B2", fy23, 5)                                          # B2: 60 h, 1.0
            + staff_months("b1", "C", fy24, 12) + staff_months("k1", "C", fy24, 6)
            + staff_months("c1", "C", fy24, 1))
    return overtime(rows)


def test_schema_and_dtypes_are_the_contract():
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": _merger_overtime()}, CFG1)
    assert t.schema == pl.Schema(KPI_SCHEMA)
    assert set(t["level"].unique()) == {"organisation", "department", "division"}
    assert set(t["view"].unique()) == {"restated"}
    org = t.filter(pl.col("level") == "organisation")
    assert set(org["unit_code"]) == {"ORG"} and set(org["unit_name"]) == {"デモ市"}
    assert org["parent_code"].is_null().all()
    div = t.filter(pl.col("level") == "division")
    assert div["parent_code"].is_not_null().all()


def test_merged_division_restated_history_is_the_sum_of_its_predecessors():
    ot = _merger_overtime()
    restated = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1)
    as_was = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1, view="as_was")
    c23 = get(restated, "overtime_hours_per_staff", "C", "FY2023")
    b23 = get(as_was, "overtime_hours_per_staff", "B", "FY2023")
    k23 = get(as_was, "overtime_hours_per_staff", "B2", "FY2023")
    # B: 120 + 6 × 20 = 240 h over 1 + 0.5 = 1.5 staff; B2: 60 h over 1 staff
    assert (b23["numerator"], b23["denominator"]) == pytest.approx((240.0, 1.5))
    assert (k23["numerator"], k23["denominator"]) == pytest.approx((60.0, 1.0))
    # restated C in FY2023 = B + B2: 300 h over 2.5 staff = 120 h
    assert c23["numerator"] == pytest.approx(b23["numerator"] + k23["numerator"])
    assert c23["denominator"] == pytest.approx(b23["denominator"] + k23["denominator"])
    assert c23["value"] == pytest.approx(120.0)
    assert c23["unit_name"] == "財務課" and c23["parent_code"] == "D1"
    assert b23["unit_name"] == "財政課" and k23["unit_name"] == "契約課"
    # as_was has no C in FY2023, restated has no B/B2 at all
    assert as_was.filter((pl.col("unit_code") == "C") & (pl.col("year") == 2023)).height == 0
    assert restated.filter(pl.col("unit_code").is_in(["B", "B2"])).height == 0
    # cap counts add up too: 3 staff-FYs in FY2023
    assert get(restated, "overtime_over_45h_month_staff", "C", "FY2023")["denominator"] == 3


def test_chain_moves_history_to_todays_department_when_restated():
    # X1 (D2, FY2021) → X2 → X3 (D1): restated, FY2021 figures sit under X3 in D1
    ot = overtime(staff_months("x", "X1", months(2021), 3))
    r = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1)
    x3 = get(r, "overtime_hours_per_staff", "X3", "FY2021")
    assert (x3["parent_code"], x3["unit_name"], x3["value"]) == ("D1", "企画課", pytest.approx(36.0))
    assert get(r, "overtime_hours_per_staff", "D1", "FY2021")["value"] == pytest.approx(36.0)
    a = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1, view="as_was")
    assert get(a, "overtime_hours_per_staff", "X1", "FY2021")["parent_code"] == "D2"


def test_two_person_division_is_suppressed():
    fy = months(2024)
    # A has 2 staff (suppressed at min_group_hr = 3), E has 3 staff (shown)
    rows = (staff_months("a1", "A", fy, 10) + staff_months("a2", "A", fy, 20)
            + [r for s in ("e1", "e2", "e3") for r in staff_months(s, "E", fy, 30)])
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": overtime(rows)}, Config())
    a = get(t, "overtime_hours_per_staff", "A", "FY2024")
    assert a["suppressed"] is True
    assert (a["value"], a["numerator"], a["denominator"], a["n"]) == (None, None, None, None)
    # D1 holds only A → suppressed too. E (3 staff) would be shown on its own, but then
    # ORG − E = A: (1440 h − 1080 h) / (5 − 3) = 180 h. Complementary suppression hides E, and
    # D2 (which holds only E) with it, so the only visible figure is the organisation's.
    assert get(t, "overtime_hours_per_staff", "D1", "FY2024")["suppressed"] is True
    for unit in ("E", "D2"):
        e = get(t, "overtime_hours_per_staff", unit, "FY2024")
        assert (e["suppressed"], e["value"], e["n"]) == (True, None, None)
    # ORG: (12 × 10 + 12 × 20 + 3 × 12 × 30) = 120 + 240 + 1080 = 1440 h / 5 staff = 288 h; the
    # 5 staff behind it sit in two hidden divisions, so no subtraction isolates A.
    assert get(t, "overtime_hours_per_staff", "ORG", "FY2024")["value"] == pytest.approx(288.0)
    visible = t.filter(pl.col("kpi") == "overtime_hours_per_staff", pl.col("period") == "FY2024",
                       ~pl.col("suppressed"))
    assert visible["unit_code"].to_list() == ["ORG"]
    # no suppressed row carries any number
    sup = t.filter(pl.col("suppressed"))
    assert sup.height > 0
    assert sup.select(pl.col("value", "numerator", "denominator", "n").is_null().all()).row(0) == (True,) * 4


def test_unknown_unit_is_an_error_not_a_drop():
    # B ended in FY2023: an FY2024 row coded B is an error in both views
    ot = overtime(staff_months("s", "B", months(2024, 4, 1), 5)
                  + staff_months("t", "QQ", months(2024, 5, 1), 5))
    for view in ("restated", "as_was"):
        with pytest.raises(UnknownUnitError) as exc:
            compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1, view=view)
        assert exc.value.dataset == "overtime" and exc.value.codes == ["B", "QQ"]
        assert exc.value.fiscal_years == [2024]


def test_kpi_selection_and_unknown_ids():
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": _merger_overtime()}, CFG1,
                     kpis=["overtime_top10_share"])
    assert set(t["kpi"]) == {"overtime_top10_share"}
    with pytest.raises(KeyError, match="不明なKPI"):
        compute_kpis({"org_units": ORG_UNITS}, CFG1, kpis=["no_such_kpi"])


def test_missing_datasets_are_skipped_and_org_units_required():
    t = compute_kpis({"org_units": ORG_UNITS}, CFG1)
    assert t.height == 0 and t.schema == pl.Schema(KPI_SCHEMA)
    with pytest.raises(ValueError, match="org_units"):
        compute_kpis({"overtime": _merger_overtime()}, CFG1)


def test_order_is_deterministic_and_organisation_first():
    ot = _merger_overtime()
    a = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1)
    b = compute_kpis({"org_units": ORG_UNITS, "overtime": ot.reverse()}, CFG1)
    assert a.equals(b)
    first = a.filter(pl.col("kpi") == "overtime_hours_per_staff")["level"].to_list()
    assert first[: first.count("organisation")] == ["organisation"] * first.count("organisation")


def test_write_kpis_csv_with_bom_and_parquet(tmp_path):
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": _merger_overtime()}, CFG1)
    t = t.with_columns(unit_name=pl.when(pl.col("unit_code") == "C").then(pl.lit("=HYPERLINK(1)"))
                       .otherwise(pl.col("unit_name")))
    csv = write_kpis(t, tmp_path / "kpis.csv")
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(csv)
    assert back.height == t.height
    assert back.filter(pl.col("unit_code") == "C")["unit_name"].unique().to_list() == ["'=HYPERLINK(1)"]
    assert read_kpis(csv).equals(t)  # dtypes restored and the formula guard undone
    pq = write_kpis(t, tmp_path / "kpis.parquet")
    assert read_kpis(pq).equals(t)
    with pytest.raises(ValueError):
        write_kpis(t, tmp_path / "kpis.txt")


def test_store_source_is_read_through_its_datasets(monkeypatch, tmp_path):
    class FakeStore:
        def __init__(self, path):
            self.path = path

        def datasets(self):
            return {"org_units": ORG_UNITS.lazy(), "overtime": _merger_overtime().lazy()}

    monkeypatch.setitem(sys.modules, "hrmetrics.store", types.SimpleNamespace(Store=FakeStore))
    t = compute_kpis(tmp_path, CFG1, kpis=["overtime_hours_per_staff"])
    assert get(t, "overtime_hours_per_staff", "C", "FY2023")["value"] == pytest.approx(120.0)


def test_survey_rows_are_concatenated_when_the_module_provides_them(monkeypatch):
    calls = {}

    def survey_kpis(datasets, config, view="restated", registry=None):
        calls["view"], calls["registry"] = view, registry
        return pl.DataFrame({"kpi": ["engagement_index"], "level": ["organisation"], "unit_code": ["ORG"],
                             "unit_name": ["デモ市"], "period": ["FY2024"], "period_type": ["wave"],
                             "year": [2024], "value": [61.5], "n": [120], "suppressed": [False],
                             "unit": ["score"], "view": [view]})

    fake = types.ModuleType("hrmetrics.survey.scores")
    fake.survey_kpis = survey_kpis
    monkeypatch.setitem(sys.modules, "hrmetrics.survey.scores", fake)
    monkeypatch.setattr("hrmetrics.survey.scores", fake, raising=False)
    src = {"org_units": ORG_UNITS, "survey": pl.DataFrame({"wave": ["FY2024"]})}
    t = compute_kpis(src, CFG1, view="as_was")
    assert calls["view"] == "as_was" and calls["registry"] is not None
    assert get(t, "engagement_index", "ORG", "FY2024")["value"] == pytest.approx(61.5)
    assert t.schema == pl.Schema(KPI_SCHEMA)


def test_records_coded_to_a_department_count_for_it_and_the_organisation_only():
    # d1 works in the department office D1 itself (12 × 10 h), a1 in division A (12 × 20 h)
    fy = months(2024)
    ot = overtime(staff_months("d1", "D1", fy, 10) + staff_months("a1", "A", fy, 20))
    t = compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, CFG1, kpis=["overtime_hours_per_staff"])
    # D1: (120 + 240) / 2 = 180 h; A: 240 h; no division row for D1
    assert get(t, "overtime_hours_per_staff", "D1", "FY2024")["value"] == pytest.approx(180.0)
    assert get(t, "overtime_hours_per_staff", "A", "FY2024")["value"] == pytest.approx(240.0)
    assert t.filter((pl.col("level") == "division") & (pl.col("unit_code") == "D1")).height == 0
    assert get(t, "overtime_hours_per_staff", "ORG", "FY2024")["denominator"] == pytest.approx(2.0)
