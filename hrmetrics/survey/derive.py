"""Items from the export itself, when no 設問マスタ covers a wave.

Real survey exports (Microsoft/Google Forms, Viva Glint, a form service's CSV, a sheet typed up
from paper) carry the question text as the header and the answers as labels. A personnel
division should see its results before it has written an item master, so for such a wave:

* **An item is a column whose answers are a rating scale.** Its scale is the label family that
  reads at least `MIN_COVERAGE` of its answers: Japanese and English agreement, satisfaction and
  "applies to me" families in 4, 5 and 7 points (`FAMILIES`), or whole numbers (1–5, 1–7, 0–10).
  A column that no family reads (free text, 所属, 年代, はい/いいえ) is not an item: it is left
  out with a notice naming it. Inside an item column, an answer outside the scale is a
  row-level reject naming the label.
* **Direction comes from the labels**: every family is coded favourable-high (そう思う = 5).
  An answer written as number and label (`1:そう思う`) is read by its label, so a form that
  numbered its options top-down is still read the right way round. Plain numbers are taken as
  favourable-high; the draft master says so, and `reverse` is for the user to set.
* **Stable ids from the text**: `q` + the first 8 hex digits of SHA-1 of the text (NFKC, no
  spaces), so the same question gets the same id in every wave and every re-export, and the
  draft master's ids match the stored answers.
* **Overall satisfaction** is the item named by the `[survey] overall_item` setting (its text
  or id), else the one whose text reads as overall satisfaction (総合的/全体 + 満足, "overall" +
  "satisf"); it gets `role = outcome`, every other item `driver`.

What needs the master (dimensions, the engagement index, drivers, α) is not computed for such a
wave; the report says so and points to the draft (`survey_items.draft.csv`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import polars as pl

from hrmetrics.schemas import SURVEY_ITEMS_SCHEMA

MIN_COVERAGE = 0.8
"""Share of a column's answers a label family must read for the column to be an item."""

_DONT_KNOW = ("どちらともいえない", "どちらとも言えない", "どちらでもない", "ふつう", "普通")

FAMILIES: dict[str, list[tuple[str, ...]]] = {
    # options from the favourable end to the unfavourable end (synonyms in one tuple)
    "agree5": [
        ("そう思う",),
        ("ややそう思う", "どちらかといえばそう思う", "まあそう思う"),
        _DONT_KNOW,
        ("あまりそう思わない", "どちらかといえばそう思わない"),
        ("そう思わない",),
    ],
    "agree5_strong": [
        ("とてもそう思う", "強くそう思う", "非常にそう思う"),
        ("そう思う",),
        _DONT_KNOW,
        ("そう思わない",),
        ("まったくそう思わない", "全くそう思わない"),
    ],
    "agree4": [
        ("そう思う",),
        ("ややそう思う", "どちらかといえばそう思う", "まあそう思う"),
        ("あまりそう思わない", "どちらかといえばそう思わない"),
        ("そう思わない",),
    ],
    "agree7": [
        ("非常にそう思う", "とてもそう思う", "強くそう思う"),
        ("そう思う",),
        ("ややそう思う",),
        _DONT_KNOW,
        ("あまりそう思わない",),
        ("そう思わない",),
        ("まったくそう思わない", "全くそう思わない"),
    ],
    "satisfied5": [
        ("満足", "満足している", "とても満足"),
        ("やや満足", "まあ満足", "どちらかといえば満足"),
        _DONT_KNOW,
        ("やや不満", "どちらかといえば不満"),
        ("不満", "とても不満"),
    ],
    "satisfied4": [
        ("満足", "満足している", "とても満足"),
        ("やや満足", "まあ満足", "どちらかといえば満足"),
        ("やや不満", "どちらかといえば不満"),
        ("不満", "とても不満"),
    ],
    "applies5": [
        ("あてはまる", "当てはまる"),
        ("ややあてはまる", "やや当てはまる", "どちらかといえばあてはまる"),
        _DONT_KNOW,
        ("あまりあてはまらない", "あまり当てはまらない", "どちらかといえばあてはまらない"),
        ("あてはまらない", "当てはまらない"),
    ],
    "applies4": [
        ("あてはまる", "当てはまる"),
        ("ややあてはまる", "やや当てはまる", "どちらかといえばあてはまる"),
        ("あまりあてはまらない", "あまり当てはまらない", "どちらかといえばあてはまらない"),
        ("あてはまらない", "当てはまらない"),
    ],
    "agree5_en": [
        ("strongly agree",),
        ("agree",),
        ("neutral", "neither agree nor disagree"),
        ("disagree",),
        ("strongly disagree",),
    ],
    "agree4_en": [("strongly agree",), ("agree",), ("disagree",), ("strongly disagree",)],
    "satisfied5_en": [
        ("very satisfied",),
        ("satisfied",),
        ("neutral", "neither satisfied nor dissatisfied"),
        ("dissatisfied",),
        ("very dissatisfied",),
    ],
}
"""Label families; a family's scale is its number of options. Listed in order of preference
when two families read a column equally well."""


