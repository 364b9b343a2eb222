"""The KPI registry checks itself: a computation without a catalogue entry (which produced rows
with a null unit and period type) or a catalogued KPI that is never computed fails at import,
and a test-only KPI declared in the two places goes through the whole engine."""

from __future__ import annotations

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS, get, months, overtime, staff_months

from hrmetrics.config import Config
from hrmetrics.kpis import engine
from hrmetrics.kpis import overtime as overtime_kpis
from hrmetrics.kpis.catalog import CATALOG, KPI, KPIS
from hrmetrics.kpis.engine import DERIVED_DEFS, HR_DEFS, RegistryError, check_registry
from hrmetrics.kpis.spec import KpiDef

# a test-only KPI: staff with an overtime row in the month (records: one row per unit and month)
TEST_KPI = KPI("test_staff_months", "時間外の実績行がある職員数（テスト用）",
               "Staff with an overtime row (test)",
               "count", "none", "month", "overtime", "テスト用", "test only")
OT = next(d for d in overtime_kpis.DEFS if d.id == "overtime_hours_per_staff_month")
TEST_DEF = KpiDef("test_staff_months", OT.records, numerator=pl.col("staff").sum().cast(pl.Float64),
                  denominator=None, n=pl.col("staff").sum())


def test_the_shipped_registry_is_consistent() -> None:
    check_registry(CATALOG, (*HR_DEFS, *DERIVED_DEFS))  # also ran at import


def test_a_computation_without_a_catalogue_entry_fails() -> None:
    with pytest.raises(RegistryError, match=r"test_staff_months: computed but not in kpis/catalog\.py"):
        check_registry(CATALOG, (*HR_DEFS, *DERIVED_DEFS, TEST_DEF))


def test_a_catalogued_kpi_that_is_never_computed_fails() -> None:
    with pytest.raises(RegistryError, match=r"test_staff_months: in the catalogue .* but never computed"):
        check_registry((*CATALOG, TEST_KPI), (*HR_DEFS, *DERIVED_DEFS))
    with pytest.raises(RegistryError, match="computed twice"):
        check_registry(CATALOG, (*HR_DEFS, *DERIVED_DEFS, HR_DEFS[0]))


def test_a_test_only_kpi_declared_in_both_places_is_computed(monkeypatch) -> None:
    check_registry((*CATALOG, TEST_KPI), (*HR_DEFS, *DERIVED_DEFS, TEST_DEF))
    monkeypatch.setattr(engine, "CATALOG", (*CATALOG, TEST_KPI))
    monkeypatch.setattr(engine, "HR_DEFS", (*HR_DEFS, TEST_DEF))
    monkeypatch.setitem(KPIS, TEST_KPI.id, TEST_KPI)
    fy = months(2024)
    ot = overtime(staff_months("a1", "A", fy, 10) + staff_months("a2", "A", fy[:3], 0))
    t = engine.compute_kpis({"org_units": ORG_UNITS, "overtime": ot}, Config(min_group_hr=1),
                            kpis=["test_staff_months"])
    row = get(t, "test_staff_months", "A", "2024-04")
    # April 2024: a1 (10 h) and a2 (0 h) both have a row in A
    assert (row["value"], row["n"], row["unit"], row["period_type"]) == (2.0, 2, "count", "month")
    assert get(t, "test_staff_months", "A", "2024-07")["value"] == 1.0  # a2's rows end in June
