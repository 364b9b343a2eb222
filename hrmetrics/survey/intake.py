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
from typing import Any

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_label_expr
from hrmetrics.messages import message
from hrmetrics.schemas import REJECTS_SCHEMA as REJECT_SCHEMA

FIXED = ("wave", "respondent_id", "unit_code", "_source_file", "_source_row")
"""Columns that are not items in a wide survey frame."""

LONG_COLUMNS = (
    "wave",
    "respondent_id",
    "unit_code",
    "item_id",
    "value",
    "_source_file",
    "_source_row",
)


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


def _msg(rule: str, lang: str, **fields: Any) -> str:
    return message(f"survey.{rule}", lang, **fields)


# ---------------------------------------------------------------------------------------------
# small helpers


def _norm(expr: pl.Expr) -> pl.Expr:
    """Comparison key for headers and labels: NFKC, no whitespace, case-folded."""
    return expr.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


def _norm_text(text: str) -> str:
    import unicodedata

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
    items: pl.DataFrame,
    dataset: str,
    lang: str,
    fixed: tuple[str, ...] = FIXED,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Unpivot item columns, match headers per wave, map labels; return (long, rejects)."""
    master = _items_master(items)
    item_cols = [c for c in frame.columns if c not in fixed]
    base = frame.with_columns(_wave=_wave_key(pl.col("wave")))
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
        _source_file="_source_file",
        _source_row="_source_row",
    ).select([pl.col(c).cast(pl.String) if c != "_source_row" else pl.col(c) for c in LONG_COLUMNS])
    rejects = pl.concat(
        [
            _reject_rows(
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
            ),
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
    if items is None or items.is_empty():
        return _refuse_no_items(frame, dataset, lang)
    return _to_long(frame, items, dataset, lang)


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


def _glint_attributes(context: Any) -> pl.DataFrame | None:
    """`respondent_id → _attr_unit` from the attributes file (Employee ID → unit code)."""
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
    if items is None or items.is_empty():
        return _refuse_no_items(slim, dataset, lang)
    slim = slim.with_columns(pl.col("respondent_id").cast(pl.String).str.strip_chars())
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
    long, rejects = _to_long(wide, items, dataset, lang)
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
