"""Raw string table → canonical frame: map headers, reshape (survey), parse values by column type.

Every value that cannot be read becomes one row of the rejects table naming file, spreadsheet row,
column and the value as written; its row leaves the canonical frame, so nothing is silently
dropped or silently coerced. Empty cells become null (whether null is allowed is the validator's
rule, not a parse failure). All parsing is vectorised polars (see jpformat.py).
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hrmetrics import jpformat as jp
from hrmetrics.config import Config
from hrmetrics.errors import Refusal
from hrmetrics.messages import message
from hrmetrics.pipelines import ColumnSpec, PipelineSpec, norm_header
from hrmetrics.readers import SOURCE_FILE, SOURCE_ROW, RawTable, repeated_headers
from hrmetrics.schemas import REJECTS_SCHEMA, empty_rejects

RESHAPERS: dict[str, str] = {
    "survey_wide": "hrmetrics.survey.intake:reshape_survey_wide",
    "glint": "hrmetrics.survey.intake:reshape_glint",
    "forms": "hrmetrics.survey.intake:reshape_forms",
    "survey_attributes": "hrmetrics.survey.intake:reshape_attributes",
}
"""Reshape hooks by spec name, as "module:function" (imported lazily, only when a spec uses one)."""

"""The rejects table of docs/architecture.md (severity: error | warning | refused)."""

DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(), "code": pl.String(), "text": pl.String(), "wave": pl.String(),
    "category": pl.String(), "int": pl.Int64(), "year": pl.Int64(), "fiscal_year": pl.Int64(),
    "number": pl.Float64(), "hours": pl.Float64(), "month": pl.Date(), "date": pl.Date(),
    "bool": pl.Boolean(),
}
"""Canonical polars dtype of each column type."""

_PARSERS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "id": jp.clean_id_expr, "code": jp.clean_id_expr, "text": jp.clean_text_expr,
    "int": jp.parse_int_expr, "number": jp.parse_number_expr, "hours": jp.parse_hours_expr,
    "month": jp.parse_month_expr, "date": jp.parse_date_expr, "year": jp.parse_year_expr,
    "fiscal_year": jp.parse_fiscal_year_expr, "wave": jp.parse_wave_expr, "bool": jp.parse_bool_expr,
}

Hook = Callable[[pl.DataFrame, PipelineSpec, "NormaliseContext"], tuple[pl.DataFrame, pl.DataFrame]]


@dataclass
class NormaliseContext:
    """What normalising one file may need beyond the file itself.

    `reference` holds canonical frames of other datasets already known in this run or the store
    (e.g. `survey_items` so the survey reshape can recognise item columns, `org_units`).
    """

    config: Config = field(default_factory=Config)
    lang: str = "ja"
    reference: dict[str, pl.DataFrame] = field(default_factory=dict)
    rules: Any = None
    """The intake's `validate.GxRules` (one GX context for all its files); None: one per file."""


@dataclass(frozen=True)
class Normalised:
    """The result of normalising one RawTable.

    `frame`: canonical columns (spec order, canonical dtypes) + `_source_file`, `_source_row`,
    only rows where every value parsed. `rejects`: REJECTS_SCHEMA, one row per bad cell.
    `rejected_rows`: the `_source_row`s removed (a row with two bad cells is one removed row), so
    `accepted_rows + len(rejected_rows) == rows_read` holds exactly, also after a reshape.
    """

    frame: pl.DataFrame
    rejects: pl.DataFrame
    dataset: str
    source: str
    sheet: str | None
    rows_read: int
    rejected_rows: frozenset[int]
    ignored_columns: tuple[str, ...] = ()
    column_map: dict[str, str] = field(default_factory=dict)
    """header as written → canonical column name."""

    @property
    def accepted_rows(self) -> int:
        """Source rows with at least one accepted output row (= frame height without a reshape)."""
        return self.frame.get_column(SOURCE_ROW).n_unique() if self.frame.height else 0



# ---------------------------------------------------------------------------------------------


