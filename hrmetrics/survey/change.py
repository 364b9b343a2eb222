"""Wave-over-wave change of favourable shares, with intervals that treat the respondent as the unit.

**Items.** One respondent gives one answer to an item, so an item's favourable share is a
proportion of respondents: the difference gets a Newcomb hybrid-score interval (good coverage
for small groups, unlike Wald) and a pooled two-proportion z test.

**Dimensions.** A dimension's favourable share pools the answers of several items *from the
same people*; answers of one person move together, so testing them as independent answers
(438 answers from 111 people counted as 438 observations) gives intervals about half as wide
as they should be. The share is a ratio estimator R = Σ fᵢ / Σ aᵢ over respondents i (fᵢ
favourable answers out of aᵢ answered), so its variance is taken by linearisation over
respondents (the survey-sampling standard, as in R's `survey` package): zᵢ = (fᵢ − R aᵢ) / ā,
Var(R) = s²_z / n. The wave difference then gets a Welch interval and t test (Welch–
Satterthwaite degrees of freedom). When every respondent answers every item this is exactly
Welch's test on the respondents' own favourable shares. The published share is unchanged (the
same number as the heatmap), only its uncertainty is honest. `tests/test_survey_change.py`
simulates clustered answers and checks that nominal 95% intervals cover 93–97%.

**Families.** Benjamini–Hochberg q-values are computed within one *family*: the comparisons
one display shows. `family = "dimension/divisions"` is the survey heatmap (one wave pair ×
the organisation and its divisions × the dimensions); departments' dimensions, and items at
each of those levels, are families of their own. The report states the family and its size
under the heatmap; ``significant = q < 0.05``.

Comparability: an item is compared with the item of the same id in the other wave only if its
text is unchanged, or with the item its ``equivalent_to`` names; a dimension only if its set of
(comparable) items is the same in both waves. Suppressed cells in either wave give a row with
``suppressed = true`` and no numbers. Waves are treated as independent samples; when the same
people answer both waves the interval is conservative (too wide), never too narrow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from hrmetrics.kpis.spec import stable_sum
from hrmetrics.schemas import CHANGE_NUMBERS, CHANGE_SCHEMA
from hrmetrics.survey.scores import prepare_items, survey_frames, survey_kpis, wave_year


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
        (prepare_items(items) if "k" not in items.columns else items)
        .join(keys.select("wave", "item_id", "trend_key"), on=["wave", "item_id"])
        .filter(pl.col("wave").is_in([w_from, w_to]) & pl.col("dimension").is_not_null())
        .group_by("wave", "dimension")
        .agg(s=pl.col("trend_key").sort().str.join("|"))
    )
    a = sets.filter(pl.col("wave") == w_from).select("dimension", a="s")
    b = sets.filter(pl.col("wave") == w_to).select("dimension", b="s")
    return a.join(b, on="dimension").filter(pl.col("a") == pl.col("b"))["dimension"].to_list()


FAMILY_HEATMAP = "dimension/divisions"
"""The survey heatmap's family: dimensions × (organisation + divisions) for one wave pair."""


def family_expr() -> pl.Expr:
    """The BH family of a comparison: its scope and whether it is a department row.

    The organisation row belongs with the divisions because the heatmap shows them together.
    """
    tier = pl.when(pl.col("level") == "department").then(pl.lit("departments")).otherwise(
        pl.lit("divisions")
    )
    return pl.concat_str([pl.col("scope"), tier], separator="/")


