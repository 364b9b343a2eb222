"""The disclosure audit as the attacker of DESIGN §6: it must catch each leak route on small
hand-made tables (so the check can fail), the secondary suppression it drives must close them,
and the demo's published outputs must pass it.

Each table is a KPI table as a reader gets it: shown cells carry numerator/denominator/n,
hidden cells only `suppressed = true`, and absent rows are absent.
"""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from hrmetrics.cli import cli
from hrmetrics.config import Config
from hrmetrics.disclosure import Context
from hrmetrics.disclosure.audit import DisclosureError, audit, failing, gate, summary
from hrmetrics.disclosure.protect import protect
from hrmetrics.kpis.engine import cast_table
from hrmetrics.report.model import Table
from hrmetrics.report.privacy import scrub_drivers
from hrmetrics.report.sections import ReportInputs
from hrmetrics.report.sections.survey import drivers_blocks
from hrmetrics.survey.drivers import DRIVER_SCHEMA
from hrmetrics.workflow import audit_output

PARENT = {"ORG": None, "D1": None, "D2": None, "D3": None, "V11": "D1", "V12": "D1", "V13": "D1", "V14": "D1"}


def row(kpi: str, unit: str, period: str, num=None, den=None, n=None, breakdown=None, hidden=False) -> dict:
    level = "organisation" if unit == "ORG" else "department" if unit.startswith("D") else "division"
    return {"kpi": kpi, "breakdown": breakdown, "level": level, "unit_code": unit,
            "parent_code": PARENT[unit], "period": period, "numerator": None if hidden else num,
            "denominator": None if hidden else den, "n": None if hidden else n, "suppressed": hidden}


def table(rows: list[dict]) -> pl.DataFrame:
    return cast_table(pl.DataFrame(rows, infer_schema_length=None))


def status(results: pl.DataFrame, cell: str) -> dict:
    hit = results.filter((pl.col("cell") == cell) & ~pl.col("remainder"))
    assert hit.height == 1, f"no audit row for {cell}"
    return hit.row(0, named=True)


CTX = Context(keep_organisation=False)
"""The attacker's view with nothing exempt (the organisation's cells may be hidden too)."""


def share(kpi: str, unit: str, women: int | None, staff: int | None, grade: str | None = None,
          hidden: bool = False, period: str = "FY2024") -> dict:
    return row(kpi, unit, period, women, staff, staff, breakdown=grade, hidden=hidden)


def ladder_org(director_row: str) -> pl.DataFrame:
    """An organisation of 7: 5 assistant chiefs (1 woman), 2 section chiefs, and (absent or
    hidden) directors; only the organisation is reported."""
    rows = [
        row("headcount", "ORG", "FY2024", 7, None, 7),
        *[share("female_share_grade_and_above", "ORG", 2, 7, g)
          for g in ("staff", "unit_chief", "assistant_chief")],
        share("female_share_grade", "ORG", 1, 5, "assistant_chief"),
        share("female_share_grade", "ORG", None, None, "section_chief", hidden=True),
        share("female_share_grade_and_above", "ORG", None, None, "section_chief", hidden=True),
        share("female_manager_ratio", "ORG", None, None, hidden=True),
    ]
    if director_row == "hidden":
        rows += [share("female_share_grade", "ORG", None, None, "director", hidden=True),
                 share("female_share_grade_and_above", "ORG", None, None, "director", hidden=True),
                 share("female_share_grade_and_above", "ORG", None, None, "deputy_director", hidden=True)]
    return table(rows)


def test_grade_ladder_and_absent_rows_pin_a_hidden_grade() -> None:
    # and-above(assistant chief) 2/7 − assistant chief 1/5 = section chief and above 1/2; no
    # director row means no director, so the section chiefs are 1 woman of 2
    res = audit(ladder_org("absent"), CTX)
    cell = status(res, "FY2024|ORG|female_share_grade|section_chief")
    assert (cell["status"], cell["num_min"], cell["num_max"]) == ("pinned", 1.0, 1.0)
    assert status(res, "FY2024|ORG|female_manager_ratio|")["status"] == "pinned"


def test_a_hidden_row_where_an_absent_one_was_leaves_room() -> None:
    # the same organisation, but the director row exists (hidden): the 2 − 1 = 1 woman could
    # be a director, so the section chiefs hold 0 or 1 women — and one director more or less
    res = audit(ladder_org("hidden"), CTX)
    cell = status(res, "FY2024|ORG|female_share_grade|section_chief")
    assert (cell["num_min"], cell["num_max"]) == (0.0, 1.0)


def test_a_table_of_one_kpi_is_audited_on_its_own_relations() -> None:
    # compute_kpis(kpis=["female_manager_ratio"]): the grade rows are not in the table, which
    # says nothing about the units (before, their absence read as "nobody": no solution at all)
    t = table([share("female_manager_ratio", "ORG", 3, 10), share("female_manager_ratio", "D1", 2, 6),
               share("female_manager_ratio", "D2", None, None, hidden=True)])
    cell = status(audit(t, CTX), "FY2024|D2|female_manager_ratio|")
    assert (cell["num_min"], cell["num_max"], cell["size_max"]) == (0.0, 1.0, 4.0)