def normalise(raw: RawTable, spec: PipelineSpec, context: NormaliseContext | None = None) -> Normalised:
    """Map headers, reshape if the spec says so, and parse every canonical column by its type.

    Raises Refusal("bad_delimiter" | "missing_columns" | "duplicate_columns" | "duplicate_header" |
    "unknown_reshape").
    """
    context = context or NormaliseContext()
    if spec.reshape:  # hooks read cells as text
        raw = raw.as_text()
    raw = find_header_row(raw, spec)
    if raw.repeated:  # which copy holds the data? guessing would silently drop the other
        raise Refusal("duplicate_header", raw.source, {"columns": [f"「{h}」" for h in raw.repeated]})
    column_map = map_headers(raw, spec)
    mapped = raw.frame.rename(column_map)
    extra = [c for c in raw.headers if c not in column_map]
    hook_rejects = empty_rejects()
    if spec.reshape:
        mapped, hook_rejects = _run_hook(mapped, spec, context)
        ignored: tuple[str, ...] = ()
    else:
        mapped = mapped.drop(extra)
        ignored = tuple(extra)
    mapped = _add_missing(mapped, spec)
    label = f"{raw.source} [{raw.sheet}]" if raw.sheet else raw.source  # same label as intake's
    frame, rejects = parse_columns(mapped, spec, label, context.lang, column_map,
                                   window=context.config.year_window())
    rejects = pl.concat([hook_rejects.select(list(REJECTS_SCHEMA)).cast(REJECTS_SCHEMA), rejects])
    bad_rows = frozenset(rejects.filter(pl.col("severity") == "error").get_column("row").drop_nulls())
    if bad_rows:
        frame = frame.filter(~pl.col(SOURCE_ROW).is_in(list(bad_rows)))
    return Normalised(
        frame=frame,
        rejects=rejects,
        dataset=spec.dataset,
        source=raw.source,
        sheet=raw.sheet,
        rows_read=raw.rows_read,
        rejected_rows=bad_rows,
        ignored_columns=ignored,
        column_map=column_map,
    )


TITLE_ROWS_SEARCHED = 10
"""How far below the first row a header is looked for (exports often start with a title,
e.g. 「職員名簿 令和6年4月1日現在」, and a blank line above the real header)."""


def find_header_row(raw: RawTable, spec: PipelineSpec) -> RawTable:
    """The table re-headed at the first row that carries all required headers, if the first
    row does not; unchanged otherwise (then map_headers reports what is missing)."""
    if _required_missing(raw.headers, spec) == 0:
        return raw
    raw = raw.as_text()
    head = raw.frame.head(TITLE_ROWS_SEARCHED)
    data_cols = raw.headers
    for i, row in enumerate(head.select(data_cols).iter_rows()):
        cells = ["" if v is None else str(v) for v in row]
        if _required_missing(cells, spec) == 0:
            names = _unique([c if c.strip() else f"__UNNAMED__{j}" for j, c in enumerate(cells)])
            frame = raw.frame.slice(i + 1).rename(dict(zip(data_cols, names, strict=True)))
            frame = frame.drop([n for n, c in zip(names, cells, strict=True)
                                if not c.strip() and frame.get_column(n).null_count() == frame.height])
            return RawTable(frame, raw.source, raw.sheet, raw.encoding, repeated_headers(tuple(cells)))
    return raw


def _required_missing(headers: list[str], spec: PipelineSpec) -> int:
    """Number of required, non-generated columns none of whose spellings is among `headers`."""
    found = {norm_header(h) for h in headers}
    needed = [c for c in spec.columns.values() if c.required and not c.generated]
    return sum(1 for c in needed if not any(norm_header(h) in found for h in spec.header_names(c.name)))


def _unique(names: list[str]) -> list[str]:
    """Repeated headers get `__<n>` (as readers does) so polars column names stay unique."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}__{seen[n]}")
    return out


def map_headers(raw: RawTable, spec: PipelineSpec) -> dict[str, str]:
    """Header as written → canonical name (NFKC, strip, case-insensitive, aliases).

    Refuses when a required (non-generated) column is missing — or, if the whole header is one
    cell containing `;` or `|`, says the delimiter is wrong, which is the real cause.
    """
    lookup = {norm_header(h): col.name for col in spec.columns.values() for h in spec.header_names(col.name)}
    column_map: dict[str, str] = {}
    for header in raw.headers:
        canon = lookup.get(norm_header(header))
        if canon is not None:
            column_map[header] = canon
    doubled = sorted({c for c in column_map.values() if list(column_map.values()).count(c) > 1})
    if doubled:
        heads = [h for h, c in column_map.items() if c in doubled]
        raise Refusal("duplicate_columns", raw.source, {"columns": heads, "canonical": doubled})
    present = set(column_map.values())
    missing = [c for c in spec.columns.values() if c.required and not c.generated and c.name not in present]
    if not missing:
        return column_map
    headers = raw.headers
    if len(headers) == 1 and any(ch in headers[0] for ch in ";|"):
        raise Refusal("bad_delimiter", raw.source, {"header": headers[0], "dataset": spec.dataset})
    raise Refusal(
        "missing_columns",
        raw.source,
        {
            "dataset": spec.title_ja,
            "missing": [_describe(c) for c in missing],
            "missing_columns": [c.name for c in missing],
            "found": headers,
        },
    )


def _describe(col: ColumnSpec) -> str:
    """`hours (時間外勤務時間)`: canonical name with its first Japanese alias, for messages."""
    return f"{col.name} ({col.aliases[0]})" if col.aliases else col.name


def _run_hook(
    frame: pl.DataFrame, spec: PipelineSpec, context: NormaliseContext
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Import and call the spec's reshape hook (lazily: survey code is only loaded for surveys)."""
    target = RESHAPERS.get(spec.reshape or "")
    if target is None:
        raise Refusal("unknown_reshape", None, {"dataset": spec.dataset, "reshape": spec.reshape})
    module_name, func_name = target.split(":")
    hook: Hook = getattr(importlib.import_module(module_name), func_name)
    return hook(frame, spec, context)