def norm_label(text: Any) -> str:
    """Comparison key of a label or header: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def family_table() -> pl.DataFrame:
    """`family, rank, k, _label, _mapped`: every label of every family with its coded value."""
    rows = []
    for rank, (name, options) in enumerate(FAMILIES.items()):
        k = len(options)
        for i, synonyms in enumerate(options):
            rows += [(name, rank, k, norm_label(s), k - i) for s in synonyms]
    schema = {"family": pl.String, "rank": pl.Int64, "k": pl.Int64, "_label": pl.String, "_mapped": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def item_id_for(text: str) -> str:
    """Stable id of a question: `q` + 8 hex digits of SHA-1 of its normalised text."""
    return "q" + hashlib.sha1(norm_label(text).encode("utf-8")).hexdigest()[:8]


def answer_parts() -> tuple[pl.Expr, pl.Expr]:
    """(label key, number) of `_raw`: `5:そう思う` → (そう思う, 5); `そう思う` → (そう思う, null);
    `5` → (null, 5). The label wins where both are given (see the module docstring)."""
    s = pl.col("_raw").cast(pl.String).str.normalize("NFKC").str.strip_chars()
    parts = s.str.extract_groups(r"^([0-9]{1,2})(?:\.0*)?(?:(?:\s*[:.)、,]\s*|\s+)([^0-9]+))?$")
    number = parts.struct.field("1").cast(pl.Int64, strict=False)
    suffix = parts.struct.field("2")
    label = pl.when(number.is_not_null()).then(suffix).otherwise(s)
    return label.str.replace_all(r"\s+", "").str.to_lowercase(), number


def classify(long: pl.DataFrame, overall: str | None = None) -> pl.DataFrame:
    """Which columns of a wave are items, with scale and family.

    `long`: `_wave, _column, _raw` (one row per answer, blanks included). Returns one row per
    wave × column: `_wave, _column, is_item, family, scale_points, item_id, text, role`.
    """
    label, number = answer_parts()
    answers = long.with_columns(_lab=label, _num=number).filter(
        pl.col("_raw").cast(pl.String).str.strip_chars().str.len_chars().fill_null(0) > 0
    )
    cols = ["_wave", "_column"]
    totals = answers.group_by(cols).agg(
        _n=pl.len(),
        _nums=pl.col("_num").is_not_null().sum(),
        _min=pl.col("_num").min(),
        _max=pl.col("_num").max(),
        _labelled=(pl.col("_lab").str.len_chars().fill_null(0) > 0).sum(),
    )
    fam = family_table()
    labelled = answers.filter(pl.col("_lab").str.len_chars().fill_null(0) > 0).join(
        fam.rename({"_label": "_lab"}), on="_lab", how="inner"
    )
    # a tie between families (非常にそう思う … 全くそう思わない fits 5 and 7 points) is settled by
    # the labels of the whole wave: a form uses one family for its questions
    wave_fit = labelled.group_by("_wave", "family").agg(_wave_labels=pl.col("_lab").n_unique())
    hits = (
        labelled.group_by(*cols, "family", "rank", "k")
        .agg(_hits=pl.len())
        .join(totals.select(*cols, "_n"), on=cols)
        .join(wave_fit, on=["_wave", "family"], how="left")
        .with_columns(_cov=pl.col("_hits") / pl.col("_n"))
        .sort(["_cov", "_wave_labels", "rank"], descending=[True, True, False])
        .group_by(cols, maintain_order=True)
        .first()
        .filter(pl.col("_cov") >= MIN_COVERAGE)
        .select(*cols, family="family", scale_points="k")
    )
    numeric = totals.filter(
        (pl.col("_labelled") == 0)
        & (pl.col("_nums") >= MIN_COVERAGE * pl.col("_n"))
        & (pl.col("_min") >= 0)
        & (pl.col("_max") <= 10)
    ).select(
        *cols,
        family=pl.when((pl.col("_min") == 0) | (pl.col("_max") > 7))
        .then(pl.lit("numeric0_10"))
        .when(pl.col("_max") > 5)
        .then(pl.lit("numeric1_7"))
        .otherwise(pl.lit("numeric1_5")),
        scale_points=pl.when((pl.col("_min") == 0) | (pl.col("_max") > 7))
        .then(pl.lit(11))
        .when(pl.col("_max") > 5)
        .then(pl.lit(7))
        .otherwise(pl.lit(5))
        .cast(pl.Int64),
    )
    found = pl.concat([hits, numeric.join(hits.select(cols), on=cols, how="anti")])
    every = long.select(cols).unique(maintain_order=True)
    out = every.join(found, on=cols, how="left", maintain_order="left").with_columns(
        is_item=pl.col("family").is_not_null()
    )
    texts = out["_column"].to_list()
    out = out.with_columns(
        item_id=pl.Series([item_id_for(t) for t in texts], dtype=pl.String),  # per column, not row
        text=pl.col("_column").str.normalize("NFKC").str.strip_chars(),
    )
    return out.with_columns(role=role_expr(overall, "_wave", pl.col("is_item")))


def looks_like_overall_satisfaction() -> pl.Expr:
    """Text of an overall-satisfaction question (総合的に/全体として … 満足, "overall … satisf")."""
    t = pl.col("text").str.normalize("NFKC").str.to_lowercase()
    return (t.str.contains("満足") & t.str.contains("総合|全体|全般")) | (
        t.str.contains("overall") & t.str.contains("satisf")
    )


def role_expr(overall: str | None, wave: str = "wave", eligible: pl.Expr | None = None) -> pl.Expr:
    """`outcome` for the wave's overall-satisfaction item (setting first, else by its text),
    `driver` for the others; rows in the wave's item order."""
    if overall:
        key = norm_label(overall)
        text_key = pl.col("text").str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()
        named = (pl.col("item_id").str.to_lowercase() == key) | (text_key == key)
    else:
        named = looks_like_overall_satisfaction()
    pick = named if eligible is None else (eligible & named)
    first = pick & (pick.cast(pl.Int64).cum_sum().over(wave) == 1)
    return pl.when(first).then(pl.lit("outcome")).otherwise(pl.lit("driver"))


