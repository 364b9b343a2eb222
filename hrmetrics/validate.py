"""Value rules of a dataset, run by Great Expectations on a pandas view of the batch.

Why GX and JSON suites: the rules an organisation may want to tighten (ranges, code lists, which
rule is only a warning) live in `expectations/<suite>.json`, editable without code, each with its
Japanese and English text in `meta`. Rules that need more than one row or another dataset
(uniqueness of the grain, unit codes known to `org_units` for the row's fiscal year, Likert
values within the item's scale...) are prepared here in polars as boolean helper columns named
`_chk_<name>`; the suite expects them to be true, so rule text and severity still live in JSON.

The pandas view's index is the spreadsheet row number (`_source_row`), so GX's
`unexpected_index_list` is directly "row N of your file" (a positional id is used instead when
one spreadsheet row became several rows, as in the reshaped survey). GX is imported lazily:
it costs ~4.5 s.

Scale (issue 12): GX judges values, polars counts rows. A rule whose verdict on a row depends on
that row's value alone (not null, in a set, between, a regex...) is run by GX on each column's
*distinct* values, and the rows holding a failing value are found in polars: a 7.2 M-row overtime
file becomes a few thousand GX rows, and 287 k warnings are never index lists inside GX. Other
rules (or any rule with `mostly` / `row_condition`) run on the whole frame as before. One GX
context serves a whole intake (`GxRules`), and validation results are never put in GX's stores.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from hrmetrics.jpcalendar import era_to_year, fiscal_year_expr
from hrmetrics.schemas import REJECTS_SCHEMA as REJECT_SCHEMA
from hrmetrics.schemas import empty_rejects

"""The rejects table of docs/architecture.md."""

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
}
"""COMPLETE is needed for every failing row's index; the partial lists (unused) are capped."""

ROW_LOCAL = frozenset({
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_values_to_match_regex_list",
    "expect_column_values_to_not_match_regex_list",
    "expect_column_value_lengths_to_be_between",
    "expect_column_value_lengths_to_equal",
    "expect_column_values_to_match_like_pattern",
    "expect_column_values_to_not_match_like_pattern",
})
"""GX rules whose verdict on a row depends on that row's value in one column only: equal values
get equal verdicts, so GX may judge each distinct value once (see the module docstring)."""
_WHOLE_FRAME_KWARGS = frozenset({"mostly", "row_condition", "condition_parser"})
"""A row-local rule with one of these depends on the other rows (a share, a filter): whole frame."""

_KEY = "_key"
_REFERENCE_CHECKS = frozenset({"_chk_unit_known", "_chk_item_known"})
"""Helpers that need another dataset; when absent the rule is reported as not checked."""
_SEVERITY = {"critical": "error", "warning": "warning", "info": "warning"}


@dataclass
class Validation:
    """Outcome of validating one normalised frame.

    `accepted` keeps every row without an error (warned rows included); `rejects` and
    `warnings` are in the rejects schema. `skipped_rules` names rules that could not run
    (e.g. no `org_units` known yet, so unit codes were not checked) so callers can say so.
    """

    accepted: pl.DataFrame
    rejects: pl.DataFrame
    warnings: pl.DataFrame
    skipped_rules: list[str] = field(default_factory=list)



# ---------------------------------------------------------------------------------------------
# suites


def load_suite(name: str, workspace: Path | None = None) -> dict[str, Any]:
    """The suite JSON as a dict (workspace copy first, else the packaged default)."""
    from hrmetrics.resources import resource_path

    path = resource_path("expectations", f"{name}.json", workspace)
    return json.loads(path.read_text(encoding="utf-8"))


