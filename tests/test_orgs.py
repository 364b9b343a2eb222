"""The effective-dated organisation registry (fixture organisation in kpi_fixtures.py)."""

from __future__ import annotations

import polars as pl
import pytest
from kpi_fixtures import ORG_UNITS

from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.orgs import OrgRegistry, UnknownUnitError


def _keys(pairs):
    return pl.DataFrame(pairs, schema={"unit_code": pl.String, "fiscal_year": pl.Int64}, orient="row")


def _as_dict(frame, value_cols=("reported_unit_code", "department_code")):
    return {(r["unit_code"], r["fiscal_year"]): tuple(r[c] for c in value_cols)
            for r in frame.iter_rows(named=True)}


REG = OrgRegistry.from_frame(ORG_UNITS)


def test_restated_follows_merges_and_multi_step_chains():
    m = _as_dict(REG.mapping(_keys([("B", 2022), ("B2", 2023), ("C", 2024), ("X1", 2020), ("X2", 2023),
                                    ("A", 2020), ("D2", 2021)]), view="restated"))
    assert m[("B", 2022)] == ("C", "D1")     # B merged into C
    assert m[("B2", 2023)] == ("C", "D1")    # B2 merged into C
    assert m[("C", 2024)] == ("C", "D1")
    # X1 → X2 → X3, and X3 sits in D1 today although X1/X2 were in D2
    assert m[("X1", 2020)] == ("X3", "D1")
    assert m[("X2", 2023)] == ("X3", "D1")
    assert m[("A", 2020)] == ("A", "D1")
    assert m[("D2", 2021)] == ("D2", "D2")   # a department reports as itself


def test_as_was_keeps_units_and_their_department_at_the_time():
    m = _as_dict(REG.mapping(_keys([("B", 2022), ("X1", 2020), ("X2", 2023), ("X3", 2024)]), view="as_was"))
    assert m == {("B", 2022): ("B", "D1"), ("X1", 2020): ("X1", "D2"), ("X2", 2023): ("X2", "D2"),
                 ("X3", 2024): ("X3", "D1")}


def test_resolve_marks_departments_as_no_division():
    r = REG.resolve(_keys([("D1", 2024), ("A", 2024)]))
    got = {row["unit_code"]: (row["_division"], row["_department"]) for row in r.iter_rows(named=True)}
    assert got == {"D1": (None, "D1"), "A": ("A", "D1")}


@pytest.mark.parametrize("view", ["restated", "as_was"])
def test_unknown_unit_or_outside_validity_raises_naming_codes_years_dataset(view):
    # ZZ is not in org_units; B ended in FY2023; C starts in FY2024
    with pytest.raises(UnknownUnitError) as exc:
        REG.resolve(_keys([("ZZ", 2024), ("B", 2024), ("C", 2023), ("A", 2024)]), view, dataset="overtime")
    err = exc.value
    assert err.codes == ["B", "C", "ZZ"]
    assert err.fiscal_years == [2023, 2024]
    assert err.dataset == "overtime"
    assert "overtime" in str(err) and "ZZ (FY2024)" in str(err) and "組織マスタ" in str(err)


def test_unknown_unit_message_in_english():
    with pytest.raises(UnknownUnitError, match="unit codes not in org_units"):
        REG.resolve(_keys([("ZZ", 2024)]), dataset="staff", lang="en")


def test_calendar_fallback_accepts_a_unit_of_the_previous_fy():
    # B ended in FY2023; a calendar-2024 leave row coded B (Jan–Mar 2024 are FY2023) is accepted
    r = REG.resolve(_keys([("B", 2024)]), "restated", fallback_previous_fy=True)
    assert r.row(0, named=True)["_division"] == "C"
    with pytest.raises(UnknownUnitError):
        REG.resolve(_keys([("B", 2025)]), "restated", fallback_previous_fy=True)


def test_names_restated_is_current_name_as_was_is_name_in_year():
    units = pl.concat([ORG_UNITS, pl.DataFrame(
        {"unit_code": ["R"], "unit_name": ["旧名課"], "parent_code": ["D1"], "valid_from_fy": [2020],
         "valid_to_fy": [2022], "successor_code": [None]}, schema=ORG_UNITS.schema), pl.DataFrame(
        {"unit_code": ["R"], "unit_name": ["新名課"], "parent_code": ["D2"], "valid_from_fy": [2023],
         "valid_to_fy": [None], "successor_code": [None]}, schema=ORG_UNITS.schema)])
    reg = OrgRegistry.from_frame(units)
    by_year, latest = reg.names()
    assert dict(latest.iter_rows())["R"] == "新名課"
    named = {(r[0], r[1]): r[2] for r in by_year.filter(pl.col("unit_code") == "R").iter_rows()}
    assert named[("R", 2021)] == "旧名課" and named[("R", 2023)] == "新名課"
    # and the department changes with the row in the as-was view, not in the restated one
    m = _as_dict(reg.mapping(_keys([("R", 2021)]), view="as_was"))
    assert m[("R", 2021)] == ("R", "D1")
    assert _as_dict(reg.mapping(_keys([("R", 2021)]), view="restated"))[("R", 2021)] == ("R", "D2")


def test_units_in_a_year():
    assert sorted(REG.units_in(2024)["unit_code"].to_list()) == ["A", "C", "D1", "D2", "E", "X3"]
    assert sorted(REG.units_in(2021)["unit_code"].to_list()) == ["A", "B", "B2", "D1", "D2", "E", "X1"]


def test_cycle_overlap_and_unknown_successor_are_refused():
    cyc = ORG_UNITS.with_columns(successor_code=pl.when(pl.col("unit_code") == "X3").then(pl.lit("X1"))
                                 .otherwise(pl.col("successor_code")))
    with pytest.raises(ValueError, match="循環"):
        OrgRegistry.from_frame(cyc)
    overlap = pl.concat([ORG_UNITS, ORG_UNITS.filter(pl.col("unit_code") == "A").with_columns(
        valid_from_fy=pl.lit(2022, dtype=pl.Int64))])
    with pytest.raises(ValueError, match="重複"):
        OrgRegistry.from_frame(overlap)
    bad = ORG_UNITS.with_columns(successor_code=pl.when(pl.col("unit_code") == "B").then(pl.lit("NOPE"))
                                 .otherwise(pl.col("successor_code")))
    with pytest.raises(ValueError, match="NOPE"):
        OrgRegistry.from_frame(bad)


def test_fiscal_year_expr():
    import datetime as dt

    df = pl.DataFrame({"d": [dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2024, 12, 1)]})
    assert df.select(fiscal_year_expr("d"))["d"].to_list() == [2024, 2025, 2024]