def ratio_stats(per_respondent: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Favourable share and its variance per group, with the respondent as the unit.

    `per_respondent` has one row per respondent and group: `f` favourable answers out of `a`
    answers. The share R = Σf / Σa (in %) is the ratio estimator; its variance (in %²) comes
    from linearisation over respondents, zᵢ = (fᵢ − R aᵢ) / ā, Var(R) = Σ zᵢ² / ((n − 1) n).
    """
    f, a = pl.col("f").cast(pl.Float64), pl.col("a").cast(pl.Float64)
    r = f.sum().over(keys) / a.sum().over(keys)
    lin = per_respondent.with_columns(
        _z=(f - r * a) / a.mean().over(keys), _r=r
    ).with_columns(_z2=pl.col("_z") ** 2)
    n = pl.len()
    return lin.group_by(keys).agg(
        n_resp=n.cast(pl.Int64),
        share=pl.col("_r").first() * 100,
        var=pl.when(n > 1).then(stable_sum(pl.col("_z2")) / ((n - 1) * n) * 10_000),
    )


def respondent_dimension_stats(source: Any, config: Any, view: str = "restated") -> pl.DataFrame:
    """`period, level, unit_code, dimension → n_resp, share, var` from the answers themselves.

    The same placement in units and the same favourable rule as the KPI table
    (`survey.scores`), so `share` equals `dimension_favourable` of the cell.
    """
    from hrmetrics.survey.scores import _answers, _box_exprs, _place, _registry, _scopes

    frames = survey_frames(source, config)
    keys = ["period", "level", "unit_code", "dimension"]
    if frames is None:
        return pl.DataFrame(
            schema={**dict.fromkeys(keys, pl.String), "n_resp": pl.Int64, "share": pl.Float64,
                    "var": pl.Float64}
        )
    survey, items = frames
    lang = getattr(config, "lang", "ja")
    reg = _registry(source, None)
    scoped = _scopes(_place(_answers(survey, items), reg, view, "survey", lang))
    fav, _ = _box_exprs()
    per = (
        scoped.filter(pl.col("x").is_not_null())
        .group_by(*keys, "respondent_id")
        .agg(f=fav.sum(), a=pl.len())
    )
    return ratio_stats(per, keys)


def welch_difference(
    share0: np.ndarray, var0: np.ndarray, n0: np.ndarray,
    share1: np.ndarray, var1: np.ndarray, n1: np.ndarray, level: float = 0.95,
) -> dict[str, np.ndarray]:
    """Difference share1 − share0 with a Welch interval, t statistic and two-sided p-value.

    Degrees of freedom by Welch–Satterthwaite. Where both variances are 0 (every respondent
    answered alike in both waves) there is no spread to estimate: the interval falls back to
    Newcomb's with one "answer" per respondent, so it is never of zero width.
    """
    from scipy import stats

    diff = share1 - share0
    v = var0 + var1
    with np.errstate(divide="ignore", invalid="ignore"):
        df = v**2 / (var0**2 / (n0 - 1) + var1**2 / (n1 - 1))
        t = diff / np.sqrt(v)
        p = 2 * stats.t.sf(np.abs(t), df)
        half = stats.t.ppf(0.5 + level / 2, df) * np.sqrt(v)
    lo, hi = diff - half, diff + half
    for i in np.flatnonzero(~(v > 0)):  # degenerate cells only: a handful at most
        c1, c0 = share1[i] / 100 * n1[i], share0[i] / 100 * n0[i]
        lo[i], hi[i], t[i], p[i] = _newcomb_z(c1, n1[i], c0, n0[i], level)
    return {"diff": diff, "diff_low": lo, "diff_high": hi, "z": t, "p_value": p}


def _newcomb_z(
    c1: float, n1: float, c0: float, n0: float, level: float = 0.95
) -> tuple[float, float, float, float]:
    """(low, high) Newcomb hybrid-score interval in points, pooled z and its p (statsmodels)."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    low, high = confint_proportions_2indep(c1, n1, c0, n0, method="newcomb", alpha=1 - level)
    pooled = (c1 + c0) / (n1 + n0)
    if pooled in (0.0, 1.0):  # identical all-0/all-1 shares: no evidence of change
        return low * 100, high * 100, 0.0, 1.0
    z, p = proportions_ztest(np.array([c1, c0]), np.array([n1, n0]))
    return low * 100, high * 100, float(z), float(p)


def _item_tests(ok: pl.DataFrame) -> pl.DataFrame:
    """Newcomb interval and pooled z test per item cell: one answer per respondent."""
    cols = ("num_to", "den_to", "num_from", "den_from")
    res = [_newcomb_z(*r) for r in ok.select(cols).iter_rows()]  # one per displayed cell
    lo, hi, z, p = (list(c) for c in zip(*res, strict=True)) if res else ([], [], [], [])
    return ok.with_columns(
        diff_low=pl.Series(lo, dtype=pl.Float64),
        diff_high=pl.Series(hi, dtype=pl.Float64),
        z=pl.Series(z, dtype=pl.Float64),
        p_value=pl.Series(p, dtype=pl.Float64),
        method=pl.lit("newcomb"),
    )


def _dimension_tests(ok: pl.DataFrame, stats: pl.DataFrame | None) -> pl.DataFrame:
    """Welch test on respondent-level linearised shares; untested without the answers."""
    none = ok.with_columns(
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("diff_low", "diff_high", "z", "p_value")],
        method=pl.lit(None, dtype=pl.String),
    )
    if stats is None or ok.is_empty():
        return none
    keys = ["level", "unit_code", "key"]
    s = stats.rename({"dimension": "key"})
    f = ok.join(
        s.select(*keys, wave_from="period", _n0="n_resp", _sh0="share", _v0="var"),
        on=[*keys, "wave_from"], how="left",
    ).join(
        s.select(*keys, wave_to="period", _n1="n_resp", _sh1="share", _v1="var"),
        on=[*keys, "wave_to"], how="left",
    )
    have = f.filter(pl.col("_v0").is_not_null() & pl.col("_v1").is_not_null())
    if have.is_empty():
        return none
    arr = {c: have[c].cast(pl.Float64).to_numpy() for c in ("_sh0", "_v0", "_n0", "_sh1", "_v1", "_n1")}
    res = welch_difference(arr["_sh0"], arr["_v0"], arr["_n0"], arr["_sh1"], arr["_v1"], arr["_n1"])
    have = have.with_columns(
        *[pl.Series(c, res[c], dtype=pl.Float64) for c in ("diff_low", "diff_high", "z", "p_value")],
        method=pl.lit("respondent_welch"),
    )
    rest = f.join(have.select(*keys), on=keys, how="anti")
    rest = rest.with_columns(
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("diff_low", "diff_high", "z", "p_value")],
        method=pl.lit(None, dtype=pl.String),
    )
    return pl.concat([have, rest], how="diagonal_relaxed").drop(
        "_n0", "_sh0", "_v0", "_n1", "_sh1", "_v1"
    )


