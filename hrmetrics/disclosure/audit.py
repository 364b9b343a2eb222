"""The disclosure audit: attack the published KPI table as DESIGN §6's reader would.

`audit(table, ctx)` builds the published-numbers model (`model.py`) for every period, solves
each hidden cell's feasible interval (`solve.py`) and returns one row per protected group: a
hidden cell, or a remainder that is never published. `gate` refuses a table in which any group
is pinned or a group disclosure is provable; `summary` counts per family.
"""

from __future__ import annotations

import polars as pl

from hrmetrics.disclosure.model import Context, families_for
from hrmetrics.disclosure.solve import audit_system
from hrmetrics.disclosure.system import System, build, measure_key, nearest, neighbourhood
from hrmetrics.orgs import ORG_CODE as ORG

FAILING = ("pinned", "none", "all")

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "family": pl.String(), "period": pl.String(), "cell": pl.String(), "unit_code": pl.String(),
    "level": pl.String(), "measure": pl.String(), "target": pl.String(), "remainder": pl.Boolean(),
    "num_min": pl.Float64(), "num_max": pl.Float64(), "gap_max": pl.Float64(),
    "size_max": pl.Float64(), "width_needed": pl.Float64(), "status": pl.String(),
}


class DisclosureError(RuntimeError):
    """Published numbers would let a reader recover a hidden group; names the first cells."""

    def __init__(self, failing: pl.DataFrame, lang: str = "ja"):
        self.failing = failing
        super().__init__(self.message(lang))

    def message(self, lang: str = "ja") -> str:
        """The sentence for the user, in `lang` (the CLI shows it instead of a traceback)."""
        f = self.failing
        cells = ", ".join(f"{c} ({s})" for c, s in f.select("cell", "status").head(5).iter_rows())
        if lang == "en":
            more = f" and {f.height - 5} more" if f.height > 5 else ""
            return (f"Disclosure audit failed: hidden cells can be recovered from published numbers: "
                    f"{cells}{more}. Nothing was written.")
        more = f" ほか{f.height - 5}件" if f.height > 5 else ""
        return (f"開示監査に不合格: 非表示のセルが公表値から復元できます: {cells}{more}。"
                "出力は書き出していません。")


def family_of(measure: str) -> str:
    """The family a measure is reported under (the rows of `hrmetrics audit`)."""
    if measure.startswith("female_share_grade"):
        return "women_by_grade"
    if measure.startswith("item:") or measure.startswith("staff_satisfaction"):
        return "survey_items"
    if measure.startswith("dim:"):
        return "survey_dimensions"
    if measure.startswith("pay:"):
        return "gender_pay"
    return measure.split("|", 1)[0].removesuffix("_rate").removesuffix("_index")


def systems(table: pl.DataFrame, ctx: Context,
            only: set[tuple[str, str]] | None = None) -> list[System]:
    """Every family × period system of the table, or only the given (period, family) ones."""
    periods = sorted({p for p, _ in only}) if only is not None else sorted(table["period"].unique().to_list())
    out = []
    for period in periods:
        rows = table.filter(pl.col("period") == period)
        out += [build(f, period, rows, ctx.manager_grades) for f in families_for(rows, period, ctx)
                if only is None or (period, f.name) in only]
    return out


