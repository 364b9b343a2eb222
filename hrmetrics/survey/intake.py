"""Survey intake hooks: wide survey exports (and the Viva Glint export) → long survey rows.

The normaliser calls these after header mapping (``normalise.RESHAPERS["survey_wide"]`` and
``["glint"]``). They turn one row per respondent into one row per respondent × item, because
every later step (scores, anonymity, wave change, drivers) groups by item and the long form is
the stored contract (docs/architecture.md, dataset ``survey``).

Decisions recorded here because reports depend on them:

* **Answer coding.** Values are stored as integers ``1..k`` for every scale, ``k`` being
  ``survey_items.scale_points``. Japanese labels are mapped by the item's scale (5-point:
  そう思う=5 … そう思わない=1; 4-point has no middle; 7-point adds 非常にそう思う=7 and
  全くそう思わない=1; 満足/やや満足/… and あてはまる/… variants likewise). **11-point (0–10)
  answers are stored shifted by one (0 → 1, 10 → 11)** so that the one formula
  ``(x − 1) / (k − 1) × 100`` and top-two-box rules hold for every scale; a report that wants
  the 0–10 wording subtracts one. Numbers are taken as given (range checks are the survey
  GX suite's job).
* **Blank = skipped**: the long row is kept with a null value, so "asked but not answered" is
  distinguishable from "not asked".
* **Unmappable labels** are row rejects (severity ``error``); **unknown columns** are a notice
  (severity ``warning``, one per file and column) and never silently dropped.
* **Glint**: names, e-mail addresses, manager ids and every comment column are dropped at the
  first step and never reach the output or the rejects table; Employee ID becomes
  ``respondent_id`` (the store pseudonymises it); the wave is the fiscal year of the
  completion date; rows without a completion date did not respond and are left out (one notice).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import polars as pl

from hrmetrics.errors import Refusal
from hrmetrics.jpcalendar import fiscal_year_label_expr
from hrmetrics.messages import message
from hrmetrics.schemas import REJECTS_SCHEMA as REJECT_SCHEMA
from hrmetrics.schemas import empty_rejects

FIXED = ("wave", "respondent_id", "unit_code", "_source_file", "_source_row")
"""Columns that are not items in a wide survey frame."""

LONG_COLUMNS = (
    "wave",
    "respondent_id",
    "unit_code",
    "item_id",
    "value",
    "item_text",
    "scale_points",
    "_source_file",
    "_source_row",
)
"""`item_text` and `scale_points` are filled for items derived from the export (no 設問マスタ
for the wave, see `hrmetrics.survey.derive`) and null for items of the master."""


_AGREE5 = {
    "そう思う": 5,
    "ややそう思う": 4,
    "どちらともいえない": 3,
    "どちらとも言えない": 3,
    "あまりそう思わない": 2,
    "そう思わない": 1,
    "満足": 5,
    "満足している": 5,
    "やや満足": 4,
    "やや満足している": 4,
    "普通": 3,
    "やや不満": 2,
    "不満": 1,
    "あてはまる": 5,
    "当てはまる": 5,
    "ややあてはまる": 4,
    "やや当てはまる": 4,
    "あまりあてはまらない": 2,
    "あまり当てはまらない": 2,
    "あてはまらない": 1,
    "当てはまらない": 1,
    "stronglyagree": 5,
    "agree": 4,
    "neutral": 3,
    "neitheragreenordisagree": 3,
    "disagree": 2,
    "stronglydisagree": 1,
}
_AGREE4 = {
    "そう思う": 4,
    "ややそう思う": 3,
    "あまりそう思わない": 2,
    "そう思わない": 1,
    "満足": 4,
    "満足している": 4,
    "やや満足": 3,
    "やや満足している": 3,
    "やや不満": 2,
    "不満": 1,
    "あてはまる": 4,
    "当てはまる": 4,
    "ややあてはまる": 3,
    "やや当てはまる": 3,
    "あまりあてはまらない": 2,
    "あまり当てはまらない": 2,
    "あてはまらない": 1,
    "当てはまらない": 1,
    "stronglyagree": 4,
    "agree": 3,
    "disagree": 2,
    "stronglydisagree": 1,
}
_AGREE7 = {
    "非常にそう思う": 7,
    "強くそう思う": 7,
    "とてもそう思う": 7,
    "そう思う": 6,
    "ややそう思う": 5,
    "どちらともいえない": 4,
    "どちらとも言えない": 4,
    "あまりそう思わない": 3,
    "そう思わない": 2,
    "全くそう思わない": 1,
    "まったくそう思わない": 1,
    "非常に満足": 7,
    "満足": 6,
    "やや満足": 5,
    "やや不満": 3,
    "不満": 2,
    "非常に不満": 1,
}
LABELS: dict[int, dict[str, int]] = {4: _AGREE4, 5: _AGREE5, 7: _AGREE7}
"""Label → stored value by scale (keys compared after NFKC, spaces removed, case-folded)."""

def _file_of(frame: pl.DataFrame) -> str | None:
    """The source file of a frame (for a refusal's message)."""
    if "_source_file" not in frame.columns or frame.is_empty():
        return None
    return str(frame["_source_file"][0])


def _msg(rule: str, lang: str, **fields: Any) -> str:
    return message(f"survey.{rule}", lang, **fields)


# ---------------------------------------------------------------------------------------------
# small helpers


def _norm(expr: pl.Expr) -> pl.Expr:
    """Comparison key for headers and labels: NFKC, no whitespace, case-folded."""
    return expr.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


def _norm_text(text: str) -> str:

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _wave_key(expr: pl.Expr) -> pl.Expr:
    """Canonical wave (`令和6年度` → `FY2024`) via the shared parser, so headers match the master."""
    from hrmetrics.jpformat import parse_wave_expr

    return parse_wave_expr(expr)


def _context_lang(context: Any) -> str:
    return getattr(context, "lang", None) or "ja"


def _reference(context: Any, name: str) -> pl.DataFrame | None:
    ref = getattr(context, "reference", None) or {}
    frame = ref.get(name)
    if frame is None:
        return None
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _empty_long(frame: pl.DataFrame) -> pl.DataFrame:
    row_dtype = frame.schema.get("_source_row", pl.Int64())
    schema: dict[str, pl.DataType] = {c: pl.String() for c in LONG_COLUMNS}
    schema["_source_row"] = row_dtype
    return pl.DataFrame(schema=schema)


def _reject_rows(frame: pl.DataFrame, **cols: pl.Expr) -> pl.DataFrame:
    """Shape any frame of problems into the rejects schema (missing fields null)."""
    exprs = [cols.get(c, pl.lit(None)).cast(t).alias(c) for c, t in REJECT_SCHEMA.items()]
    return frame.select(exprs)


def label_table() -> pl.DataFrame:
    """`scale_points, _label, _mapped` for every known label (the mapping as data, joinable)."""
    rows = [(k, label, v) for k, table in LABELS.items() for label, v in table.items()]
    return pl.DataFrame(
        rows,
        schema={"scale_points": pl.Int64, "_label": pl.String, "_mapped": pl.Int64},
        orient="row",
    )


def _items_master(items: pl.DataFrame) -> pl.DataFrame:
    """`_wave, item_id, scale_points, _id_key, _text_key` from a survey_items frame (any dtypes)."""
    return items.select(
        _wave=_wave_key(pl.col("wave")),
        item_id=pl.col("item_id").cast(pl.String).str.normalize("NFKC").str.strip_chars(),
        scale_points=pl.col("scale_points")
        .cast(pl.String)
        .str.strip_chars()
        .cast(pl.Int64, strict=False),
        _id_key=_norm(pl.col("item_id")),
        _text_key=_norm(pl.col("text")),
    )


def _header_map(master: pl.DataFrame) -> pl.DataFrame:
    """`_wave, _key → item_id, scale_points`: a header matches an item's id, else its text."""
    by_id = master.select(
        "_wave", _key="_id_key", item_id="item_id", scale_points="scale_points", _p=pl.lit(0)
    )
    by_text = master.select(
        "_wave", _key="_text_key", item_id="item_id", scale_points="scale_points", _p=pl.lit(1)
    )
    return (
        pl.concat([by_id, by_text])
        .sort("_p")
        .unique(subset=["_wave", "_key"], keep="first", maintain_order=True)
        .drop("_p")
    )


_ANSWER = r"^([0-9]{1,2})(?:\.0*)?(?:(?:\s*[:.)、,]\s*|\s+)([^0-9]+))?$"
"""One whole number, optionally followed by its label (`5`, `5.0`, `5:そう思う`, `5 そう思う`).
Anything else with a digit in it (`1e3`, `4-5`, `3 or 5`, `2/5`, `4.5`) is not one answer: read as
its first digit it would be a silent misread, so it is a row reject."""


def _answer_parts(raw: pl.Expr) -> pl.Expr:
    """Struct of (number as written, label after it or null) of a numeric answer."""
    s = raw.cast(pl.String).str.normalize("NFKC").str.strip_chars()
    return s.str.extract_groups(_ANSWER)


def _map_value(raw: pl.Expr, k: pl.Expr) -> pl.Expr:
    """Numeric answer (`5`, `５`, `5:そう思う`) as a number; 0–10 scales shifted to 1–11."""
    num = _answer_parts(raw).struct.field("1").cast(pl.Int64, strict=False)
    return pl.when(k == 11).then(num + 1).otherwise(num)


def _label_agrees(raw: pl.Expr, k: pl.Expr, mapped_label: pl.Expr) -> pl.Expr:
    """False when a number carries a known label of another value (`5:そう思わない`): which one
    the respondent meant cannot be told. An unknown label after a number is the system's own
    wording and the number is taken."""
    num = _answer_parts(raw).struct.field("1").cast(pl.Int64, strict=False)
    return mapped_label.is_null() | (mapped_label == pl.when(k == 11).then(num + 1).otherwise(num))


# ---------------------------------------------------------------------------------------------
# the shared wide → long step


def _to_long(
    frame: pl.DataFrame,
    items: pl.DataFrame | None,
    dataset: str,
    lang: str,
    fixed: tuple[str, ...] = FIXED,
    overall: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Unpivot item columns, match headers per wave, map labels; return (long, rejects).

    Waves the item master covers are matched against it; the others get items derived from
    the export itself (`hrmetrics.survey.derive`).
    """
    base = frame.with_columns(_wave=_wave_key(pl.col("wave")))
    known = [] if items is None or items.is_empty() else _items_master(items)["_wave"].unique().to_list()
    own = base.filter(~pl.col("_wave").is_in(known) & pl.col("_wave").is_not_null())
    parts = []
    if items is not None and not items.is_empty():
        parts.append(_master_long(base.filter(~pl.col("_wave").is_in(own["_wave"].unique().implode())),
                                  items, dataset, lang, fixed))
    if own.height:
        parts.append(_derived_long(own, dataset, lang, fixed, overall))
    if not parts:
        return _empty_long(frame), empty_rejects()
    return (pl.concat([p[0] for p in parts], how="vertical_relaxed"),
            pl.concat([p[1] for p in parts], how="vertical_relaxed"))


def _master_long(
    base: pl.DataFrame, items: pl.DataFrame, dataset: str, lang: str, fixed: tuple[str, ...]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The waves an item master covers: headers matched to its ids or texts."""
    master = _items_master(items)
    item_cols = [c for c in base.columns if c not in (*fixed, "_wave")]
    long = (
        base.unpivot(
            index=[*fixed, "_wave"], on=item_cols, variable_name="_column", value_name="_raw"
        )
        .with_columns(_key=_norm(pl.col("_column")), _raw=pl.col("_raw").cast(pl.String))
        .join(_header_map(master), on=["_wave", "_key"], how="left")
    )
    known_waves = master.select("_wave").unique()
    wave_ok = pl.col("_wave").is_in(known_waves["_wave"].implode())
    unknown_wave = base.filter(~wave_ok)
    unknown_col = (
        long.filter(wave_ok & pl.col("item_id").is_null())
        .group_by("_source_file", "_column")
        .agg(pl.len())
        .sort("_source_file", "_column")
    )
    matched = long.filter(pl.col("item_id").is_not_null()).with_columns(
        _label=_norm(pl.col("_raw")),
        _blank=pl.col("_raw").str.strip_chars().str.len_chars().fill_null(0) == 0,
    )
    suffix_labels = label_table().rename({"_label": "_suffix", "_mapped": "_suffix_mapped"})
    mapped = (
        matched.join(label_table(), on=["scale_points", "_label"], how="left")
        .with_columns(_suffix=_norm(_answer_parts(pl.col("_raw")).struct.field("2")))
        .join(suffix_labels, on=["scale_points", "_suffix"], how="left")
        .with_columns(
            value=pl.coalesce(
                pl.col("_mapped"),
                pl.when(_label_agrees(pl.col("_raw"), pl.col("scale_points"), pl.col("_suffix_mapped")))
                .then(_map_value(pl.col("_raw"), pl.col("scale_points"))),
            )
        )
    )
    bad = mapped.filter(~pl.col("_blank") & pl.col("value").is_null())
    good = mapped.filter(pl.col("_blank") | pl.col("value").is_not_null())
    out = good.select(
        wave=pl.col("_wave"),
        respondent_id="respondent_id",
        unit_code="unit_code",
        item_id="item_id",
        value=pl.when(pl.col("_blank")).then(None).otherwise(pl.col("value")).cast(pl.String),
        item_text=pl.lit(None, dtype=pl.String),
        scale_points=pl.lit(None, dtype=pl.String),
        _source_file="_source_file",
        _source_row="_source_row",
    ).select([pl.col(c).cast(pl.String) if c != "_source_row" else pl.col(c) for c in LONG_COLUMNS])
    rejects = pl.concat(
        [
            _label_rejects(bad, dataset, lang),
            _reject_rows(
                unknown_col,
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                column=pl.col("_column"),
                rule=pl.lit("unknown_column"),
                message=pl.lit(_msg("unknown_column", lang)),
                severity=pl.lit("warning"),
            ),
            _reject_rows(
                unknown_wave,
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                row=pl.col("_source_row"),
                column=pl.lit("wave"),
                value=pl.col("wave"),
                rule=pl.lit("unknown_wave"),
                message=pl.lit(_msg("unknown_wave", lang)),
                severity=pl.lit("error"),
            ),
        ]
    )
    return out, rejects


def _label_rejects(bad: pl.DataFrame, dataset: str, lang: str) -> pl.DataFrame:
    """One reject per answer outside its item's scale, naming the label and the scale."""
    return _reject_rows(
        bad.with_columns(
            _msg=pl.format(_msg("survey_label", lang, value="{}", k="{}"), "_raw", "scale_points")
        ),
        dataset=pl.lit(dataset),
        file=pl.col("_source_file"),
        row=pl.col("_source_row"),
        column=pl.col("_column"),
        value=pl.col("_raw"),
        rule=pl.lit("survey_label"),
        message=pl.col("_msg"),
        severity=pl.lit("error"),
    )


def _derived_long(
    base: pl.DataFrame, dataset: str, lang: str, fixed: tuple[str, ...], overall: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Waves without a master: items, scales and values from the export (survey.derive)."""
    from hrmetrics.survey.derive import classify, map_answers

    item_cols = [c for c in base.columns if c not in (*fixed, "_wave")]
    if not item_cols:
        return _empty_long(base), empty_rejects()
    long = base.unpivot(
        index=[*fixed, "_wave"], on=item_cols, variable_name="_column", value_name="_raw"
    ).with_columns(pl.col("_raw").cast(pl.String))
    kinds = classify(long.select("_wave", "_column", "_raw"), overall)
    mapped = map_answers(long, kinds)
    bad = mapped.filter("_bad")
    good = mapped.filter(~pl.col("_bad"))
    out = good.select(
        wave=pl.col("_wave"),
        respondent_id="respondent_id",
        unit_code="unit_code",
        item_id="item_id",
        value=pl.col("value").cast(pl.String),
        item_text="text",
        scale_points=pl.col("scale_points").cast(pl.String),
        _source_file="_source_file",
        _source_row="_source_row",
    ).select([pl.col(c).cast(pl.String) if c != "_source_row" else pl.col(c) for c in LONG_COLUMNS])
    files = base.select("_source_file", "_wave").unique()
    not_items = kinds.filter(~pl.col("is_item")).join(files, on="_wave").unique(["_source_file", "_column"])
    n_items = kinds.filter("is_item").group_by("_wave").agg(n=pl.len()).join(files, on="_wave")
    rejects = pl.concat(
        [
            _label_rejects(bad, dataset, lang),
            _reject_rows(
                not_items.sort("_source_file", "_column"),
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                column=pl.col("_column"),
                rule=pl.lit("not_an_item"),
                message=pl.lit(_msg("not_an_item", lang)),
                severity=pl.lit("warning"),
            ),
            _reject_rows(
                n_items.sort("_source_file", "_wave"),
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                column=pl.lit("wave"),
                value=pl.col("_wave"),
                rule=pl.lit("derived_items"),
                message=pl.format(_msg("derived_items", lang, n="{}"), "n"),
                severity=pl.lit("warning"),
            ),
        ]
    )
    return out, rejects


def _refuse_no_items(
    frame: pl.DataFrame, dataset: str, lang: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Without the item master there is no scale to map labels by: refuse rather than guess."""
    files = (
        frame.select(pl.col("_source_file").unique())
        if "_source_file" in frame.columns
        else pl.DataFrame({"_source_file": [None]}, schema={"_source_file": pl.String})
    )
    rejects = _reject_rows(
        files,
        dataset=pl.lit(dataset),
        file=pl.col("_source_file"),
        rule=pl.lit("no_items"),
        message=pl.lit(_msg("no_items", lang)),
        severity=pl.lit("refused"),
    )
    return _empty_long(frame), rejects


# ---------------------------------------------------------------------------------------------
# public hooks


def reshape_survey_wide(
    frame: pl.DataFrame, spec: Any, context: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Wide survey export (one column per item) → long rows plus rejects.

    Item headers are matched against `context.reference["survey_items"]` for the row's wave, by
    item id first and item text second (both NFKC, spaces removed, case-folded).
    """
    lang = _context_lang(context)
    dataset = getattr(spec, "dataset", "survey")
    items = _reference(context, "survey_items")
    return _to_long(frame, items, dataset, lang, overall=_overall(context))


def _overall(context: Any) -> str | None:
    """The `[survey] overall_item` setting (text or id of the overall-satisfaction item)."""
    return getattr(getattr(context, "config", None), "survey_overall_item", None)


_GLINT_STANDARD = {
    "firstname": None,
    "lastname": None,
    "email": None,
    "status": None,
    "managerid": None,
    "surveycyclesentdate": None,
    "employeeid": "respondent_id",
    "respondent_id": "respondent_id",
    "surveycyclecompletiondate": "_completed",
    "completed_at": "_completed",
    "unit_code": "unit_code",
}
"""Glint standard columns (normalised header) → what is kept (None = dropped at once)."""
_COMMENT_SUFFIXES = ("_comment", "_comment_topics", "_sensitive_comment_flag")


def _glint_columns(frame: pl.DataFrame) -> tuple[dict[str, str], list[str]]:
    """(kept standard columns → canonical name, item columns); names, e-mails, comments dropped."""
    keep: dict[str, str] = {}
    items: list[str] = []
    for col in frame.columns:
        key = _norm_text(col)
        if col in ("_source_file", "_source_row"):
            continue
        if key in _GLINT_STANDARD:
            if (canonical := _GLINT_STANDARD[key]) is not None:
                keep[col] = canonical
        elif not key.endswith(_COMMENT_SUFFIXES):
            items.append(col)
    return keep, items


UNIT_COLUMNS = ("所属", "所属名", "所属コード", "部署", "部署名", "課", "課名", "所属課", "Department",
                "Department Code", "Unit", "Unit Code", "Division", "unit_code")
"""Headers taken as the unit (code or name) in an attributes file or a form's 所属 question,
in this order, unless `[survey] unit_column` names another."""


def unit_column(columns: list[str], config: Any) -> str | None:
    """The column holding the unit: the configured one, else the first of `UNIT_COLUMNS`.

    A form's question is often longer than the word (「所属（課）を選んでください」), so a header
    that contains 所属 or 部署 counts too.
    """
    wanted = getattr(config, "survey_unit_column", None)
    keys = {_norm_text(c): c for c in columns}
    for name in ([wanted] if wanted else []) + list(UNIT_COLUMNS):
        if _norm_text(name) in keys:
            return keys[_norm_text(name)]
    if wanted:
        return None
    return next((c for c in columns if re.search(r"所属|部署", c)), None)


def unit_lookup(org_units: pl.DataFrame | None) -> pl.DataFrame | None:
    """`_unit_key → unit_code` from the organisation master: each code, and each name (NFKC,
    spaces removed, case-folded), the most recently valid unit winning for a reused name."""
    if org_units is None or org_units.is_empty():
        return None
    org = org_units.select(
        pl.col("unit_code").cast(pl.String),
        pl.col("unit_name").cast(pl.String),
        _from=pl.col("valid_from_fy").cast(pl.Int64, strict=False).fill_null(0),
    )
    code, name = _norm(pl.col("unit_code")), _norm(pl.col("unit_name"))
    by_code = org.select(_unit_key=code, unit_code="unit_code", _p=pl.lit(0), _from="_from")
    by_name = org.select(_unit_key=name, unit_code="unit_code", _p=pl.lit(1), _from="_from")
    return (
        pl.concat([by_code, by_name])
        .sort(["_p", "_from"], descending=[False, True])
        .unique("_unit_key", keep="first", maintain_order=True)
        .select("_unit_key", "unit_code")
    )


def resolve_units(frame: pl.DataFrame, column: str, context: Any) -> pl.DataFrame:
    """`unit_code` from `column` (a unit code or name, matched against the org master);
    null where nothing matches. Without an org master the value is taken as the code."""
    lookup = unit_lookup(_reference(context, "org_units"))
    raw = pl.col(column).cast(pl.String).str.normalize("NFKC").str.strip_chars()
    if lookup is None:
        return frame.with_columns(unit_code=raw, _unit_raw=pl.col(column).cast(pl.String))
    return (
        frame.with_columns(_unit_raw=pl.col(column).cast(pl.String), _unit_key=_norm(raw))
        .drop("unit_code", strict=False)
        .join(lookup, on="_unit_key", how="left", maintain_order="left")
        .drop("_unit_key")
    )


def _unit_rejects(frame: pl.DataFrame, dataset: str, column: str, lang: str) -> pl.DataFrame:
    """Row rejects for answers whose unit matched nothing (the value named)."""
    bad = frame.filter(pl.col("unit_code").is_null())
    return _reject_rows(
        bad.with_columns(
            _msg=pl.format(_msg("unit_unresolved", lang, value="{}"), pl.col("_unit_raw").fill_null(""))
        ),
        dataset=pl.lit(dataset),
        file=pl.col("_source_file"),
        row=pl.col("_source_row"),
        column=pl.lit(column),
        value=pl.col("_unit_raw"),
        rule=pl.lit("unit_unresolved"),
        message=pl.col("_msg"),
        severity=pl.lit("error"),
    )


def _glint_attributes(context: Any) -> pl.DataFrame | None:
    """`respondent_id → _attr_unit` from the attributes file read in this run (dataset
    `survey_attributes`, units already resolved), or a frame passed as `glint_attributes`."""
    attrs = _reference(context, "survey_attributes")
    if attrs is not None and {"respondent_id", "unit_code"} <= set(attrs.columns):
        return attrs.select(
            respondent_id=pl.col("respondent_id").cast(pl.String).str.strip_chars(),
            _attr_unit=pl.col("unit_code").cast(pl.String),
        ).unique("respondent_id")
    attrs = _reference(context, "glint_attributes")
    if attrs is None:
        return None
    by_key = {_norm_text(c): c for c in attrs.columns}
    id_col = next(
        (by_key[k] for k in ("employeeid", "respondent_id", "staff_id") if k in by_key), None
    )
    unit_col = next(
        (
            by_key[k]
            for k in ("unit_code", "unitcode", "所属コード", "課コード", "departmentcode")
            if k in by_key
        ),
        None,
    )
    if id_col is None or unit_col is None:
        return None
    return attrs.select(
        respondent_id=pl.col(id_col).cast(pl.String).str.strip_chars(),
        _attr_unit=pl.col(unit_col).cast(pl.String).str.strip_chars(),
    ).unique("respondent_id")


def reshape_attributes(
    frame: pl.DataFrame, spec: Any, context: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A survey attributes file (`Employee ID, Department, …`) → `respondent_id, unit_code`.

    The unit column (setting `[survey] unit_column`, else Department/所属/…) holds unit codes or
    names, matched against the org master; an unmatched unit is a row reject naming it. Every
    other attribute column is dropped and said so (no breakdowns by attribute).
    """
    lang = _context_lang(context)
    dataset = getattr(spec, "dataset", "survey_attributes")
    lineage = [c for c in ("_source_file", "_source_row") if c in frame.columns]
    others = [c for c in frame.columns if c not in ("respondent_id", *lineage)]
    column = unit_column(others, getattr(context, "config", None))
    if column is None:
        raise Refusal("survey_no_unit_column", _file_of(frame), {"columns": "、".join(UNIT_COLUMNS[:8])})
    placed = resolve_units(frame, column, context)
    ok = placed.filter(pl.col("unit_code").is_not_null()).select("respondent_id", "unit_code", *lineage)
    dropped = [c for c in others if c != column]
    notes = [_unit_rejects(placed, dataset, column, lang)]
    if dropped and lineage:
        files = frame.select(pl.col("_source_file").unique())
        for c in dropped:
            notes.append(_reject_rows(
                files, dataset=pl.lit(dataset), file=pl.col("_source_file"), column=pl.lit(c),
                rule=pl.lit("attribute_dropped"), message=pl.lit(_msg("attribute_dropped", lang, column=c)),
                severity=pl.lit("warning"),
            ))
    return ok, pl.concat(notes)


def _fiscal_wave(expr: pl.Expr) -> pl.Expr:
    """`DD-MM-YYYY HH:MM` (or without time) → `FY<fiscal year>`."""
    s = expr.cast(pl.String).str.strip_chars()
    dt = pl.coalesce(
        s.str.to_datetime("%d-%m-%Y %H:%M", strict=False),
        s.str.to_datetime("%d-%m-%Y", strict=False),
    )
    return fiscal_year_label_expr(dt)


def reshape_glint(
    frame: pl.DataFrame, spec: Any, context: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Microsoft Viva Glint raw export → long survey rows (no names, e-mails or comments)."""
    lang = _context_lang(context)
    dataset = getattr(spec, "dataset", "survey")
    keep, item_cols = _glint_columns(frame)
    lineage = [c for c in ("_source_file", "_source_row") if c in frame.columns]
    # Personal data leaves here: only ids, dates, unit and answers are selected.
    slim = frame.select(*[pl.col(c).alias(n) for c, n in keep.items()], *lineage, *item_cols)
    if "respondent_id" not in slim.columns:
        rej = _reject_rows(
            slim.select(pl.col("_source_file").unique()) if lineage else pl.DataFrame({"x": [1]}),
            dataset=pl.lit(dataset),
            file=pl.col("_source_file") if lineage else pl.lit(None),
            column=pl.lit("Employee ID"),
            rule=pl.lit("glint_no_id"),
            message=pl.lit(_msg("glint_no_id", lang)),
            severity=pl.lit("refused"),
        )
        return _empty_long(frame), rej
    items = _reference(context, "survey_items")
    slim = slim.with_columns(pl.col("respondent_id").cast(pl.String).str.strip_chars())
    if "unit_code" in slim.columns:  # a unit column in the export itself: code or name
        placed = resolve_units(slim, "unit_code", context)
        slim = placed.with_columns(unit_code=pl.col("unit_code").cast(pl.String)).drop("_unit_raw")
    attrs = _glint_attributes(context)
    if attrs is not None:
        slim = slim.join(attrs, on="respondent_id", how="left")
        unit = (
            pl.coalesce(pl.col("unit_code"), "_attr_unit")
            if "unit_code" in slim.columns
            else pl.col("_attr_unit")
        )
    else:
        unit = pl.col("unit_code") if "unit_code" in slim.columns else pl.lit(None, dtype=pl.String)
    completed = (
        pl.col("_completed") if "_completed" in slim.columns else pl.lit(None, dtype=pl.String)
    )
    slim = slim.with_columns(unit_code=unit.cast(pl.String), wave=_fiscal_wave(completed))
    not_done = slim.filter(pl.col("wave").is_null())
    no_unit = slim.filter(pl.col("wave").is_not_null() & pl.col("unit_code").is_null())
    ok = slim.filter(pl.col("wave").is_not_null() & pl.col("unit_code").is_not_null())
    wide = ok.select(*FIXED, *item_cols)
    long, rejects = _to_long(wide, items, dataset, lang, overall=_overall(context))
    notices = [rejects]
    if not_done.height:
        notices.append(
            _reject_rows(
                not_done.group_by("_source_file").agg(pl.len()),
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                column=pl.lit("Survey Cycle Completion Date"),
                value=pl.col("len").cast(pl.String),
                rule=pl.lit("glint_not_completed"),
                message=pl.format(_msg("glint_not_completed", lang, n="{}"), "len"),
                severity=pl.lit("warning"),
            )
        )
    if no_unit.height:
        notices.append(
            _reject_rows(
                no_unit,
                dataset=pl.lit(dataset),
                file=pl.col("_source_file"),
                row=pl.col("_source_row"),
                column=pl.lit("unit_code"),
                rule=pl.lit("glint_no_unit"),
                message=pl.lit(_msg("glint_no_unit", lang)),
                severity=pl.lit("error"),
            )
        )
    return long, pl.concat(notices)


# ---------------------------------------------------------------------------------------------
# Microsoft Forms, Google Forms and other question-text exports

_PERSONAL = re.compile(
    r"^(名前|氏名|お名前|メール|メールアドレス|e-?mail|e-?mailaddress|name|電子メール|"
    r"最終変更時刻|lastmodifiedtime|開始時刻|starttime|started_at)$"
)
"""Headers dropped before anything else (normalised): who answered, and when they opened the
form. Names and e-mail addresses never reach the store, the rejects or the report."""
_META = ("wave", "respondent_id", "unit_code", "completed_at", "_rid", "_source_file", "_source_row")


def _personal(column: str) -> bool:
    return bool(_PERSONAL.match(_norm_text(column)))


def _file_wave(name: str) -> str | None:
    """`FY2024` from a fiscal year declared in a file name (令和6年度, 2024年度, FY2024), the
    same rule the period check of every dataset uses (`validate.declared_fiscal_year`)."""
    from hrmetrics.validate import declared_fiscal_year

    year = declared_fiscal_year(name)
    return f"FY{year}" if year else None


def _completion_wave(expr: pl.Expr) -> pl.Expr:
    """`FY…` of a completion time as forms write it (`2024-07-01 10:05:03`, `2024/07/01 10:05`,
    an Excel serial)."""
    from hrmetrics.jpformat import parse_date_expr

    day = parse_date_expr(expr.cast(pl.String).str.strip_chars().str.split(" ").list.first()
                          .str.split("T").list.first())
    return pl.when(day.is_not_null()).then(fiscal_year_label_expr(day))


def _form_unit_column(frame: pl.DataFrame, columns: list[str], context: Any) -> str | None:
    """The 所属 question: a configured or usual header, else a header mentioning 所属/部署 whose
    answers (mostly) are units of the org master — a question such as 「所属部署の雰囲気は良い」
    is a rating item, not the unit."""
    config = getattr(context, "config", None)
    exact = unit_column([c for c in columns if not re.search(r"所属|部署", c) or len(c) <= 6], config)
    if exact is not None or getattr(config, "survey_unit_column", None):
        return exact
    lookup = unit_lookup(_reference(context, "org_units"))
    if lookup is None:
        return None
    for c in columns:
        if not re.search(r"所属|部署|課", c):
            continue
        vals = frame.select(_unit_key=_norm(pl.col(c).cast(pl.String))).drop_nulls()
        if vals.height and vals.join(lookup, on="_unit_key").height >= MIN_UNIT_MATCH * vals.height:
            return c
    return None


MIN_UNIT_MATCH = 0.8
"""Share of a 所属-like column's answers that must be units for it to be taken as the unit."""


def reshape_forms(
    frame: pl.DataFrame, spec: Any, context: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Microsoft Forms (xlsx), Google Forms (CSV) and question-text CSV/XLSX → long survey rows.

    Names, e-mail addresses and the start time are dropped first. The respondent is the form's
    ID (Microsoft) or the row (Google), prefixed by the file name. The wave is the `wave` column
    if any, else the fiscal year of the completion time (完了時刻 / タイムスタンプ), else the
    fiscal year in the file name. The unit comes from the 所属 question (code or name) or the
    attributes file keyed by respondent. Items from the 設問マスタ where it covers the wave,
    else derived from the headers and answers (`hrmetrics.survey.derive`).
    """
    lang = _context_lang(context)
    dataset = getattr(spec, "dataset", "survey")
    slim = frame.drop([c for c in frame.columns if _personal(c)])
    file = pl.col("_source_file").str.replace(r"\.[^.]+$", "")
    rid = pl.col("respondent_id").cast(pl.String) if "respondent_id" in slim.columns else \
        pl.col("_source_row").cast(pl.String)
    slim = slim.with_columns(_rid=rid).with_columns(
        respondent_id=pl.concat_str([file, "_rid"], separator="#"))
    names = slim.select(pl.col("_source_file").unique())["_source_file"].to_list()
    file_wave = _file_wave(names[0]) if names else None
    wave = pl.col("wave").cast(pl.String) if "wave" in slim.columns else pl.lit(None, dtype=pl.String)
    if "completed_at" in slim.columns:
        wave = pl.coalesce(wave, _completion_wave(pl.col("completed_at")))
    slim = slim.with_columns(wave=pl.coalesce(wave, pl.lit(file_wave, dtype=pl.String)))
    rejects: list[pl.DataFrame] = []
    no_wave = slim.filter(pl.col("wave").is_null())
    if no_wave.height:
        rejects.append(_reject_rows(
            no_wave, dataset=pl.lit(dataset), file=pl.col("_source_file"), row=pl.col("_source_row"),
            column=pl.lit("wave"), rule=pl.lit("survey_no_wave"), message=pl.lit(_msg("no_wave", lang)),
            severity=pl.lit("error")))
        slim = slim.filter(pl.col("wave").is_not_null())
    questions = [c for c in slim.columns if c not in _META]
    unit_col = "unit_code" if "unit_code" in slim.columns else _form_unit_column(slim, questions, context)
    attrs = _glint_attributes(context)
    if unit_col is not None:
        placed = resolve_units(slim, unit_col, context)
        rejects.append(_unit_rejects(placed, dataset, unit_col, lang))
        slim = placed.filter(pl.col("unit_code").is_not_null())
    elif attrs is not None:
        slim = slim.join(attrs.rename({"respondent_id": "_rid"}), on="_rid", how="left").with_columns(
            unit_code=pl.col("_attr_unit"), _unit_raw=pl.col("_rid"))
        rejects.append(_unit_rejects(slim, dataset, "respondent_id", lang))
        slim = slim.filter(pl.col("unit_code").is_not_null())
    else:
        raise Refusal("survey_no_unit_column", _file_of(frame), {"columns": "、".join(UNIT_COLUMNS[:8])})
    items_cols = [c for c in questions if c != unit_col]
    wide = slim.select(*FIXED, *items_cols)
    items = _reference(context, "survey_items")
    long, found = _to_long(wide, items, dataset, lang, overall=_overall(context))
    return long, pl.concat([found, *rejects], how="vertical_relaxed")