def suite_version(suite: dict[str, Any]) -> str:
    """Version recorded in the ledger: `meta.version` plus a content hash (edits are visible)."""
    import hashlib

    digest = hashlib.sha256(json.dumps(suite, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{suite.get('meta', {}).get('version', '0')}+{digest[:8]}"


# ---------------------------------------------------------------------------------------------
# helpers: the fiscal year a file name declares


_FY_PATTERNS = (
    re.compile(r"(令和|平成)(\d{1,2}|元)年度"),
    re.compile(r"(?<![A-Za-z])(R|H)(\d{1,2})年度", re.IGNORECASE),
    re.compile(r"FY\s?(\d{4})", re.IGNORECASE),
    re.compile(r"(?<!\d)(\d{4})年度"),
)


def declared_fiscal_year(file_name: str) -> int | None:
    """Fiscal year declared in a file name (`時間外_令和6年度.csv`, `overtime_FY2024.csv`), else None.

    Only explicit fiscal-year spellings count (年度 or FY), so a name such as `2024-04.csv`
    declares nothing and no period check is made.
    """
    name = unicodedata.normalize("NFKC", Path(file_name).stem)
    for pattern in _FY_PATTERNS:
        m = pattern.search(name)
        if not m:
            continue
        if len(m.groups()) == 1:
            return int(m.group(1))
        try:
            return era_to_year(m.group(1), m.group(2))
        except ValueError:  # 平成32年度 names no fiscal year: no period check rather than a wrong one
            return None
    return None


# ---------------------------------------------------------------------------------------------
# helper columns (cross-row and cross-dataset rules)


def _fiscal_year(col: str) -> pl.Expr:
    """April–March fiscal year of a Date column (Int32, as the validity bounds are compared)."""
    return fiscal_year_expr(col).cast(pl.Int32)


def _fy_range(dataset: str, columns: list[str], config: Any) -> tuple[pl.Expr, pl.Expr] | None:
    """(first FY, last FY) a row covers, for checking its unit against `org_units` validity.

    A calendar leave year spans two fiscal years (Jan–Mar belong to the previous FY), so a unit
    valid in either is accepted. A survey wave not spelled `FY2024` cannot be placed in time and
    is checked against every validity period.
    """
    date_col = {"overtime": "month", "approvals": "month", "staff": "as_of", "childcare": "birth_date"}
    if dataset in date_col and date_col[dataset] in columns:
        fy = _fiscal_year(date_col[dataset])
        return fy, fy
    if dataset == "leave" and "year" in columns:
        fiscal = getattr(config, "leave_year", "calendar") == "fiscal"
        year = pl.col("year").cast(pl.Int64)
        return (year if fiscal else year - 1), year
    if dataset == "survey" and "wave" in columns:
        fy = pl.col("wave").str.extract(r"^FY(\d{4})$", 1).cast(pl.Int64)
        return fy.fill_null(0), fy.fill_null(9999)
    return None


def _add_unique_grain(frame: pl.DataFrame, grain: list[str]) -> pl.DataFrame:
    """`_chk_unique_grain` false on every row of a duplicated key; `_msg_rows` names the others.

    The list of the other rows is built for the duplicated rows only (usually none): building
    it for every row of a 7 M-row file cost seconds. Candidates are found through a 64-bit hash
    of the key (cheap on millions of rows) and confirmed on the key itself, so a hash collision
    can never reject a row.
    """
    from hrmetrics.distinct import row_hash

    maybe = row_hash(frame.select(pl.struct(grain)).to_series()).is_duplicated()
    candidates = frame.filter(maybe)
    dup = candidates.filter(pl.struct(grain).is_duplicated())
    if dup.is_empty():
        return frame.with_columns(_chk_unique_grain=pl.lit(True), _msg_rows=pl.lit(None, pl.String))
    rows = pl.col("_source_row").over(grain, mapping_strategy="join")
    others = (
        rows.list.set_difference(pl.concat_list("_source_row")).list.sort()
        .cast(pl.List(pl.String)).list.join(", ")
    )
    named = dup.select("_rid", _msg_rows=others)
    return (frame.join(named, on="_rid", how="left", maintain_order="left")
            .with_columns(_chk_unique_grain=pl.col("_msg_rows").is_null()))


def _add_unit_known(frame: pl.DataFrame, dataset: str, org: pl.DataFrame, config: Any) -> pl.DataFrame:
    """`_chk_unit_known`: the unit code exists in `org_units` for the row's fiscal year(s).

    Decided once per distinct (unit code, fiscal-year span), a few thousand keys, then joined
    back to the rows only when some key is unknown.
    """
    span = _fy_range(dataset, frame.columns, config)
    if span is None:
        return frame
    lo, hi = span
    keys = frame.lazy().select("unit_code", _fy_lo=lo, _fy_hi=hi).unique()
    units = org.lazy().select("unit_code", "valid_from_fy", "valid_to_fy")
    valid = (keys.join(units, on="unit_code").filter(_valid_between())
             .select("unit_code", "_fy_lo", "_fy_hi").unique())
    on = ["unit_code", "_fy_lo", "_fy_hi"]
    undecidable = pl.col("unit_code").is_null() | pl.col("_fy_lo").is_null()  # other rules report it
    verdict = (keys.join(valid.with_columns(_unit_ok=pl.lit(True)), on=on, how="left", nulls_equal=True)
               .with_columns(_unit_ok=pl.col("_unit_ok").fill_null(False) | undecidable)).collect()
    if verdict["_unit_ok"].all():  # the usual case: no join back over millions of rows
        return frame.with_columns(_chk_unit_known=pl.lit(True))
    return (
        frame.lazy().with_columns(_fy_lo=lo, _fy_hi=hi)
        .join(verdict.lazy(), on=on, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(_chk_unit_known=pl.col("_unit_ok").fill_null(False))
        .drop("_unit_ok", "_fy_lo", "_fy_hi")
        .collect()
    )


def map_retired_units(frame: pl.DataFrame, dataset: str, org: pl.DataFrame | pl.LazyFrame | None,
                      config: Any = None, lang: str = "ja") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows coded to a unit that was retired by the row's period, moved to its successor.

    Why: real exports keep old unit codes for months after a reorganisation; rejecting those rows
    (`unit_known`) silently lowers a KPI (a childcare row lost turns 3/4 into 3/3). A row whose
    unit ended (`valid_to_fy` before the row's fiscal year) and whose successor chain reaches a
    unit that exists then is kept under that unit and reported as a warning naming both codes.
    Rows of units that did not exist yet, or whose chain leads nowhere valid, are left for
    `unit_known` to reject. Returns (frame, warnings in the rejects schema).
    """
    org = _as_frame(org)
    span = _fy_range(dataset, frame.columns, config)
    none = empty_rejects()
    if org is None or span is None or dataset == "org_units" or frame.is_empty() \
            or "successor_code" not in org.columns:
        return frame, none
    lo, hi = span
    units = org.select("unit_code", "valid_from_fy", "valid_to_fy")
    keys = frame.select("unit_code", _fy_lo=lo, _fy_hi=hi).unique().drop_nulls()
    valid = (keys.join(units, on="unit_code").filter(_valid_between()).select("unit_code", "_fy_lo", "_fy_hi")
             .unique())
    retired = (keys.join(valid, on=["unit_code", "_fy_lo", "_fy_hi"], how="anti")
               .join(units.group_by("unit_code").agg(pl.col("valid_to_fy").max(),
                                                    _open=pl.col("valid_to_fy").is_null().any()),
                     on="unit_code")
               .filter(~pl.col("_open") & (pl.col("valid_to_fy") < pl.col("_fy_lo")))
               .select("unit_code", "_fy_lo", "_fy_hi"))
    succ = (org.filter(pl.col("successor_code").is_not_null())
            .group_by("unit_code").agg(pl.col("successor_code").sort_by("valid_from_fy").last()))
    found = []
    cur = retired.with_columns(_to=pl.col("unit_code"))
    for _ in range(succ.height):  # one join per chain step (a few), on the distinct keys only
        cur = (cur.join(succ.rename({"unit_code": "_to", "successor_code": "_next"}), on="_to")
               .select("unit_code", "_fy_lo", "_fy_hi", _to="_next"))
        if cur.is_empty():
            break
        hit = (cur.join(units.rename({"unit_code": "_to"}), on="_to").filter(_valid_between())
               .select("unit_code", "_fy_lo", "_fy_hi", "_to").unique(["unit_code", "_fy_lo", "_fy_hi"]))
        found.append(hit)
        cur = cur.join(hit, on=["unit_code", "_fy_lo", "_fy_hi"], how="anti")
    if not found or not sum(f.height for f in found):
        return frame, none
    mapping = pl.concat(found).rename({"unit_code": "_from"})
    out = (frame.with_columns(_from=pl.col("unit_code"), _fy_lo=lo, _fy_hi=hi)
           .join(mapping, on=["_from", "_fy_lo", "_fy_hi"], how="left", maintain_order="left"))
    from hrmetrics.messages import message

    template = message("unit_mapped_to_successor", lang, value="\x00v", successor="\x00s")
    fields = sorted([("\x00v", "_from"), ("\x00s", "_to")], key=lambda f: template.find(f[0]))
    text = pl.format(template.replace("\x00v", "{}").replace("\x00s", "{}"), *[c for _, c in fields])
    moved = out.filter(pl.col("_to").is_not_null())
    file = pl.col("_source_file") if "_source_file" in moved.columns else pl.lit(None, pl.String)
    warnings = moved.select(
        dataset=pl.lit(dataset),
        file=file.cast(pl.String),
        row=pl.col("_source_row").cast(pl.Int64),
        column=pl.lit("unit_code"),
        value=pl.col("_from"),
        rule=pl.lit("unit_mapped_to_successor"),
        message=text,
        severity=pl.lit("warning"),
    ).unique(["file", "row"], maintain_order=True).cast(REJECT_SCHEMA)
    out = out.with_columns(unit_code=pl.coalesce("_to", "_from")).select(frame.columns)
    return out, warnings


def _valid_between() -> pl.Expr:
    """A unit row valid at some fiscal year of the key's span [_fy_lo, _fy_hi]."""
    return (pl.col("valid_from_fy") <= pl.col("_fy_hi")) & (
        pl.col("valid_to_fy").is_null() | (pl.col("valid_to_fy") >= pl.col("_fy_lo")))


def _add_period_in_file(frame: pl.DataFrame, file_name: str) -> pl.DataFrame:
    """`_chk_period_in_file`: months lie in the fiscal year the file name declares (if any)."""
    fy = declared_fiscal_year(file_name)
    if fy is None or "month" not in frame.columns:
        return frame
    inside = pl.col("month").is_between(date(fy, 4, 1), date(fy + 1, 3, 31))
    return frame.with_columns(_chk_period_in_file=pl.col("month").is_null() | inside,
                              _msg_fy=pl.lit(f"FY{fy}"))


def _add_survey_checks(frame: pl.DataFrame, items: pl.DataFrame | None) -> pl.DataFrame:
    """`_chk_item_known` and `_chk_value_in_scale` from the wave's `survey_items`."""
    if (items is None or items.is_empty()) and "item_id" in frame.columns:
        items = pl.DataFrame(schema={"wave": pl.String, "item_id": pl.String, "scale_points": pl.Int64})
    if items is None or "item_id" not in frame.columns:
        if "value" not in frame.columns:
            return frame
        return frame.with_columns(_chk_value_in_scale=pl.col("value").is_null() | (pl.col("value") >= 1),
                                  _msg_scale=pl.lit("?"))
    ref = items.lazy().select("wave", "item_id", _scale=pl.col("scale_points"), _found=pl.lit(True)).unique(
        ["wave", "item_id"])
    value = pl.col("value")
    # an item derived from the export (no master for its wave) carries its own scale
    own = pl.col("scale_points") if "scale_points" in frame.columns else pl.lit(None, dtype=pl.Int64)
    return (
        frame.lazy().join(ref, on=["wave", "item_id"], how="left", maintain_order="left")
        .with_columns(_scale=pl.coalesce(pl.col("_scale").cast(pl.Int64), own.cast(pl.Int64)),
                      _found=pl.col("_found").fill_null(False) | own.is_not_null())
        .with_columns(
            _chk_item_known=pl.col("item_id").is_null() | pl.col("_found"),
            _chk_value_in_scale=value.is_null()
            | ((value >= 1) & (pl.col("_scale").is_null() | (value <= pl.col("_scale")))),
            _msg_scale=pl.col("_scale").cast(pl.String).fill_null("?"),
        )
        .drop("_scale", "_found").collect()
    )


def _add_org_checks(frame: pl.DataFrame) -> pl.DataFrame:
    """Registry consistency: validity order, parents and successors exist in the same file."""
    codes = frame["unit_code"].drop_nulls().unique().implode()
    checks: dict[str, pl.Expr] = {}
    if "valid_to_fy" in frame.columns:
        to = pl.col("valid_to_fy")
        checks["_chk_validity_order"] = to.is_null() | pl.col("valid_from_fy").is_null() | (
            to >= pl.col("valid_from_fy"))
    for col, name in (("parent_code", "_chk_parent_known"), ("successor_code", "_chk_successor_known")):
        if col in frame.columns:
            checks[name] = pl.col(col).is_null() | pl.col(col).is_in(codes)
    return frame.with_columns(**checks)


def _add_leave_checks(frame: pl.DataFrame) -> pl.DataFrame:
    """`_chk_days_within_grant`: days taken ≤ granted + carried over, when granted is given."""
    if "granted_days" not in frame.columns or "days" not in frame.columns:
        return frame
    carry = pl.col("carryover_days").fill_null(0) if "carryover_days" in frame.columns else pl.lit(0.0)
    ok = (pl.col("granted_days").is_null() | pl.col("days").is_null()
          | (pl.col("days") <= pl.col("granted_days") + carry))
    return frame.with_columns(_chk_days_within_grant=ok)


def prepare_checks(frame: pl.DataFrame, spec: Any, context: Any = None) -> pl.DataFrame:
    """The frame plus `_rid` and every `_chk_*` / `_msg_*` helper column that applies."""
    dataset = spec.dataset
    reference: dict[str, Any] = dict(getattr(context, "reference", None) or {})
    config = getattr(context, "config", None)
    out = frame.with_columns(_rid=pl.int_range(pl.len(), dtype=pl.Int64))
    grain = [g for g in spec.grain if g in out.columns]
    if grain:
        out = _add_unique_grain(out, grain)
    org = _as_frame(reference.get("org_units"))
    if org is not None and dataset != "org_units" and "unit_code" in out.columns:
        out = _add_unit_known(out, dataset, org, config)
    files = out["_source_file"].drop_nulls().unique().to_list() if "_source_file" in out.columns else []
    if len(files) == 1:
        out = _add_period_in_file(out, files[0])
    if dataset == "survey":
        out = _add_survey_checks(out, _as_frame(reference.get("survey_items")))
    if dataset == "org_units" and "unit_code" in out.columns:
        out = _add_org_checks(out)
    if dataset == "leave":
        out = _add_leave_checks(out)
    if dataset == "exam_applicants" and {"passed", "applicants"} <= set(out.columns):
        out = out.with_columns(_chk_passed_within_applicants=pl.col("passed").is_null()
                               | pl.col("applicants").is_null() | (pl.col("passed") <= pl.col("applicants")))
    if dataset == "pay" and {"hire_date", "year"} <= set(out.columns):
        out = out.with_columns(_chk_hired_by_year=pl.col("hire_date").is_null() | pl.col("year").is_null()
                               | (_fiscal_year("hire_date") <= pl.col("year")))
    return out


def _as_frame(obj: Any) -> pl.DataFrame | None:
    """Reference frames may arrive lazy (from the store) or eager (from this run)."""
    if obj is None:
        return None
    return obj.collect() if isinstance(obj, pl.LazyFrame) else obj


# ---------------------------------------------------------------------------------------------
# GX


class GxRules:
    """Great Expectations for one intake: one ephemeral context, one pandas batch definition.

    Why: a context, data source and suite per file cost ~0.4 s each, and `ValidationDefinition.run`
    deep-copies and serialises every result into GX's in-memory results store (8 s for the
    287 k warnings of the 100,000-staff organisation). GX's own `Validator` runs a suite on a
    batch and returns the result without storing it. Nothing touches disk; `close()` drops the
    context (and the last batch GX's execution engine may still hold).
    """

    def __init__(self) -> None:
        self._batch: Any = None
        self._ctx: Any = None

    def _batch_definition(self) -> Any:
        if self._batch is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self._ctx = gx.get_context(mode="ephemeral")
            self._ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            self._batch = (self._ctx.data_sources.add_pandas("hrmetrics").add_dataframe_asset(name="batch")
                           .add_batch_definition_whole_dataframe("all"))
        return self._batch

    def run(self, frame: pl.DataFrame, expectations: list[dict[str, Any]], index: Any) -> list[Any]:
        """GX's results of `expectations` on a pandas copy of `frame` whose index is `index`.

        The suite is never added to the context (GX gotcha: same-named suites corrupt each other).
        """
        import great_expectations as gx
        import pandas as pd
        from great_expectations.validator.v1_validator import Validator

        batch = self._batch_definition()
        suite = gx.ExpectationSuite(name=f"s_{uuid.uuid4().hex}", expectations=expectations)
        pdf = frame.to_pandas()
        pdf.index = pd.Index(index)  # unnamed: GX then reports plain labels
        validator = Validator(batch_definition=batch, batch_parameters={"dataframe": pdf},
                              result_format=RESULT_FORMAT)
        results = validator.validate_expectation_suite(suite).results
        # every result carries the expectation it checked (GX types it as optional)
        errors = [r for r in results if not r.success and r.expectation_config is not None
                  and not r.result.get("unexpected_index_list")
                  and r.exception_info and _raised(r.exception_info)]
        if errors:
            config = errors[0].expectation_config
            raise RuntimeError(f"GX could not evaluate {config.type if config else '?'}: "
                               f"{errors[0].exception_info}")
        return results

    def close(self) -> None:
        """Forget the context (its execution engine may keep the last pandas batch alive)."""
        self._batch = None
        self._ctx = None


def _row_local(exp: dict[str, Any]) -> bool:
    """A rule GX may judge on distinct values (ROW_LOCAL type, one column, no share or filter)."""
    kw = exp.get("kwargs", {})
    return exp.get("type") in ROW_LOCAL and "column" in kw and not (_WHOLE_FRAME_KWARGS & set(kw))


def _run_gx(view: pl.DataFrame, expectations: list[dict[str, Any]], key: str,
            rules: GxRules | None = None) -> tuple[pl.DataFrame, dict[int, tuple[str, pl.Series]]]:
    """Run the expectations; return (failing (`_key`, `_i`) pairs, {`_i`: (column, failing values)}).

    Row-local rules see one small frame: each column's distinct values (nulls and NaN included),
    cycled to a common length, so GX's index list names the failing *values*; the rows holding
    them are found in polars by the caller. Other rules see the whole frame, indexed by `key`.
    """
    own = rules is None
    rules = rules or GxRules()
    try:
        local = [e for e in expectations if _row_local(e)]
        whole = [e for e in expectations if not _row_local(e)]
        values: dict[int, tuple[str, pl.Series]] = {}
        if local:
            cols = sorted({e["kwargs"]["column"] for e in local})
            distinct = {c: _values_to_judge(view[c], [e for e in local if e["kwargs"]["column"] == c])
                        for c in cols}
            length = max(s.len() for s in distinct.values())
            import numpy as np

            cycled = pl.DataFrame([s.gather(np.arange(length) % s.len()) for s in distinct.values()])
            for r in rules.run(cycled, local, np.arange(length)):
                if r.success or r.expectation_config is None:
                    continue
                col = r.expectation_config.kwargs["column"]
                pos = sorted({int(p) for p in (r.result.get("unexpected_index_list") or [])
                              if int(p) < distinct[col].len()})
                values[int(r.expectation_config.meta["_i"])] = (col, distinct[col].gather(pos))
        parts = []
        if whole:
            used = sorted({c for e in whole for c in _columns_of(e)})
            for r in rules.run(view.select(used), whole, view[key].to_numpy()):
                if not r.success and r.expectation_config is not None:
                    i = int(r.expectation_config.meta["_i"])
                    keys = [int(k) for k in (r.result.get("unexpected_index_list") or [])]
                    frame = pl.DataFrame({_KEY: keys}, schema={_KEY: pl.Int64})
                    parts.append(frame.with_columns(_i=pl.lit(i)))
    finally:
        if own:
            rules.close()
    if not parts:
        return pl.DataFrame(schema={_KEY: pl.Int64, "_i": pl.Int32}), values
    return pl.concat(parts).with_columns(pl.col("_i").cast(pl.Int32)), values


NULL_ONLY = frozenset({"expect_column_values_to_not_be_null"})
"""Row-local rules that fail only on a missing value (None, NaN): judged on the missing values
themselves and one present value (any present value passes, so judging them all is waste)."""


def _values_to_judge(values: pl.Series, rules: list[dict[str, Any]]) -> pl.Series:
    """The distinct values of a column GX must see to judge its row-local `rules`.

    Every distinct value, unless all the rules are NULL_ONLY: then the missing values (null and,
    for floats, NaN: pandas calls both missing) and the first present value. A staff number
    column (100,000 distinct ids per overtime file, only ever checked for presence) shrinks to
    one or two values, and GX's frame to the size of the next widest column (hours, units).
    """
    if not all(r.get("type") in NULL_ONLY for r in rules):
        return values.unique()
    missing = values.is_null()
    if values.dtype.is_float():
        missing = missing | values.is_nan().fill_null(True)
    present = values.filter(~missing).head(1)
    return pl.concat([values.filter(missing).unique(), present]) if missing.any() else present


def _raised(info: Any) -> bool:
    """GX puts exception info either flat or keyed by metric; any raised one is a bug to surface."""
    if not isinstance(info, dict):
        return False
    if info.get("raised_exception"):
        return True
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _columns_of(exp: dict[str, Any]) -> list[str]:
    kw = exp.get("kwargs", {})
    if "column" in kw:
        return [kw["column"]]
    return list(kw.get("column_list", []))


def _value_text(col: str, dtype: pl.DataType) -> pl.Expr:
    """A cell as the user would type it: `2024-04` for months, `12` not `12.0`."""
    c = pl.col(col)
    if dtype == pl.Date:
        return c.dt.strftime("%Y-%m") if col == "month" else c.dt.strftime("%Y-%m-%d")
    if dtype.is_float():  # huge values (1e308, inf) do not fit Int64: shown as floats, never blank
        whole = (c == c.round(0)) & (c.abs() < 1e15)
        as_int = c.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(c.cast(pl.String))
    return c.cast(pl.String)


# ---------------------------------------------------------------------------------------------
# public


def validate_frame(frame: pl.DataFrame, spec: Any, context: Any = None) -> Validation:
    """Validate a canonical frame against its dataset's suite.

    A row with any `critical` failure is rejected (all rows of a duplicated key, each naming
    the others); `warning` failures keep the row and are reported. Rejects are keyed by
    spreadsheet row: if one spreadsheet row produced several rows (survey), an error on any of
    them rejects them all, so "rows accepted + rows rejected = rows read" holds per file.
    """
    lang = getattr(context, "lang", None) or "ja"
    config = getattr(context, "config", None)
    suite = load_suite(spec.suite, getattr(config, "workspace", None))
    if "_source_row" not in frame.columns:  # a hand-made frame: number rows as a sheet would
        frame = frame.with_columns(_source_row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64))
    if frame.height == 0:
        return Validation(frame, empty_rejects(), empty_rejects())
    checked = prepare_checks(frame, spec, context)
    exps, skipped = _runnable(suite, checked.columns)
    rows = checked["_source_row"]
    key = "_source_row" if rows.null_count() == 0 and rows.is_unique().all() else "_rid"
    used = sorted({c for e in exps for c in _columns_of(e)})
    failures, values = _run_gx(checked.select(key, *used), exps, key, getattr(context, "rules", None)) \
        if exps else (pl.DataFrame(schema={_KEY: pl.Int64, "_i": pl.Int32}), {})
    found = _failure_rows(checked, failures, values, exps, key, spec.dataset, lang)
    rejects = found.filter(pl.col("severity") == "error")
    bad_rows = rejects["row"].unique().implode()
    # a warning on a row that is rejected anyway is noise: report warnings on kept rows only
    warnings = found.filter((pl.col("severity") == "warning") & ~pl.col("row").is_in(bad_rows))
    accepted = checked.filter(~pl.col("_source_row").is_in(bad_rows)).select(frame.columns)
    return Validation(accepted, rejects, warnings, skipped)


def _runnable(suite: dict[str, Any], columns: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Expectations whose columns exist, tagged with a stable `_i` (GX reorders results).

    An optional column absent from the file, or a `_chk_` helper that does not apply, is
    skipped; rules skipped for lack of reference data (no `org_units` / `survey_items` yet)
    are named in `skipped`.
    """
    runnable, skipped = [], []
    for i, exp in enumerate(suite.get("expectations", [])):
        cols = _columns_of(exp)
        if cols and not all(c in columns for c in cols):
            if any(c in _REFERENCE_CHECKS for c in cols):
                skipped.append(exp.get("meta", {}).get("rule", exp["type"]))
            continue
        tagged = {**exp, "meta": {**exp.get("meta", {}), "_i": i}}
        runnable.append(tagged)
    return runnable, skipped


def _failure_rows(checked: pl.DataFrame, failures: pl.DataFrame, values: dict[int, tuple[str, pl.Series]],
                  exps: list[dict[str, Any]], key: str, dataset: str, lang: str) -> pl.DataFrame:
    """Failing (expectation, row) pairs → rejects-schema rows with values and messages.

    `failures` lists rows by key (whole-frame rules); `values` gives a row-local rule's failing
    values, whose rows are found here with one vectorised filter (nulls and NaN match themselves).
    """
    failed = sorted(set(failures["_i"].unique().to_list()) | set(values))
    if not failed:
        return empty_rejects()
    by_i = {int(e["meta"]["_i"]): e for e in exps}
    keyed = checked.with_columns(pl.col(key).alias(_KEY))
    parts = []
    for i in failed:  # one pass per failed rule, not per row
        exp = by_i[i]
        meta = exp.get("meta", {})
        shown = [c for c in str(meta.get("column") or ",".join(_columns_of(exp))).split(",") if c]
        value = pl.concat_str([_value_text(c, checked.schema[c]) for c in shown if c in checked.columns],
                              separator=" / ", ignore_nulls=True) if shown else pl.lit(None, pl.String)
        template = meta.get(lang) or meta.get("ja") or meta.get("rule", exp["type"])
        msg = pl.col("_msg").str.replace_all("{value}", value.fill_null(""), literal=True)
        for ph, col in (("{rows}", "_msg_rows"), ("{fy}", "_msg_fy"), ("{scale}", "_msg_scale")):
            if ph in template and col in checked.columns:
                msg = msg.str.replace_all(ph, pl.col(col).fill_null(""), literal=True)
        if i in values:
            col, bad = values[i]
            rows = checked.filter(pl.col(col).is_in(bad.implode(), nulls_equal=True))
        else:
            keys = failures.filter(pl.col("_i") == i).select(_KEY)
            rows = keyed.filter(pl.col(_KEY).is_in(keys[_KEY].implode()))
        parts.append(
            rows.with_columns(_msg=pl.lit(template, pl.String))
            .select(
                dataset=pl.lit(dataset),
                file=pl.col("_source_file").cast(pl.String) if "_source_file" in checked.columns
                else pl.lit(None, pl.String),
                row=pl.col("_source_row").cast(pl.Int64),
                column=pl.lit(",".join(shown)),
                value=value,
                rule=pl.lit(str(meta.get("rule", exp["type"]))),
                message=msg,
                severity=pl.lit(_SEVERITY.get(str(exp.get("severity", "critical")), "error")),
            )
        )
    return pl.concat(parts).cast(REJECT_SCHEMA).sort("row", "rule", maintain_order=True)