def steps(table: pl.DataFrame) -> dict[tuple[str, str], float]:
    """(period, measure) → the organisation's mean per person: the unit a continuous sum must stay
    uncertain by (width × this), as a count must by width people."""
    org = table.filter((pl.col("unit_code") == ORG) & pl.col("n").is_not_null() & (pl.col("n") > 0)
                       & pl.col("numerator").is_not_null())
    org = org.with_columns(_m=measure_key(pl.col("kpi"), pl.col("breakdown")),
                           _s=(pl.col("numerator") / pl.col("n")).abs())
    out = {(p, m): s for p, m, s in org.filter(~pl.col("_m").str.starts_with("pay:"))
           .select("period", "_m", "_s").iter_rows()}
    # pay: every cell is measured in the organisation's mean pay over all staff (a hidden cell
    # has no numbers of its own to take a step from)
    pay_kpis = ["gender_pay_ratio", "pay_mean_female", "pay_mean_male"]
    pay = org.filter(pl.col("kpi").is_in(pay_kpis[1:]) & (pl.col("breakdown") == "all"))
    means = pay.group_by("period").agg(_s=pl.col("numerator").sum() / pl.col("n").sum())
    cells = table.filter(pl.col("kpi").is_in(pay_kpis)).select(
        "period", _m=measure_key(pl.col("kpi"), pl.col("breakdown"))).unique()
    for p, m, s in cells.join(means, on="period").select("period", "_m", "_s").iter_rows():
        out[(p, m)] = s
    return out


def audit_systems(systems_: list[System], width: int, table: pl.DataFrame,
                  minimums: dict[str, int] | None = None, keep_organisation: bool = False,
                  steps_: dict[tuple[str, str], float] | None = None) -> pl.DataFrame:
    """Audit some systems; `minimums` gives the smallest showable group ("hr", "survey");
    `keep_organisation`: the organisation's HR figures are statutory (see `statutory`);
    `steps_`: `steps(table)` when the caller already has it."""
    minimums = {"hr": 3, "survey": 5, **(minimums or {})}
    minimums["survey_respondents"] = minimums["survey"]
    st = steps(table) if steps_ is None else steps_
    rows: list[dict] = []
    for s in systems_:
        per = {m: v for (p, m), v in st.items() if p == s.period}
        found = audit_system(s, width, per, minimums.get(s.family.split(":")[0], minimums["hr"]))
        if keep_organisation and not s.family.startswith(("survey", "pay")):
            found = statutory(s, found)
        rows += found
    return pl.DataFrame(rows, schema=RESULT_SCHEMA).with_columns(
        family=pl.col("measure").map_elements(family_of, return_dtype=pl.String))


def statutory(sysm: System, found: list[dict]) -> list[dict]:
    """Mark `statutory` a failing group that no shown cell below the organisation bears on: what
    pins it is the organisation's own figure, which the law has published (e.g. every birth of
    the year in one department: its rate is the organisation's), so hiding more cannot help."""
    near = None
    free = [c for c in sysm.candidates if c.level != "organisation"]
    for t, row in zip(sysm.targets, found, strict=True):
        if row["status"] not in FAILING:
            continue
        near = neighbourhood(sysm) if near is None else near
        if not nearest(near, list({*t.num, *t.size, *(t.gap or {})}), free):
            row["status"] = "statutory"
    return found


def audit(table: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per hidden cell or remainder with its feasible interval and status."""
    return audit_systems(systems(table, ctx), ctx.width, table, ctx.minimums, ctx.keep_organisation)


def failing(results: pl.DataFrame) -> pl.DataFrame:
    return results.filter(pl.col("status").is_in(FAILING))


def gate(results: pl.DataFrame, lang: str = "ja") -> None:
    """Raise DisclosureError when any group is pinned or a group disclosure is provable."""
    bad = failing(results)
    if bad.height:
        raise DisclosureError(bad.sort("cell"), lang)


def summary(results: pl.DataFrame) -> pl.DataFrame:
    """Per family: hidden cells, remainders, protected (incl. provably empty), pinned, group disclosures."""
    return (
        results.group_by("family")
        .agg(
            hidden=pl.col("cell").filter(~pl.col("remainder")).n_unique(),
            remainders=pl.col("cell").filter(pl.col("remainder")).n_unique(),
            protected=pl.col("status").is_in(["protected", "empty", "statutory"]).sum(),
            statutory=(pl.col("status") == "statutory").sum(),
            pinned=(pl.col("status") == "pinned").sum(),
            group_disclosures=pl.col("status").is_in(["none", "all"]).sum(),
        )
        .sort("family")
    )
