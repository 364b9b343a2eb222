"""Survey KPIs in the long KPI-table schema (organisation, departments, divisions per wave).

Definitions (DESIGN.md §3, kpis/catalog.py), with the choices the brief leaves open:

* **Reverse-coded items** are reversed first (x → k + 1 − x), for every item KPI.
* **Favourable / unfavourable** = top-two / bottom-two boxes (x ≥ k − 1 / x ≤ 2), neutral the
  rest (empty on a 4-point scale). On a 3-point scale only the top / bottom box counts. An
  11-point (0–10, stored 1–11) item is favourable at 9–10 as answered.
* **item_score / dimension_score** = mean of (x − 1)/(k − 1) × 100; `item_sd` is the sample SD.
* **staff_satisfaction_rate** is `item_favourable` of *the* overall-satisfaction item of the
  wave: the outcome item whose text contains 満足 / "satisf" (or whose id contains "sat"),
  else the first outcome item in the master's order. One rule, so the KPI never silently
  switches to another item between waves unless the master changes.
* **engagement_index**: each respondent's mean over the outcome items they answered, rescaled
  to 0–100, averaged over respondents (numerator = sum of respondent indices).
* **survey_response_rate**: respondents ÷ staff on the wave FY's April-1 snapshot (`staff`
  rows with `as_of` = 1 April), both placed in units by the same registry view.
* `n` is respondents (per item: those who answered it; per dimension: those who answered any
  of its items). Dimension shares are over all the dimension's answers.

Suppression (anonymity.py) runs before the frame leaves this module, so no caller ever holds an
unsuppressed small cell.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from hrmetrics.kpis.spec import stable_sum
from hrmetrics.orgs import ORG_CODE
from hrmetrics.schemas import KPI_SCHEMA
from hrmetrics.survey.anonymity import ENGAGEMENT, RESPONDENTS, apply_suppression

_KEYS = ["period", "year", "level", "unit_code", "parent_code"]


def _frame(datasets: Any, name: str) -> pl.DataFrame | None:
    """A dataset from a dict (or a Store-like object with `scan`) as an eager frame, or None."""
    if isinstance(datasets, dict):
        f = datasets.get(name)
    elif hasattr(datasets, "datasets"):
        f = datasets.datasets().get(name)
    else:
        f = None
    if f is None:
        return None
    return f.collect() if isinstance(f, pl.LazyFrame) else f


def empty_kpis() -> pl.DataFrame:
    """A KPI table with no rows."""
    return pl.DataFrame(schema=KPI_SCHEMA)


def wave_year(expr: pl.Expr) -> pl.Expr:
    """`FY2024` → 2024 (null for labels that are not fiscal years)."""
    return expr.str.extract(r"^FY(\d{4})$", 1).cast(pl.Int64)


def prepare_items(items: pl.DataFrame) -> pl.DataFrame:
    """The item master typed, with `is_sat` marking each wave's overall-satisfaction item."""
    f = items.with_row_index("_order").with_columns(
        pl.col("wave").cast(pl.String),
        pl.col("item_id").cast(pl.String),
        pl.col("text").cast(pl.String),
        pl.col("dimension").cast(pl.String),
        k=pl.col("scale_points").cast(pl.Int64),
        reverse=(
            pl.col("reverse").cast(pl.Boolean).fill_null(False)
            if "reverse" in items.columns
            else pl.lit(False)
        ),
        role=pl.col("role").cast(pl.String).fill_null("driver"),
        equivalent_to=(
            pl.col("equivalent_to").cast(pl.String)
            if "equivalent_to" in items.columns
            else pl.lit(None, dtype=pl.String)
        ),
        derived=(
            pl.col("derived").cast(pl.Boolean).fill_null(False)
            if "derived" in items.columns
            else pl.lit(False)
        ),
    )
    outcome = pl.col("role") == "outcome"
    looks_sat = (
        pl.col("text").str.contains("満足")
        | pl.col("text").str.to_lowercase().str.contains("satisf")
        | pl.col("item_id").str.to_lowercase().str.contains("sat")
    )
    rank = pl.when(outcome & looks_sat).then(0).when(outcome).then(1).otherwise(2)
    f = f.with_columns(_key=rank * 1_000_000 + pl.col("_order")).with_columns(
        is_sat=(pl.col("_key") < 2_000_000) & (pl.col("_key") == pl.col("_key").min().over("wave"))
    )
    return f.drop("_key", "_order", "scale_points", strict=False)