def _bh(f: pl.DataFrame) -> pl.DataFrame:
    """Benjamini–Hochberg q-values within each family (see the module docstring)."""
    from statsmodels.stats.multitest import multipletests

    parts = []
    for (_fam,), g in f.group_by(["family"], maintain_order=True):
        tested = g.filter(pl.col("p_value").is_not_null())
        q = multipletests(tested["p_value"].to_numpy(), method="fdr_bh")[1] if tested.height else []
        parts.append(tested.with_columns(q_value=pl.Series(q, dtype=pl.Float64)))
        parts.append(g.filter(pl.col("p_value").is_null()).with_columns(
            q_value=pl.lit(None, dtype=pl.Float64)))
    return pl.concat(parts, how="diagonal_relaxed")


def _tests(f: pl.DataFrame, stats: pl.DataFrame | None) -> pl.DataFrame:
    """Intervals and tests for visible pairs, then BH q-values per family."""
    f = f.with_columns(family=family_expr())
    ok = f.filter(~pl.col("suppressed"))
    if ok.is_empty():
        return f
    tested = pl.concat(
        [
            _item_tests(ok.filter(pl.col("scope") == "item")),
            _dimension_tests(ok.filter(pl.col("scope") == "dimension"), stats),
        ],
        how="diagonal_relaxed",
    )
    return pl.concat([_bh(tested), f.filter(pl.col("suppressed"))], how="diagonal_relaxed")


def bh_family_size(changes: pl.DataFrame, family: str = FAMILY_HEATMAP) -> int:
    """How many tested comparisons the family holds (what the report states under the heatmap)."""
    if changes.is_empty() or "family" not in changes.columns:
        return 0
    return changes.filter(
        (pl.col("family") == family) & pl.col("p_value").is_not_null()
    ).height


def wave_changes(
    kpis_or_source: Any,
    config: Any,
    from_wave: str | None = None,
    to_wave: str | None = None,
    items: pl.DataFrame | None = None,
    source: Any = None,
) -> pl.DataFrame:
    """Unit × item and unit × dimension changes between two waves (default: the last two).

    Pass the KPI table and `source` (the datasets it was computed from: a dict or a Store), or
    the source alone. The source gives the item master (for wording checks) and the answers
    the dimension intervals need (respondent as the unit). With the KPI table alone, items are
    matched by id and dimension changes carry no interval or test.
    """
    if isinstance(kpis_or_source, pl.DataFrame):
        kpis = kpis_or_source
    else:
        source = kpis_or_source
        kpis = survey_kpis(source, config)
    if source is not None and items is None:
        frames = survey_frames(source, config)
        items = frames[1] if frames is not None else None
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
    if keys is not None and items is not None:
        dims = _comparable_dimensions(items, keys, w0, w1)
        pair = pair.filter((pl.col("scope") == "item") | pl.col("key").is_in(dims))
    pair = pair.with_columns(
        suppressed=pl.col("_s0") | pl.col("_s1"),
        wave_from=pl.lit(w0),
        wave_to=pl.lit(w1),
        diff=pl.col("fav_to") - pl.col("fav_from"),
    )
    stats = None
    if source is not None and (pair["scope"] == "dimension").any():
        stats = respondent_dimension_stats(source, config).filter(
            pl.col("period").is_in([w0, w1])
        )
    out = _tests(pair, stats)
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