def _add_missing(frame: pl.DataFrame, spec: PipelineSpec) -> pl.DataFrame:
    """Optional columns absent from the file become null, so every output has the full schema."""
    absent = [c for c in spec.columns if c not in frame.columns]
    return frame.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in absent])


# ---------------------------------------------------------------------------------------------
# parsing


def column_parser(col: ColumnSpec) -> Callable[[pl.Expr], pl.Expr]:
    """The vectorised parser of a column (category columns map through their `values`)."""
    if col.type == "category":
        mapping = category_mapping(col)
        return lambda e: jp.clean_text_expr(e).str.to_lowercase().replace_strict(
            mapping, default=None, return_dtype=pl.String
        )
    return _PARSERS[col.type]


def category_mapping(col: ColumnSpec) -> dict[str, str]:
    """Normalised spelling → canonical value; the canonical value is itself accepted."""
    out: dict[str, str] = {}
    for canon, spellings in col.values.items():
        for s in (canon, *spellings):
            out[unicodedata.normalize("NFKC", s).strip().lower()] = canon
    return out


PERIOD_TYPES = frozenset({"month", "date", "year", "fiscal_year", "wave"})
"""Column types whose values name a year, checked against the plausible window."""


def parse_columns(
    frame: pl.DataFrame,
    spec: PipelineSpec,
    file: str,
    lang: str = "ja",
    column_map: dict[str, str] | None = None,
    window: tuple[int, int] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse the all-String canonical columns; return (parsed frame with all rows, rejects).

    Three checks per column, each a rejects row naming the value as written: a non-blank raw
    value whose parse is null (`type_<type>`, error); a period outside `window` (`year_window`,
    error: `9999/12` parses, but no KPI may get FY9999); an id or code from which a control or
    format character was removed (`stripped_characters`, warning: the row is kept, cleaned).
    The caller removes the rows with errors.
    """
    header_of = {c: h for h, c in (column_map or {}).items()}
    cols = list(spec.columns.values())
    columns, raised = {}, []
    for c in cols:  # values and check flags decided per distinct value, then mapped to the rows
        columns[f"__p_{c.name}"], flags = _parse_column(frame.get_column(c.name), c, window)
        for rule, flag in flags.items():
            columns[f"__{rule}_{c.name}"] = flag
            raised.append((c, rule))
    parsed = frame.with_columns(**columns)
    rejects = [_rejects_for(parsed, c, rule, spec.dataset, file, lang, header_of.get(c.name, c.name), window)
               for c, rule in raised]
    out = parsed.select(
        *[pl.col(f"__p_{c.name}").alias(c.name) for c in cols],
        pl.col(SOURCE_FILE).cast(pl.String),
        pl.col(SOURCE_ROW).cast(pl.Int64),
    )
    return out, pl.concat([empty_rejects(), *rejects])


def _checks(col: ColumnSpec, window: tuple[int, int] | None,
            typed: bool = False) -> list[tuple[str, pl.Expr]]:
    """(rule, flag expression) of every check that applies to `col` (see parse_columns);
    `typed`: the raw column is a Parquet number/date/boolean, not text."""
    raw, parsed = pl.col(col.name), pl.col(f"__p_{col.name}")
    if typed:  # a number or date as such is never blank text
        unreadable = raw.is_not_null() & parsed.is_null()
    else:
        unreadable = (raw.str.strip_chars().str.len_bytes() > 0).fill_null(False) & parsed.is_null()
    out = [("category" if col.type == "category" else f"type_{col.type}", unreadable)]
    if window is not None and col.type in PERIOD_TYPES and col.year_window:
        year = _year_of(parsed, col.type)
        out.append(("year_window", ((year < window[0]) | (year > window[1])).fill_null(False)))
    if col.type in ("id", "code"):
        out.append(("stripped_characters", jp.has_other_invisible_expr(raw) & parsed.is_not_null()))
    return out


def _year_of(parsed: pl.Expr, ctype: str) -> pl.Expr:
    """The year a parsed period value names (a wave only when it is a fiscal-year label)."""
    if ctype in ("month", "date"):
        return parsed.dt.year().cast(pl.Int64)
    if ctype == "wave":
        return parsed.str.extract(r"^FY([0-9]+)$", 1).cast(pl.Int64, strict=False)
    return parsed.cast(pl.Int64)


_PLAIN_NUMBER = {"int": r"^-?[0-9]+$", "number": r"^-?[0-9]+(\.[0-9]+)?$", "hours": r"^-?[0-9]+(\.[0-9]+)?$"}
"""Spellings that a plain cast reads correctly: the bulk of real exports, parsed without regexes
(ASCII digits only: the regex `\\d` would also match full-width digits, which need NFKC first)."""


def parse_series(values: pl.Series, col: ColumnSpec) -> pl.Series:
    """Parse one raw String column to its canonical dtype (null where it does not parse)."""
    return _parse_column(values, col, None)[0]


def _parse_column(values: pl.Series, col: ColumnSpec,
                  window: tuple[int, int] | None) -> tuple[pl.Series, dict[str, pl.Series]]:
    """(parsed values, {rule: row flags} of the checks some row fails: see parse_columns).

    Exports repeat values heavily (12 months, a few hundred unit codes, a staff number 12 times
    a year, hours to 2 decimals), so each distinct value is parsed and checked once and the
    result mapped back to the rows; plain numbers skip the Japanese-format regexes. A typed
    Parquet column (or a reshape hook's) is parsed from the same text read_parquet once cast it
    to (`RawTable.as_text`), but only for its distinct values.
    """
    from hrmetrics.distinct import distinct_codes

    dtype = DTYPES[col.type]
    parser = column_parser(col)
    if _equal_but_written_apart(values):
        values = values.cast(pl.String)
    distinct, codes = distinct_codes(values)
    mapped = distinct.len() * 2 <= values.len()  # else mostly distinct: deduplication would not pay
    source = distinct if mapped else values
    judged = pl.DataFrame({col.name: source, f"__p_{col.name}": _parse_distinct(
        source.cast(pl.String), col.type, parser, dtype)})
    judged = judged.with_columns([flag.alias(rule) for rule, flag in
                                  _checks(col, window, source.dtype != pl.String)])
    flags = {rule: judged[rule] for rule in judged.columns[2:] if judged[rule].any()}
    if not mapped:
        return judged[f"__p_{col.name}"], flags
    return judged[f"__p_{col.name}"].gather(codes), {rule: f.gather(codes) for rule, f in flags.items()}


def _equal_but_written_apart(values: pl.Series) -> bool:
    """Floats holding -0.0 or NaN: equal to 0.0 / each other as numbers, written differently as
    text, so their distinct values must be taken on the text (as before types were kept)."""
    if not values.dtype.is_float():
        return False
    return bool(values.is_nan().any() or ((values == 0) & ((1.0 / values) < 0)).any())


def _parse_distinct(
    values: pl.Series, ctype: str, parser: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType
) -> pl.Series:
    """Run the parser, with a cast fast path for plain numbers (order of `values` is kept)."""
    frame = values.rename("raw").to_frame()
    full = parser(pl.col("raw")).cast(dtype)
    plain = _PLAIN_NUMBER.get(ctype)
    if plain is None:
        return frame.select(full.alias("parsed")).get_column("parsed")
    frame = frame.with_row_index("__i")
    is_plain = pl.col("raw").str.contains(plain).fill_null(False)
    fast = frame.filter(is_plain).select("__i", pl.col("raw").cast(dtype, strict=False).alias("parsed"))
    slow = frame.filter(~is_plain).select("__i", full.alias("parsed"))
    return pl.concat([fast, slow]).sort("__i").get_column("parsed")


def _rejects_for(
    parsed: pl.DataFrame, col: ColumnSpec, rule: str, dataset: str, file: str, lang: str, header: str,
    window: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Rejects rows of one check of one column; the message is built vectorised around the value.

    The value is as written, except for `stripped_characters`: there it is the cleaned value that
    was kept, because that is what the store holds (and what an id's pseudonym is made from).
    """
    shown = (pl.col(f"__p_{col.name}") if rule == "stripped_characters" else pl.col(col.name)).cast(pl.String)
    accepted = [f"{k} ({v[0]})" if v else k for k, v in col.values.items()]
    first, last = window or (None, None)
    template = message(rule, lang, column=header, value="\x00", accepted=accepted, first=first, last=last)
    before, _, after = template.partition("\x00")
    return parsed.filter(pl.col(f"__{rule}_{col.name}")).select(
        pl.lit(dataset, dtype=pl.String).alias("dataset"),
        pl.lit(file, dtype=pl.String).alias("file"),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias("row"),
        pl.lit(col.name, dtype=pl.String).alias("column"),
        shown.alias("value"),
        pl.lit(rule, dtype=pl.String).alias("rule"),
        pl.concat_str([pl.lit(before), shown, pl.lit(after)]).alias("message"),
        pl.lit("warning" if rule == "stripped_characters" else "error", dtype=pl.String).alias("severity"),
    )
