"""Key drivers of overall satisfaction, and Cronbach's alpha per dimension.

Drivers answer "which items move together with overall satisfaction here?":

* **correlation**: Pearson r of each driver item with the overall-satisfaction item (the same
  item `staff_satisfaction_rate` uses), pairwise over respondents who answered both.
* **importance**: Pratt's measure from one OLS regression (statsmodels) of standardised
  satisfaction on the standardised driver items (listwise complete respondents):
  ``β_j × r_j / R² × 100``. The shares add up to 100% exactly (Σ β_j r_j = R²), they are
  cheap and explainable; a negative share marks a suppressor item and is shown as such, not
  clipped. When there are too few complete respondents for the regression (≤ items + 1)
  importance is null with a note.
* Units need ``config.min_respondents_drivers`` (20) respondents to the satisfaction item
  (as Viva Glint does); a smaller unit gets the organisation's rows with ``fallback = true``
  and a note, never its own unstable numbers. ``n`` of a fallback row is the organisation's.

Everything is correlational within one wave; the report says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from hrmetrics.messages import message
from hrmetrics.survey.scores import _frame, _place, _registry, _scopes, prepare_items, wave_year

DRIVER_SCHEMA: dict[str, pl.DataType] = {
    "unit_code": pl.String(),
    "wave": pl.String(),
    "item_id": pl.String(),
    "text": pl.String(),
    "dimension": pl.String(),
    "correlation": pl.Float64(),
    "importance": pl.Float64(),
    "n": pl.Int64(),
    "fallback": pl.Boolean(),
    "note": pl.String(),
}
RELIABILITY_SCHEMA: dict[str, pl.DataType] = {
    "wave": pl.String(),
    "dimension": pl.String(),
    "k_items": pl.Int64(),
    "n": pl.Int64(),
    "alpha": pl.Float64(),
    "flag": pl.Boolean(),
}
ALPHA_MIN = 0.7


def _note(key: str, lang: str, **kw: Any) -> str:
    return message(f"drivers.{key}", lang, **kw)


def _inputs(source: Any, items: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame, Any]:
    """(survey long, prepared items, datasets or None) from a dict or a survey frame + items."""
    if isinstance(source, pl.DataFrame | pl.LazyFrame):
        frame = source.collect() if isinstance(source, pl.LazyFrame) else source
        if items is None:
            raise ValueError(
                "survey_items (items=...) が必要です / items= is required with a survey frame"
            )
        return frame, prepare_items(items), None
    survey, raw_items = (
        _frame(source, "survey"),
        items if items is not None else _frame(source, "survey_items"),
    )
    if survey is None or raw_items is None:
        raise ValueError("survey と survey_items が必要です / survey and survey_items are required")
    return survey, prepare_items(raw_items), source


def _reversed(survey: pl.DataFrame, items: pl.DataFrame, wave: str) -> pl.DataFrame:
    return (
        survey.filter(pl.col("wave") == wave)
        .select("wave", "respondent_id", "unit_code", "item_id", pl.col("value").cast(pl.Int64))
        .join(
            items.select("wave", "item_id", "dimension", "k", "reverse", "role", "is_sat"),
            on=["wave", "item_id"],
        )
        .with_columns(
            x=pl.when(pl.col("reverse"))
            .then(pl.col("k") + 1 - pl.col("value"))
            .otherwise("value")
            .cast(pl.Float64),
            year=wave_year(pl.col("wave")),
        )
        .filter(pl.col("x").is_not_null())
    )


def _pratt(frame: pl.DataFrame, driver_ids: list[str]) -> dict[str, float] | None:
    """Pratt importance (%) from OLS on standardised complete cases; None if underdetermined."""
    import statsmodels.api as sm

    wide = frame.pivot(on="item_id", index="respondent_id", values="x").drop_nulls()
    cols = [c for c in driver_ids if c in wide.columns]
    if "_sat" not in wide.columns or not cols or wide.height <= len(cols) + 1:
        return None
    mat = wide.select(["_sat", *cols]).to_numpy().astype(float)
    sd = mat.std(axis=0, ddof=1)
    if np.any(sd == 0):
        return None
    z = (mat - mat.mean(axis=0)) / sd
    fit = sm.OLS(z[:, 0], z[:, 1:]).fit()
    r = np.array([np.corrcoef(z[:, 0], z[:, j + 1])[0, 1] for j in range(len(cols))])
    contrib = np.asarray(fit.params) * r
    if fit.rsquared <= 0:
        return None
    return dict(zip(cols, contrib / fit.rsquared * 100, strict=True))


def drivers(
    source: Any,
    config: Any,
    wave: str | None = None,
    items: pl.DataFrame | None = None,
    view: str = "restated",
    registry: Any = None,
) -> pl.DataFrame:
    """Driver correlations and Pratt importance per unit with enough respondents (see module doc)."""
    survey, its, datasets = _inputs(source, items)
    lang = getattr(config, "lang", "ja")
    minimum = int(getattr(config, "min_respondents_drivers", 20))
    waves = (
        survey.select("wave", y=wave_year(pl.col("wave")))
        .unique()
        .sort("y", "wave")["wave"]
        .to_list()
    )
    wave = wave or (waves[-1] if waves else None)
    if wave is None:
        return pl.DataFrame(schema=DRIVER_SCHEMA)
    ans = _reversed(survey, its, wave)
    reg = _registry(datasets, registry) if datasets is not None else registry
    scoped = _scopes(_place(ans, reg, view, "survey", lang))
    sat = scoped.filter(pl.col("is_sat")).select(
        "level", "unit_code", "respondent_id", y=pl.col("x")
    )
    drv = scoped.filter(pl.col("role") == "driver")
    pairs = drv.join(sat, on=["level", "unit_code", "respondent_id"])
    corr = pairs.group_by("level", "unit_code", "item_id").agg(correlation=pl.corr("x", "y"))
    n_unit = sat.group_by("level", "unit_code").agg(n=pl.col("respondent_id").n_unique())
    ok_units = n_unit.filter(pl.col("n") >= minimum)
    meta = its.filter(pl.col("wave") == wave).select("item_id", "text", "dimension")
    driver_ids = drv["item_id"].unique().sort().to_list()
    rows = []
    model = pl.concat(
        [
            drv.select("level", "unit_code", "respondent_id", "item_id", "x"),
            scoped.filter(pl.col("is_sat")).select(
                "level", "unit_code", "respondent_id", item_id=pl.lit("_sat"), x="x"
            ),
        ]
    ).join(ok_units.select("level", "unit_code"), on=["level", "unit_code"])
    # one partition per unit with enough respondents (a few hundred at most), not per respondent
    for (level, unit), frame in model.partition_by("level", "unit_code", as_dict=True).items():
        imp = _pratt(frame, driver_ids)
        rows.append(
            pl.DataFrame(
                {
                    "unit_code": unit,
                    "item_id": driver_ids,
                    "importance": [None if imp is None else imp.get(i) for i in driver_ids],
                },
                schema={"unit_code": pl.String, "item_id": pl.String, "importance": pl.Float64},
            ).with_columns(
                level=pl.lit(level),
                note=pl.lit(None if imp is not None else _note("few", lang), dtype=pl.String),
            )
        )
    own_schema = {
        "unit_code": pl.String,
        "item_id": pl.String,
        "importance": pl.Float64,
        "level": pl.String,
        "note": pl.String,
    }
    own = (
        (pl.concat(rows) if rows else pl.DataFrame(schema=own_schema))
        .join(corr, on=["level", "unit_code", "item_id"], how="left")
        .join(ok_units, on=["level", "unit_code"])
    )
    own = own.with_columns(fallback=pl.lit(False))
    org = own.filter(pl.col("level") == "organisation")
    small = n_unit.filter(pl.col("n") < minimum, pl.col("level") != "organisation").select(
        "unit_code"
    )
    fb = small.join(org.drop("unit_code", "level"), how="cross").with_columns(
        fallback=pl.lit(True), note=pl.lit(_note("fallback", lang, m=minimum))
    )
    out = pl.concat([own.drop("level"), fb], how="diagonal_relaxed").join(
        meta, on="item_id", how="left"
    )
    return (
        out.with_columns(wave=pl.lit(wave))
        .select([pl.col(c).cast(t) for c, t in DRIVER_SCHEMA.items()])
        .sort("unit_code", "item_id")
    )


def reliability(source: Any, config: Any, items: pl.DataFrame | None = None) -> pl.DataFrame:
    """Cronbach's alpha per wave and dimension (organisation, complete respondents).

    α = k/(k−1) · (1 − Σ s²ᵢ / s²ₜ) with sample variances; `flag` = α < 0.7 (the usual floor
    for a scale to be read as one score). Dimensions of one item have no alpha.
    """
    survey, its, _ = _inputs(source, items)
    x = (
        survey.select("wave", "respondent_id", "item_id", pl.col("value").cast(pl.Int64))
        .join(its.select("wave", "item_id", "dimension", "k", "reverse"), on=["wave", "item_id"])
        .with_columns(
            x=pl.when(pl.col("reverse"))
            .then(pl.col("k") + 1 - pl.col("value"))
            .otherwise("value")
            .cast(pl.Float64)
        )
    )
    k_items = its.group_by("wave", "dimension").agg(k_items=pl.len())
    complete = (
        x.filter(pl.col("x").is_not_null())
        .join(k_items, on=["wave", "dimension"])
        .filter(pl.len().over("wave", "dimension", "respondent_id") == pl.col("k_items"))
    )
    item_var = (
        complete.group_by("wave", "dimension", "item_id")
        .agg(v=pl.col("x").var())
        .group_by("wave", "dimension")
        .agg(sum_var=pl.col("v").sum())
    )
    total = (
        complete.group_by("wave", "dimension", "respondent_id")
        .agg(t=pl.col("x").sum())
        .group_by("wave", "dimension")
        .agg(n=pl.len(), var_t=pl.col("t").var())
    )
    k = pl.col("k_items")
    alpha = pl.when((k >= 2) & (pl.col("n") >= 2) & (pl.col("var_t") > 0)).then(
        k / (k - 1) * (1 - pl.col("sum_var") / pl.col("var_t"))
    )
    out = (
        k_items.join(total, on=["wave", "dimension"], how="left")
        .join(item_var, on=["wave", "dimension"], how="left")
        .with_columns(alpha=alpha, n=pl.col("n").fill_null(0))
    )
    return (
        out.with_columns(flag=pl.col("alpha") < ALPHA_MIN)
        .select([pl.col(c).cast(t) for c, t in RELIABILITY_SCHEMA.items()])
        .sort("wave", "dimension")
    )
