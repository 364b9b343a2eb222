"""Wave-over-wave change of favourable shares, with intervals and a heatmap-wide FDR correction.

A heatmap of units × items makes hundreds of comparisons; at 5% each, dozens would light up by
chance. So every difference gets a Newcomb hybrid-score interval (good coverage for small
groups, unlike the Wald interval), a pooled two-proportion z test, and Benjamini–Hochberg
q-values over the *whole* table; ``significant = q < 0.05``.

Comparability: an item is compared with the item of the same id in the other wave only if its
text is unchanged, or with the item its ``equivalent_to`` names; a dimension only if its set of
(comparable) items is the same in both waves. Suppressed cells in either wave give a row with
``suppressed = true`` and no numbers. Dimension shares pool answers of several items from the
same people, so their test treats answers as independent — a known approximation (documented
in the report notes), conservative items-level tests are the primary view.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from hrmetrics.schemas import CHANGE_NUMBERS, CHANGE_SCHEMA
from hrmetrics.survey.scores import prepare_items, survey_kpis, wave_year


def trend_keys(items: pl.DataFrame) -> pl.DataFrame:
    """`wave, item_id → trend_key`: the series an item belongs to across waves.

    Same id and same text (NFKC, spaces removed) → same series; `equivalent_to` → the named
    item's series; same id with new wording → a new series `<id>@<wave>`.
    """
    f = prepare_items(items) if "k" not in items.columns else items
    f = f.with_columns(
        _y=wave_year(pl.col("wave")),
        _t=pl.col("text").str.normalize("NFKC").str.replace_all(r"\s+", ""),
    )
    first_text = f.sort("_y").group_by("item_id").agg(_t0=pl.col("_t").first())
    f = f.join(first_text, on="item_id").with_columns(
        own=pl.when(pl.col("_t") == pl.col("_t0"))
        .then(pl.col("item_id"))
        .otherwise(pl.col("item_id") + "@" + pl.col("wave"))
    )
    target = f.select(equivalent_to="item_id", _eq_key="own").unique("equivalent_to", keep="first")
    return f.join(target, on="equivalent_to", how="left").select(
        "wave", "item_id", "text", trend_key=pl.coalesce("_eq_key", "own")
    )


def _default_waves(
    kpis: pl.DataFrame, from_wave: str | None, to_wave: str | None
) -> tuple[str, str] | None:
    waves = kpis.select("period", "year").unique().sort("year", "period")["period"].to_list()
    if to_wave is None:
        to_wave = waves[-1] if waves else None
    if from_wave is None and to_wave in waves:
        i = waves.index(to_wave)
        from_wave = waves[i - 1] if i > 0 else None
    if from_wave is None or to_wave is None:
        return None
    return from_wave, to_wave


def _side(kpis: pl.DataFrame, wave: str, keys: pl.DataFrame | None) -> pl.DataFrame:
    """Favourable rows of one wave with a comparable `key` per scope."""
    fav = kpis.filter(
        pl.col("period") == wave, pl.col("kpi").is_in(["item_favourable", "dimension_favourable"])
    )
    fav = fav.with_columns(
        scope=pl.when(pl.col("kpi") == "item_favourable")
        .then(pl.lit("item"))
        .otherwise(pl.lit("dimension"))
    )
    if keys is None:
        return fav.with_columns(
            key=pl.col("breakdown"), label=pl.col("breakdown"), _dimkey=pl.col("breakdown")
        )
    k = keys.filter(pl.col("wave") == wave)
    fav = fav.join(
        k.select(breakdown="item_id", _tk="trend_key", _text="text"), on="breakdown", how="left"
    )
    return fav.with_columns(
        key=pl.when(pl.col("scope") == "item")
        .then(pl.coalesce("_tk", "breakdown"))
        .otherwise("breakdown"),
        label=pl.when(pl.col("scope") == "item")
        .then(pl.coalesce("_text", "breakdown"))
        .otherwise("breakdown"),
    )


def _comparable_dimensions(
    items: pl.DataFrame, keys: pl.DataFrame, w_from: str, w_to: str
) -> list[str]:
    """Dimensions whose item series are identical in both waves (else no dimension trend)."""
    sets = (
        prepare_items(items)
        .join(keys.select("wave", "item_id", "trend_key"), on=["wave", "item_id"])
        .filter(pl.col("wave").is_in([w_from, w_to]))
        .group_by("wave", "dimension")
        .agg(s=pl.col("trend_key").sort().str.join("|"))
    )
    a = sets.filter(pl.col("wave") == w_from).select("dimension", a="s")
    b = sets.filter(pl.col("wave") == w_to).select("dimension", b="s")
    return a.join(b, on="dimension").filter(pl.col("a") == pl.col("b"))["dimension"].to_list()


def _tests(f: pl.DataFrame) -> pl.DataFrame:
    """Newcomb interval, pooled z test, BH q-values for visible pairs (statsmodels boundary)."""
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    ok = f.filter(~pl.col("suppressed"))
    if ok.is_empty():
        return f
    c1, n1 = ok["num_to"].to_numpy(), ok["den_to"].to_numpy()
    c0, n0 = ok["num_from"].to_numpy(), ok["den_from"].to_numpy()
    lo, hi, z, p = [], [], [], []
    for a, na, b, nb in zip(
        c1, n1, c0, n0, strict=True
    ):  # one per heatmap cell, not per respondent
        low, high = confint_proportions_2indep(a, na, b, nb, method="newcomb")
        lo.append(low * 100)
        hi.append(high * 100)
        pooled = (a + b) / (na + nb)
        if pooled in (0.0, 1.0):  # identical all-0/all-1 shares: no evidence of change
            z.append(0.0)
            p.append(1.0)
        else:
            zz, pp = proportions_ztest(np.array([a, b]), np.array([na, nb]))
            z.append(float(zz))
            p.append(float(pp))
    q = multipletests(p, method="fdr_bh")[1]
    ok = ok.with_columns(
        diff_low=pl.Series(lo),
        diff_high=pl.Series(hi),
        z=pl.Series(z),
        p_value=pl.Series(p),
        q_value=pl.Series(q),
    )
    return pl.concat([ok, f.filter(pl.col("suppressed"))], how="diagonal_relaxed")


def wave_changes(
    kpis_or_source: Any,
    config: Any,
    from_wave: str | None = None,
    to_wave: str | None = None,
    items: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Unit × item and unit × dimension changes between two waves (default: the last two).

    Pass the KPI table (and `items`, the survey_items master, for wording checks) or a dict of
    datasets (then both are taken from it). Without `items`, items are matched by id only.
    """
    if isinstance(kpis_or_source, pl.DataFrame):
        kpis = kpis_or_source
    else:
        kpis = survey_kpis(kpis_or_source, config)
        src_items = kpis_or_source.get("survey_items") if isinstance(kpis_or_source, dict) else None
        if items is None and src_items is not None:
            items = src_items.collect() if isinstance(src_items, pl.LazyFrame) else src_items
    kpis = kpis.filter(pl.col("period_type") == "wave")
    if "view" in kpis.columns and kpis["view"].n_unique() > 1:
        kpis = kpis.filter(pl.col("view") == "restated")
    waves = _default_waves(kpis, from_wave, to_wave)
    if waves is None:
        return pl.DataFrame(schema=CHANGE_SCHEMA)
    w0, w1 = waves
    keys = trend_keys(items) if items is not None else None
    a, b = _side(kpis, w0, keys), _side(kpis, w1, keys)
    cols = ["level", "unit_code", "scope", "key"]
    pair = b.select(
        *cols,
        "unit_name",
        "label",
        fav_to="value",
        num_to="numerator",
        den_to="denominator",
        n_to="n",
        _s1="suppressed",
    ).join(
        a.select(
            *cols,
            fav_from="value",
            num_from="numerator",
            den_from="denominator",
            n_from="n",
            _s0="suppressed",
        ),
        on=cols,
        how="inner",
    )
    if keys is not None:
        dims = _comparable_dimensions(items, keys, w0, w1)
        pair = pair.filter((pl.col("scope") == "item") | pl.col("key").is_in(dims))
    pair = pair.with_columns(
        suppressed=pl.col("_s0") | pl.col("_s1"),
        wave_from=pl.lit(w0),
        wave_to=pl.lit(w1),
        diff=pl.col("fav_to") - pl.col("fav_from"),
    )
    out = _tests(pair)
    for c, t in CHANGE_SCHEMA.items():
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=t).alias(c))
    hide = pl.col("suppressed")
    out = out.with_columns(
        *[pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in CHANGE_NUMBERS],
        significant=pl.when(hide).then(None).otherwise(pl.col("q_value") < 0.05),
    )
    return out.select([pl.col(c).cast(t) for c, t in CHANGE_SCHEMA.items()]).sort(
        "scope", "key", "level", "unit_code"
    )
