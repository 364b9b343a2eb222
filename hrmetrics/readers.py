"""Read CSV / XLSX / Parquet exports into all-String frames that remember where each row came from.

Nothing is parsed here: every value stays the string the user sees, so that a later reject can
quote it exactly, and every row keeps its spreadsheet row number (`_source_row`: header = 1, first
data row = 2, blank lines counted but not returned) so a reject says "row 57" and the user finds
row 57 in Excel. Files that cannot be read at all raise `Refusal` with a reason code.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from hrmetrics.errors import Refusal

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LEADING_BLANK = re.compile(rb"(?:[ \t\r]*\n)*")


@dataclass(frozen=True)
class RawTable:
    """One table of one file: a CSV, one sheet of a workbook, or a Parquet file.

    `frame` has every column as String with headers as written — except a Parquet file's number,
    date and boolean columns, kept typed until normalise (`as_text` gives the all-String view) —
    plus `_source_file` (String) and `_source_row` (Int64, spreadsheet row number). `encoding` is
    what a CSV was decoded with.
    """

    frame: pl.DataFrame
    source: str
    sheet: str | None = None
    encoding: str | None = None
    repeated: tuple[str, ...] = ()
    """Headers written more than once (compared as `norm_header` does): the copies after the
    first are renamed `<header>__<n>` so polars can hold them, and normalise refuses the file."""

    @property
    def headers(self) -> list[str]:
        """The file's own headers (lineage columns excluded)."""
        return [c for c in self.frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]

    @property
    def rows_read(self) -> int:
        """Data rows (blank lines excluded): what accepted + rejected must add up to."""
        return self.frame.height

    def as_text(self) -> RawTable:
        """The table with every column as String (a Parquet file's typed columns cast now).

        Exactly the text `read_parquet` produced before it kept types (the same polars cast), for
        code that reads the cells as text (header search, reshape hooks).
        """
        typed = [c for c, t in self.frame.schema.items()
                 if t != pl.String and c not in (SOURCE_FILE, SOURCE_ROW)]
        if not typed:
            return self
        return replace(self, frame=self.frame.with_columns(pl.col(typed).cast(pl.String)))


def read_raw(path: Path) -> list[RawTable]:
    """Read a file into one RawTable per table (XLSX: one per non-empty sheet).

    Raises Refusal(empty_file | no_data_rows | binary_file | unreadable_xlsx | unreadable_csv |
    unreadable_parquet | parquet_nested_column | parquet_bad_bytes | unsupported_format).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise Refusal("empty_file", path.name)
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)]
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    if suffix in PARQUET_SUFFIXES:
        return [read_parquet(path)]
    raise Refusal("unsupported_format", path.name, {"suffix": suffix or "(なし)"})


# ---------------------------------------------------------------------------------------------
# CSV


def detect_encoding(data: bytes, file: str = "") -> str:
    """Encoding of CSV bytes: BOM → utf-8-sig (or utf-16 for Excel's 「Unicode テキスト」, which
    starts with a UTF-16 BOM); strict UTF-8; strict CP932; strict EUC-JP; else charset-normalizer's
    guess.

    The Japanese encodings are tried before guessing because Excel in Japan writes CP932 and
    charset-normalizer mis-guesses short Japanese text (EUC-JP came out as Korean cp949).
    NUL bytes (UTF-16, binary) or an undecodable body mean the file is not text: refusal.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data:
        raise Refusal("binary_file", file)
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "cp932"):
        # EUC-JP hiragana (0xA4 0xXX) decodes in CP932 as "､" + a half-width kana: many "､"
        # mean EUC-JP. Half-width kana names (ﾀﾅｶ ﾀﾛｳ), common in payroll exports, stay CP932.
        sample = data[: 1 << 16].decode("cp932", errors="ignore")
        if _halfwidth_comma_share(sample) > 0.1 and _decodes(data, "euc_jp"):
            return "euc_jp"
        return "cp932"
    if _decodes(data, "euc_jp"):
        return "euc_jp"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Refusal("binary_file", file)
    return best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _halfwidth_comma_share(text: str) -> float:
    """Share of "､" (U+FF64) among non-ASCII characters: high only in mis-decoded EUC-JP."""
    wide = len(_NON_ASCII.findall(text))
    return text.count("\uff64") / wide if wide else 0.0