def _registry(datasets: Any, registry: Any) -> Any:
    if registry is not None:
        return registry
    org = _frame(datasets, "org_units")
    if org is None or org.is_empty():
        return None
    from hrmetrics.orgs import OrgRegistry

    return OrgRegistry.from_frame(org)


def _place(frame: pl.DataFrame, registry: Any, view: str, dataset: str, lang: str) -> pl.DataFrame:
    """Add `_division`, `_department` (the reported units) by the registry's view."""
    if registry is None:  # no organisation chart: every unit is a division without a department
        return frame.with_columns(
            _division=pl.col("unit_code"), _department=pl.lit(None, dtype=pl.String)
        )
    keys = frame.select("unit_code", fiscal_year=pl.col("year")).unique()
    resolved = registry.resolve(keys, view=view, dataset=dataset, lang=lang)
    return frame.join(
        resolved.rename({"fiscal_year": "year"}), on=["unit_code", "year"], how="left"
    )


def _scopes(frame: pl.DataFrame) -> pl.DataFrame:
    """Stack organisation, department and division copies of a placed frame."""
    base = frame.drop("unit_code")
    org = base.with_columns(
        level=pl.lit("organisation"),
        unit_code=pl.lit(ORG_CODE),
        parent_code=pl.lit(None, dtype=pl.String),
    )
    dept = base.filter(pl.col("_department").is_not_null()).with_columns(
        level=pl.lit("department"),
        unit_code=pl.col("_department"),
        parent_code=pl.lit(None, dtype=pl.String),
    )
    div = base.filter(pl.col("_division").is_not_null()).with_columns(
        level=pl.lit("division"), unit_code=pl.col("_division"), parent_code=pl.col("_department")
    )
    return pl.concat([org, dept, div], how="vertical_relaxed")