def map_answers(long: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """`value` (1..k, 0–10 stored 1–11) of each answer of an item column; null where blank or
    unreadable (`_bad` marks the unreadable ones, rejected by the caller naming the label)."""
    label, number = answer_parts()
    fam = family_table().select("family", _lab="_label", _mapped="_mapped")
    f = (
        long.join(
            items.filter("is_item").select("_wave", "_column", "item_id", "text", "family", "scale_points"),
            on=["_wave", "_column"],
        )
        .with_columns(
            _lab=label,
            _num=number,
            _blank=pl.col("_raw").cast(pl.String).str.strip_chars().str.len_chars().fill_null(0) == 0,
        )
        .join(fam, on=["family", "_lab"], how="left")
    )
    k = pl.col("scale_points")
    num = pl.col("_num")
    numeric_ok = pl.col("family").str.starts_with("numeric") & (
        pl.col("_lab").str.len_chars().fill_null(0) == 0
    )
    in_range = pl.when(k == 11).then(num.is_between(0, 10)).otherwise(num.is_between(1, k))
    value = pl.coalesce(
        pl.col("_mapped"),
        pl.when(numeric_ok & in_range).then(pl.when(k == 11).then(num + 1).otherwise(num)),
    )
    return f.with_columns(value=value).with_columns(_bad=~pl.col("_blank") & pl.col("value").is_null())


def derived_items(
    survey: pl.DataFrame, overall: str | None = None, known_waves: list[str] | None = None
) -> pl.DataFrame:
    """The item master of the derived items stored with the answers (`item_text`,
    `scale_points` on survey rows), for waves `known_waves` does not cover.

    Columns as `survey_items` plus `derived = true`; `dimension` is null (only a person can say
    which questions measure one thing).
    """
    schema = {**SURVEY_ITEMS_SCHEMA, "derived": pl.Boolean()}
    if "scale_points" not in survey.columns or "item_text" not in survey.columns:
        return pl.DataFrame(schema=schema)
    rows = survey.filter(pl.col("scale_points").is_not_null())
    if known_waves:
        rows = rows.filter(~pl.col("wave").is_in(known_waves))
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    first = (
        rows.group_by("wave", "item_id")
        .agg(
            text=pl.col("item_text").first(),
            scale_points=pl.col("scale_points").first().cast(pl.Int64),
            _row=pl.col("_source_row").min() if "_source_row" in rows.columns else pl.lit(0),
        )
        .sort("wave", "_row", "item_id")
    )
    return (
        first.with_columns(
            dimension=pl.lit(None, dtype=pl.String),
            reverse=pl.lit(False),
            role=role_expr(overall),
            equivalent_to=pl.lit(None, dtype=pl.String),
            derived=pl.lit(True),
        )
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )


def draft_master(items: pl.DataFrame) -> pl.DataFrame:
    """The draft 設問マスタ for the user to complete, in the Japanese headers the survey_items
    spec reads back (調査回, 設問ID, 設問文, 領域, 尺度, 逆転項目, 区分, 同等設問ID)."""
    return items.sort("wave").select(
        調査回="wave",
        設問ID="item_id",
        設問文="text",
        領域=pl.lit(""),
        尺度=pl.col("scale_points").cast(pl.Int64),
        逆転項目=pl.lit("いいえ"),
        区分=pl.when(pl.col("role") == "outcome").then(pl.lit("総合")).otherwise(pl.lit("要因")),
        同等設問ID=pl.lit(""),
    )