def sniff_delimiter(first_line: str) -> str:
    """Tab if the header has more tabs than commas, else comma (semicolons are flagged later,
    by normalise, as a wrong delimiter: the header then reads as one column)."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def read_csv(path: Path) -> RawTable:
    """Read a CSV/TSV as all-String with spreadsheet row numbers; blank lines are skipped."""
    path = Path(path)
    data = path.read_bytes()
    encoding = detect_encoding(data, path.name)
    if encoding in ("utf-8", "utf-8-sig", "ascii"):
        body = data[3:] if encoding == "utf-8-sig" else data
    else:  # polars reads UTF-8 only; re-encoding 25 MB of CP932 takes ~0.3 s
        try:
            body = data.decode(encoding).encode("utf-8")
        except (UnicodeDecodeError, LookupError) as exc:
            raise Refusal("binary_file", path.name) from exc
    if b"\n" not in body and b"\r" in body:  # classic Mac line endings: one "line" otherwise
        body = body.replace(b"\r", b"\n")
    blank = _LEADING_BLANK.match(body)
    lead = blank.group(0).count(b"\n") if blank else 0
    # polars takes the width from the first line, so leading blank lines are cut off here and
    # added back to the row numbers below
    body = body[blank.end():] if blank else body
    if not body:
        raise Refusal("empty_file", path.name)
    newline = body.find(b"\n")
    first_line = body if newline < 0 else body[:newline]
    sep = sniff_delimiter(first_line.decode("utf-8", errors="replace"))
    try:
        grid = pl.read_csv(
            io.BytesIO(body), has_header=False, infer_schema=False, separator=sep, quote_char='"'
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise Refusal("unreadable_csv", path.name, {"reason": _first_line(exc)}) from exc
    table, repeated = _grid_to_table(grid, path.name, None)
    return RawTable(table.with_columns(pl.col(SOURCE_ROW) + lead), path.name, None, encoding, repeated)


# ---------------------------------------------------------------------------------------------
# XLSX


def read_xlsx(path: Path) -> list[RawTable]:
    """Every sheet with data, values as strings (dates come out as `2024-04-01 00:00:00`).

    calamine drops leading blank rows, so the first used row of each sheet is looked up in the
    sheet XML (`sheet_first_rows`) to keep `_source_row` equal to Excel's row number. Fully
    empty sheets, and header-only sheets when another sheet has data, are skipped: they hold
    no rows to lose.
    """
    import fastexcel

    path = Path(path)
    try:
        reader = fastexcel.read_excel(path)
        grids = [
            (name, reader.load_sheet(name, header_row=None, dtypes="string").to_polars())
            for name in reader.sheet_names
        ]
    except Exception as exc:  # calamine raises several exception types for corrupt zips
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Refusal("unreadable_xlsx", path.name, {"reason": reason}) from exc
    tables: list[RawTable] = []
    header_only: list[str] = []
    first_rows = sheet_first_rows(path)
    for name, grid in grids:
        if grid.width == 0 or _blank_mask(grid).all():
            continue
        try:
            frame, repeated = _grid_to_table(grid, path.name, name)
            frame = frame.with_columns(pl.col(SOURCE_ROW) + (first_rows.get(name, 1) - 1))
            tables.append(RawTable(frame, path.name, name, repeated=repeated))
        except Refusal as refusal:
            if refusal.code != "no_data_rows":
                raise
            header_only.append(name)
    if tables:
        return tables
    if header_only:
        raise Refusal("no_data_rows", path.name, {"sheet": f" (シート {', '.join(header_only)})"})
    raise Refusal("empty_file", path.name)


_CELL_WITH_VALUE = re.compile(rb'<c r="[A-Z]+([0-9]+)"[^>]*[^/]>\s*<(?:v|is|f)[ >]')
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')


def sheet_first_rows(path: Path) -> dict[str, int]:
    """Sheet name → Excel row number of its first cell with a value (1 when unknown).

    Reads only the start of each sheet's XML. Any surprise in the package layout falls back to
    1 (row numbers then count from the first used row, as calamine does).
    """
    import html
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8")
            rels = dict(_REL.findall(zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")))
            out: dict[str, int] = {}
            for name, rid in _SHEET.findall(book):
                target = rels.get(rid, "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                with zf.open(member) as fh:
                    head = fh.read(1 << 20)
                match = _CELL_WITH_VALUE.search(head)
                out[html.unescape(name)] = int(match.group(1)) if match else 1
            return out
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return {}


# ---------------------------------------------------------------------------------------------
# Parquet


def read_parquet(path: Path) -> RawTable:
    """A Parquet file with its columns cast to String, except numbers, dates and booleans
    (`_keeps_type`), row numbers as if header=1.

    Refused rather than crashing: nested columns (list/struct: a cell must hold one value) and
    binary columns with bytes that are not UTF-8 (named with their first bad row).
    """
    path = Path(path)
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises ComputeError / OSError variants
        raise Refusal("unreadable_parquet", path.name, {"reason": _first_line(exc)}) from exc
    frame = frame.drop([c for c in (SOURCE_FILE, SOURCE_ROW) if c in frame.columns])
    if frame.width == 0:
        raise Refusal("empty_file", path.name)
    if frame.height == 0:
        raise Refusal("no_data_rows", path.name, {"sheet": ""})
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Object]
    if nested:
        types = [f"{c} ({frame.schema[c]})" for c in nested]
        raise Refusal("parquet_nested_column", path.name, {"columns": types, "rows_read": frame.height})
    frame = frame.with_columns([_binary_as_text(frame, c, path.name)
                                for c, t in frame.schema.items() if t == pl.Binary])
    try:
        frame = frame.select([pl.col(c) if _keeps_type(t) else pl.col(c).cast(pl.String)
                              for c, t in frame.schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise Refusal("unreadable_parquet", path.name, {"reason": _first_line(exc)}) from exc
    frame = frame.with_columns(
        pl.lit(path.name, dtype=pl.String).alias(SOURCE_FILE),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(SOURCE_ROW),
    )
    return RawTable(frame, path.name, None)


def _keeps_type(dtype: pl.DataType) -> bool:
    """Parquet column types kept as they are: numbers, dates and booleans.

    Why: casting 7 M dates and hours to text only for normalise to parse them back cost more
    than the rest of reading. normalise parses each *distinct* value of such a column through
    the same text (`RawTable.as_text`'s cast), so every value reads, fails and is reported
    exactly as before. Other types (datetimes, decimals, categoricals...) become String here.
    """
    return (dtype.is_numeric() and not dtype.is_decimal()) or dtype in (pl.Date, pl.Boolean)


def parquet_headers(path: Path) -> list[str] | None:
    """The headers of a plain Parquet file from its metadata alone (no data read), else None.

    Why: the intake orders its files before processing any (org_units first), which needs each
    file's headers; reading the data too held every file in memory at once (a 1,000,000-staff
    organisation: 72 M overtime rows, ~9 GB). None — read the file now — for anything
    `read_parquet` might refuse (unreadable, no rows, no columns, nested or binary columns), so
    that refusal and its report stay as they were.
    """
    path = Path(path)
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        return None
    try:
        schema = pl.read_parquet_schema(path)
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception:  # read_parquet names the problem
        return None
    headers = [c for c in schema if c not in (SOURCE_FILE, SOURCE_ROW)]
    plain = all(not t.is_nested() and t not in (pl.Object, pl.Binary) for t in schema.values())
    return headers if headers and rows and plain else None


def _binary_as_text(frame: pl.DataFrame, column: str, file: str) -> pl.Series:
    """A Binary column decoded as UTF-8, or a refusal naming the column and the first bad row.

    polars cannot cast invalid UTF-8 even non-strictly (it raises), and decoding leniently would
    turn the bad cells into blanks, a silent loss; so the distinct values (few, and Binary
    columns are rare) are checked in Python before the cast.
    """
    raw = frame.get_column(column)
    bad = [v for v in raw.drop_nulls().unique().to_list() if not _decodes(v, "utf-8")]
    if bad:
        row = int(raw.is_in(bad).arg_true()[0]) + 2
        raise Refusal("parquet_bad_bytes", file, {"column": column, "row": row, "rows_read": frame.height})
    return raw.cast(pl.String)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's text (polars appends long hints), or its type name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# shared


def repeated_headers(cells: list[object] | tuple[object, ...]) -> tuple[str, ...]:
    """Non-blank header cells written twice or more, as first written (`ＩＤ` and `id` are one
    header written twice: they are compared the way headers are matched, `norm_header`)."""
    from hrmetrics.pipelines import norm_header

    first: dict[str, str] = {}
    out: list[str] = []
    for cell in cells:
        if cell is None or not str(cell).strip():
            continue
        key = norm_header(str(cell))
        if key in first and first[key] not in out:
            out.append(first[key])
        first.setdefault(key, str(cell))
    return tuple(out)


def _blank_mask(grid: pl.DataFrame) -> pl.Series:
    """True for rows whose every cell is null or whitespace (a blank spreadsheet line)."""
    return grid.select(
        pl.all_horizontal(
            pl.all().is_null() | (pl.all().cast(pl.String).str.strip_chars().str.len_bytes() == 0)
        ).alias("blank")
    ).to_series()


def _grid_to_table(grid: pl.DataFrame, file: str, sheet: str | None) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Header-less grid → (frame with the first non-blank row as headers, repeated headers).

    `_source_row` is the physical row (1-based), as the spreadsheet shows it: normally header = 1
    and first data row = 2; blank lines keep their numbers but are not returned.
    """
    grid = grid.with_columns(pl.all().cast(pl.String)).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(SOURCE_ROW)
    )
    blank = _blank_mask(grid.drop(SOURCE_ROW))
    grid = grid.filter(~blank)
    if grid.height == 0:
        raise Refusal("empty_file", file)
    header_cells = grid.drop(SOURCE_ROW).row(0)
    data = grid.slice(1)
    names = _unique_headers(header_cells)
    keep = [
        (old, new) for old, new, raw in zip(grid.columns[:-1], names, header_cells, strict=True)
        if not (raw is None or not str(raw).strip()) or data[old].is_not_null().any()
    ]
    if data.height == 0:
        sheet_note = f" (シート {sheet})" if sheet else ""
        raise Refusal("no_data_rows", file, {"sheet": sheet_note})
    frame = data.select(
        *[pl.col(old).alias(new) for old, new in keep],
        pl.lit(file, dtype=pl.String).alias(SOURCE_FILE),
        pl.col(SOURCE_ROW),
    )
    return frame, repeated_headers([str(c).lstrip("\ufeff") if c is not None else None for c in header_cells])


def _unique_headers(cells: tuple[object, ...]) -> list[str]:
    """Headers as written; blanks become `__UNNAMED__<i>`, repeats get `__<n>` (polars needs unique)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, cell in enumerate(cells):
        name = str(cell).lstrip("\ufeff") if cell is not None and str(cell).strip() else f"__UNNAMED__{i}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    return out