def _answers(survey: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Survey rows joined to the master; `x` reversed where needed, `r` rescaled to 0–100."""
    x = pl.col("value").cast(pl.Int64)
    return (
        survey.select(
            pl.col("wave").cast(pl.String),
            pl.col("respondent_id").cast(pl.String),
            pl.col("unit_code").cast(pl.String),
            pl.col("item_id").cast(pl.String),
            x.alias("value"),
        )
        .join(
            items.select("wave", "item_id", "dimension", "k", "reverse", "role", "is_sat", "derived"),
            on=["wave", "item_id"],
            how="inner",
        )
        .with_columns(
            x=pl.when(pl.col("reverse")).then(pl.col("k") + 1 - pl.col("value")).otherwise("value"),
            year=wave_year(pl.col("wave")),
            period=pl.col("wave"),
        )
        .with_columns(r=(pl.col("x") - 1) / (pl.col("k") - 1) * 100)
    )


def _box_exprs() -> tuple[pl.Expr, pl.Expr]:
    k, x = pl.col("k"), pl.col("x")
    fav = pl.when(k >= 4).then(x >= k - 1).otherwise(x >= k)
    unf = pl.when(k >= 4).then(x <= 2).otherwise(x <= 1)
    return fav, unf


def _row(
    kpi: str,
    unit: str,
    value: pl.Expr,
    num: pl.Expr | None,
    den: pl.Expr | None,
    measure: pl.Expr,
    breakdown: pl.Expr | None,
) -> list[pl.Expr]:
    return [
        pl.lit(kpi).alias("kpi"),
        (breakdown if breakdown is not None else pl.lit(None, pl.String)).alias("breakdown"),
        value.cast(pl.Float64).alias("value"),
        (num if num is not None else pl.lit(None, pl.Float64)).cast(pl.Float64).alias("numerator"),
        (den if den is not None else pl.lit(None, pl.Float64))
        .cast(pl.Float64)
        .alias("denominator"),
        pl.lit(unit).alias("unit"),
        measure.alias("_measure"),
    ]


def _item_rows(scoped: pl.DataFrame) -> pl.DataFrame:
    fav, unf = _box_exprs()
    agg = (
        scoped.filter(pl.col("x").is_not_null())
        .group_by(*_KEYS, "item_id", "is_sat")
        .agg(
            n=pl.len(),
            fav=fav.sum(),
            unf=unf.sum(),
            total=stable_sum(pl.col("x")),
            sd=pl.col("x").sort().std(),  # fixed order, as stable_sum: reproducible to the bit
            rsum=stable_sum(pl.col("r")),
        )
        .with_columns(neu=pl.col("n") - pl.col("fav") - pl.col("unf"))
    )
    m, b, n = pl.lit("item:") + pl.col("item_id"), pl.col("item_id"), pl.col("n")
    pct = lambda c: pl.col(c) / n * 100  # noqa: E731
    specs = [
        ("item_favourable", "%", pct("fav"), pl.col("fav"), n),
        ("item_neutral", "%", pct("neu"), pl.col("neu"), n),
        ("item_unfavourable", "%", pct("unf"), pl.col("unf"), n),
        ("item_mean", "score", pl.col("total") / n, pl.col("total"), n),
        ("item_sd", "score", pl.col("sd"), None, None),
        ("item_score", "score", pl.col("rsum") / n, pl.col("rsum"), n),
    ]
    parts = [agg.select(*_KEYS, "n", *_row(k, u, v, nu, de, m, b)) for k, u, v, nu, de in specs]
    sat = agg.filter(pl.col("is_sat")).select(
        *_KEYS, "n", *_row("staff_satisfaction_rate", "%", pct("fav"), pl.col("fav"), n, m, None)
    )
    return pl.concat([*parts, sat])


def _dimension_rows(scoped: pl.DataFrame) -> pl.DataFrame:
    fav, _ = _box_exprs()
    agg = (
        scoped.filter(pl.col("x").is_not_null() & pl.col("dimension").is_not_null())
        .group_by(*_KEYS, "dimension")
        .agg(
            n=pl.col("respondent_id").n_unique(),
            answers=pl.len(),
            fav=fav.sum(),
            rsum=stable_sum(pl.col("r")),
        )
    )
    m, b, a = pl.lit("dim:") + pl.col("dimension"), pl.col("dimension"), pl.col("answers")
    return pl.concat(
        [
            agg.select(
                *_KEYS,
                "n",
                *_row("dimension_favourable", "%", pl.col("fav") / a * 100, pl.col("fav"), a, m, b),
            ),
            agg.select(
                *_KEYS,
                "n",
                *_row("dimension_score", "score", pl.col("rsum") / a, pl.col("rsum"), a, m, b),
            ),
        ]
    )


def _engagement_rows(answers: pl.DataFrame, registry: Any, view: str, lang: str) -> pl.DataFrame:
    per_resp = (
        answers.filter((pl.col("role") == "outcome") & ~pl.col("derived") & pl.col("x").is_not_null())
        .group_by("period", "year", "respondent_id", "unit_code")
        .agg(eng=pl.col("r").sort().mean())  # fixed order, as stable_sum: reproducible to the bit
    )
    scoped = _scopes(_place(per_resp, registry, view, "survey", lang))
    agg = scoped.group_by(*_KEYS).agg(n=pl.len(), s=stable_sum(pl.col("eng")))
    return agg.select(
        *_KEYS,
        "n",
        *_row(
            "engagement_index",
            "score",
            pl.col("s") / pl.col("n"),
            pl.col("s"),
            pl.col("n"),
            pl.lit(ENGAGEMENT),
            None,
        ),
    )


def _staff_counts(datasets: Any, registry: Any, view: str, lang: str) -> pl.DataFrame | None:
    """Staff on each FY's April-1 snapshot per scope (`year`, level, unit_code → staff)."""
    staff = _frame(datasets, "staff")
    if staff is None or staff.is_empty():
        return None
    snap = (
        staff.with_columns(pl.col("as_of").cast(pl.Date))
        .filter((pl.col("as_of").dt.month() == 4) & (pl.col("as_of").dt.day() == 1))
        .select(
            pl.col("unit_code").cast(pl.String),
            "staff_id",
            year=pl.col("as_of").dt.year().cast(pl.Int64),
        )
    )
    scoped = _scopes(_place(snap, registry, view, "staff", lang))
    return scoped.group_by("year", "level", "unit_code").agg(staff=pl.col("staff_id").n_unique())


def _response_rows(
    answers: pl.DataFrame, datasets: Any, registry: Any, view: str, lang: str
) -> pl.DataFrame:
    """`survey_response_rate` plus internal `_respondents` rows (the unit's anonymity cell)."""
    resp = answers.select("period", "year", "respondent_id", "unit_code").unique()
    scoped = _scopes(_place(resp, registry, view, "survey", lang))
    agg = scoped.group_by(*_KEYS).agg(n=pl.col("respondent_id").n_unique())
    cells = agg.select(
        *_KEYS,
        "n",
        *_row("_respondents", "people", pl.col("n"), pl.col("n"), None, pl.lit(RESPONDENTS), None),
    )
    staff = _staff_counts(datasets, registry, view, lang)
    if staff is None:
        return cells
    rate = agg.join(staff, on=["year", "level", "unit_code"], how="inner").filter(
        pl.col("staff") > 0
    )
    return pl.concat(
        [
            cells,
            rate.select(
                *_KEYS,
                "n",
                *_row(
                    "survey_response_rate",
                    "%",
                    pl.col("n") / pl.col("staff") * 100,
                    pl.col("n"),
                    pl.col("staff"),
                    pl.lit(RESPONDENTS),
                    None,
                ),
            ),
        ]
    )


def _names(rows: pl.DataFrame, registry: Any, view: str, config: Any) -> pl.DataFrame:
    org_name = getattr(config, "organisation_name", "組織全体")
    if registry is None:
        name = pl.col("unit_code")
    else:
        by_year, latest = registry.names(view)
        rows = rows.join(latest.rename({"unit_name": "_latest"}), on="unit_code", how="left")
        if view == "as_was":
            rows = rows.join(
                by_year.rename({"unit_name": "_then"}), on=["unit_code", "year"], how="left"
            )
            name = pl.coalesce("_then", "_latest", "unit_code")
        else:
            name = pl.coalesce("_latest", "unit_code")
    rows = rows.with_columns(
        unit_name=pl.when(pl.col("level") == "organisation").then(pl.lit(org_name)).otherwise(name)
    )
    return rows.drop("_latest", "_then", strict=False)


def survey_frames(datasets: Any, config: Any = None) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """(survey, prepared items) or None without answers or items.

    Items are the 設問マスタ's, plus — for waves it does not cover — the items derived from the
    export and stored with the answers (`derived = true`, no dimension; survey/derive.py).
    """
    from hrmetrics.survey.derive import derived_items

    survey, items = _frame(datasets, "survey"), _frame(datasets, "survey_items")
    if survey is None or survey.is_empty():
        return None
    master = items if items is not None and not items.is_empty() else None
    known = master["wave"].cast(pl.String).unique().to_list() if master is not None else []
    overall = getattr(config, "survey_overall_item", None)
    derived = derived_items(survey, overall, known)
    parts = [master.with_columns(derived=pl.lit(False))] if master is not None else []
    if derived.height:
        parts.append(derived)
    if not parts:
        return None
    return survey, prepare_items(pl.concat(parts, how="diagonal_relaxed"))


def survey_kpis(
    datasets: dict[str, pl.LazyFrame | pl.DataFrame],
    config: Any,
    view: str = "restated",
    registry: Any = None,
) -> pl.DataFrame:
    """All survey KPIs for organisation, departments and divisions, suppressed (anonymity.py)."""
    frames = survey_frames(datasets, config)
    if frames is None:
        return empty_kpis()
    survey, items = frames
    lang = getattr(config, "lang", "ja")
    reg = _registry(datasets, registry)
    answers = _answers(survey, items)
    scoped = _scopes(_place(answers, reg, view, "survey", lang))
    rows = pl.concat(
        [
            _item_rows(scoped),
            _dimension_rows(scoped),
            _engagement_rows(answers, reg, view, lang),
            _response_rows(answers, datasets, reg, view, lang),
        ],
        how="vertical_relaxed",
    )
    dims = items.filter(pl.col("dimension").is_not_null()).select(
        period="wave", item_id="item_id", dimension="dimension"
    )
    outcome = items.filter((pl.col("role") == "outcome") & ~pl.col("derived")).select(
        period="wave", item_id="item_id"
    )
    rows = apply_suppression(rows.with_columns(pl.col("n").cast(pl.Int64)), config, dims, outcome)
    rows = _names(rows.filter(pl.col("kpi") != "_respondents"), reg, view, config)
    return (
        rows.with_columns(period_type=pl.lit("wave"), view=pl.lit(view))
        .select([pl.col(c).cast(t) for c, t in KPI_SCHEMA.items()])
        .sort("kpi", "period", "level", "unit_code", "breakdown", nulls_last=True)
    )