def test_a_shared_numerator_gives_a_hidden_manager_ratio_away() -> None:
    # 7 staff (2 women) and 2 section chiefs; "section chief and above" is the same people as
    # "managers", so hiding one of the two cells hides nothing
    t = table([
        row("headcount", "ORG", "FY2024", 9, None, 9),
        share("female_share_grade_and_above", "ORG", 3, 9, "staff"),
        *[share("female_share_grade_and_above", "ORG", 1, 2, g)
          for g in ("unit_chief", "assistant_chief", "section_chief")],
        share("female_share_grade", "ORG", 2, 7, "staff"),
        share("female_share_grade", "ORG", None, None, "section_chief", hidden=True),
        share("female_manager_ratio", "ORG", None, None, hidden=True),
    ])
    cell = status(audit(t, CTX), "FY2024|ORG|female_manager_ratio|")
    assert (cell["status"], cell["num_min"], cell["num_max"]) == ("pinned", 1.0, 1.0)


def childcare() -> pl.DataFrame:
    """Men with a birth FY2020: the organisation's 4 leaves are all in D1 and D2."""
    k = "male_childcare_leave_rate"
    return table([
        row(k, "ORG", "FY2020", 4, 9, 10),
        row(k, "D1", "FY2020", 2, 2, 3),
        row(k, "D2", "FY2020", 2, 3, 4),
        row(k, "D3", "FY2020", hidden=True),
    ])


def test_childcare_group_disclosure_is_caught() -> None:
    # ORG 4 − D1 2 − D2 2 = 0: every man with a birth in D3 provably took no leave
    cell = status(audit(childcare(), CTX), "FY2020|D3|male_childcare_leave_rate|")
    assert (cell["status"], cell["num_max"]) == ("none", 0.0)


def test_secondary_suppression_closes_the_childcare_leak_at_the_cheapest_cell() -> None:
    protected, account = protect(childcare(), CTX)
    hidden = protected.filter(pl.col("suppressed"))["unit_code"].sort().to_list()
    assert hidden == ["D1", "D3"]  # D1 (3 people) is cheaper than D2 (4); ORG stays shown
    assert account.added == ("FY2020|D1|male_childcare_leave_rate|",)
    assert failing(account.results).height == 0
    assert protected.filter(pl.col("unit_code") == "D1")["numerator"].to_list() == [None]


def survey(hidden_v14: bool = True) -> pl.DataFrame:
    """FY2019 item Q05: department D1 17 favourable of 30; divisions 10 + 2 + 5 + V14."""
    counts = {"ORG": (17, 6, 7), "D1": (17, 6, 7), "V11": (10, 2, 3), "V12": (2, 1, 2), "V13": (5, 2, 1),
              "V14": (0, 1, 1)}
    rows = []
    for unit, (f, m, u) in counts.items():
        n = f + m + u
        hide = unit == "V14" and hidden_v14
        for kpi, num in (("item_favourable", f), ("item_neutral", m), ("item_unfavourable", u)):
            rows.append(row(kpi, unit, "FY2019", num, n, n, breakdown="Q05", hidden=hide))
    return table(rows)


def test_survey_item_recovered_by_subtraction_is_caught() -> None:
    cell = status(audit(survey(), CTX), "FY2019|V14|item:Q05")
    assert (cell["status"], cell["num_min"], cell["num_max"]) == ("none", 0.0, 0.0)


def test_a_group_of_one_is_protected_when_anything_from_none_to_all_is_possible() -> None:
    # D3 holds at most one man with a birth: 0 or 1 leave is all there is to hide
    k = "male_childcare_leave_rate"
    t = table([row(k, "ORG", "FY2020", 3, 4, 5), row(k, "D1", "FY2020", 2, 3, 4),
               row(k, "D2", "FY2020", hidden=True), row(k, "D3", "FY2020", hidden=True)])
    cell = status(audit(t, CTX), "FY2020|D3|male_childcare_leave_rate|")
    assert (cell["num_min"], cell["num_max"], cell["status"]) == (0.0, 1.0, "protected")


def test_statutory_organisation_figures_stay_and_what_they_alone_imply_is_marked() -> None:
    # every man with a birth is in D1, so D1's hidden rate is the organisation's statutory 1/2:
    # nothing below the organisation can be hidden to change that
    k = "male_childcare_leave_rate"
    t = table([row(k, "ORG", "FY2020", 1, 2, 2), row(k, "D1", "FY2020", hidden=True)])
    assert status(audit(t, CTX), "FY2020|D1|male_childcare_leave_rate|")["status"] == "pinned"
    kept = audit(t, Context())
    assert status(kept, "FY2020|D1|male_childcare_leave_rate|")["status"] == "statutory"
    protected, account = protect(t, Context())
    assert protected.filter(pl.col("unit_code") == "ORG")["numerator"].to_list() == [1.0]
    assert account.added == ()


def test_gate_refuses_and_names_the_cell() -> None:
    with pytest.raises(DisclosureError, match=r"FY2019\|V14\|item:Q05"):
        gate(audit(survey(), CTX))
    gate(audit(protect(survey(), CTX)[0], CTX))  # passes once protected


def test_cli_audit_exits_1_on_a_leaking_folder_and_names_the_cell(tmp_path) -> None:
    childcare().write_parquet(tmp_path / "kpis.parquet")
    res = CliRunner().invoke(cli, ["audit", str(tmp_path)])
    assert res.exit_code == 1
    assert "FY2020|D3|male_childcare_leave_rate|: none" in res.output
    protect(childcare(), CTX)[0].write_parquet(tmp_path / "kpis.parquet")
    ok = CliRunner().invoke(cli, ["audit", str(tmp_path), "--lang", "en"])
    assert ok.exit_code == 0
    assert "OK: no hidden cell can be recovered." in ok.output


# ------------------------------------------------------------------------ derived statistics
def drivers_frame(importance: list[float | None]) -> pl.DataFrame:
    ids = [f"Q0{i}" for i in range(1, len(importance) + 1)]
    rows = [{"unit_code": u, "wave": "FY2024", "item_id": q, "text": q, "dimension": "d",
             "correlation": 0.1 * i, "importance": imp, "n": 40, "fallback": False, "note": None}
            for u in ("ORG", "V11") for i, (q, imp) in enumerate(zip(ids, importance, strict=True), 1)]
    return pl.DataFrame(rows, schema=DRIVER_SCHEMA)


def test_drivers_of_a_unit_with_hidden_answers_are_not_published() -> None:
    kpis = table([row("item_favourable", "V11", "FY2024", breakdown="Q01", hidden=True)])
    kept = scrub_drivers(drivers_frame([0.3, 0.2]), kpis)
    assert kept["unit_code"].unique().to_list() == ["ORG"]


def _block(drivers: pl.DataFrame, focus: str, kpis: pl.DataFrame) -> Table:
    inp = ReportInputs(kpis=kpis, progress=None, survey={"drivers": drivers}, quality=None, rejects=None,
                 references=None, projections=None, config=Config(), lang="ja", layout={}, focus=focus)
    return drivers_blocks(inp)[0]


def test_drivers_table_is_ranked_and_says_why_when_it_falls_back() -> None:
    kpis = table([row("item_favourable", "V11", "FY2024", breakdown="Q01", hidden=True)])
    frame = drivers_frame([0.05, 0.30, None, 0.10, 0.20, 0.15])
    block = _block(scrub_drivers(frame, kpis), "V11", kpis)
    assert [r[0].text for r in block.rows] == ["Q02", "Q05", "Q06", "Q04", "Q01"]  # by importance
    assert "非表示としているので、組織全体の結果" in block.caption
    by_corr = _block(drivers_frame([None] * 6), "ORG", kpis)
    assert [r[0].text for r in by_corr.rows] == ["Q06", "Q05", "Q04", "Q03", "Q02"]
    assert "相関の大きい順" in by_corr.caption


# ------------------------------------------------------------------------ the demo's outputs
@pytest.mark.slow
def test_demo_outputs_pass_the_audit_in_every_family(demo_run) -> None:
    results = audit_output(demo_run.out_dir)
    counts = {r["family"]: r for r in summary(results).iter_rows(named=True)}
    for family in ("women_by_grade", "female_manager_ratio", "male_childcare_leave", "female_childcare_leave",
                   "survey_items", "survey_dimensions", "survey_response"):
        assert counts[family]["pinned"] == 0, family
        assert counts[family]["group_disclosures"] == 0, family
    for family in ("women_by_grade", "male_childcare_leave", "survey_items", "survey_dimensions"):
        assert counts[family]["hidden"] > 0, family  # the audit had something to check
    assert failing(results).height == 0


@pytest.mark.slow
def test_demo_report_states_the_rule_and_the_audit(demo_run) -> None:
    page = (demo_run.out_dir / "report" / "index.html").read_text(encoding="utf-8")
    assert "整数計画で解く監査の結果" in page
    assert "2人以上の幅で定まらず" in page


@pytest.mark.slow
def test_demo_publishes_women_by_single_grade_for_the_organisation_only(demo_run) -> None:
    k = pl.read_parquet(demo_run.out_dir / "kpis.parquet")
    levels = k.filter(pl.col("kpi") == "female_share_grade")["level"].unique().to_list()
    assert levels == ["organisation"]
    assert k.filter(pl.col("kpi") == "female_share_grade_and_above", pl.col("level") == "division").height > 0
