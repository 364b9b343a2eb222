"""Intake orchestration: files → read → normalise → validate (GX) → store.

Why an orchestration module: the order matters (`org_units` and `survey_items` first, so later
files are checked against this run's registry and item list, else the store's), every file must
end in a report even when it is refused, and the accounting "rows accepted + rows rejected = rows
read" must hold per file so nothing is ever silently dropped. Each stage stays in its own module;
this one only sequences them and collects the outcome.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import polars as pl

from hrmetrics.errors import Refusal
from hrmetrics.messages import message, register
from hrmetrics.schemas import REJECTS_SCHEMA as REJECT_SCHEMA
from hrmetrics.schemas import empty_rejects
from hrmetrics.spreadsheet_safety import neutralise_expr

if TYPE_CHECKING:
    from hrmetrics.config import Config

PathArg: TypeAlias = "str | PathLike[str]"
Paths: TypeAlias = "PathArg | Iterable[PathArg]"
"""A file or folder, or several: what `validate_files` and `load_files` take."""

DATA_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq"})
"""Suffixes picked up when walking a folder (a file named explicitly is always tried)."""
SKIP_NAMES = frozenset({"manifest.json", "key", "hrmetrics.toml", "ledger.parquet", "ledger.csv"})
SKIP_DIRS = frozenset({"rejects", "store", "pipelines", "expectations", "reports", "plans", "raw",
                       "__pycache__"})
FIRST = {"org_units": 0, "survey_items": 1, "survey_attributes": 2}
"""Reference datasets first: later files are checked against them (a survey attributes file
needs the org master to resolve unit names; survey exports need the attributes)."""
REFERENCE_ONLY = frozenset({"survey_attributes"})
"""Read for this run's other files and never stored (respondents' attributes are personal data;
the survey's unit is stored with each answer instead)."""
DRAFT_ITEMS = "survey_items.draft.csv"
"""The draft 設問マスタ written into the workspace when items were derived from an export."""

register("intake_ok", "全 {rows} 行を取り込みました。", "All {rows} rows accepted.")
register("intake_partial",
         "{rejected} 行を取り込めませんでした ({rows} 行中)。理由は rejects を参照してください。",
         "{rejected} of {rows} rows were rejected; see the rejects for reasons.")
register("intake_warned", "{warned} 行に注意事項があります (取り込み済み)。",
         "{warned} rows have warnings (accepted).")
register("intake_duplicate", "同じファイルは読込済みです (バッチ {batch})。追加したデータはありません。",
         "This file was already loaded (batch {batch}); nothing was added.")
register("intake_skipped_rules", "参照データがないため確認できなかった規則: {rules}",
         "Rules not checked for lack of reference data: {rules}")
register("refused_row", "ファイル全体を取り込めませんでした", "The whole file was refused")


@dataclass
class FileReport:
    """One input table's outcome (a workbook sheet is its own table)."""

    file: str
    dataset: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_warned: int
    status: str
    """`ok` (every row accepted), `partial` (some rows rejected), `refused` (whole file),
    `duplicate` (already in the store; nothing added)."""
    message: str
    path: Path | None = None


@dataclass
class IntakeResult:
    """Everything an intake run found. `accepted` is filled by `validate_files` only (a load's
    accepted rows are in the store, pseudonymised)."""

    reports: list[FileReport]
    rejects: pl.DataFrame
    warnings: pl.DataFrame
    accepted: dict[str, pl.DataFrame] = field(default_factory=dict)
    out_dir: Path | None = None
    store_dir: Path | None = None
    lang: str = "ja"
    draft_items: Path | None = None
    """The draft item master written for waves read without one (`survey_items.draft.csv`)."""

    @property
    def all_accepted(self) -> bool:
        """True when no row of any file was rejected and no file was refused."""
        return all(r.rows_rejected == 0 and r.status != "refused" for r in self.reports)

    @property
    def rejects_dir(self) -> Path | None:
        """Where the rejects CSVs were written (None if no out_dir was given)."""
        return None if self.out_dir is None else self.out_dir / "rejects"

    def summary_frame(self) -> pl.DataFrame:
        """The data-quality table (architecture.md): one row per file or sheet."""
        schema = {"file": pl.String, "dataset": pl.String, "rows_read": pl.Int64,
                  "rows_accepted": pl.Int64, "rows_rejected": pl.Int64, "rows_warned": pl.Int64,
                  "status": pl.String, "message": pl.String}
        rows = [{k: getattr(r, k) for k in schema} for r in self.reports]
        return pl.DataFrame(rows, schema=schema)


# ---------------------------------------------------------------------------------------------
# finding files


def collect_paths(paths: Paths, exclude: list[Path] | None = None) -> list[Path]:
    """Files to take in: files as given; folders walked recursively for data files.

    Skipped while walking: hidden files and folders, Excel lock files (`~$…`), our own outputs
    (rejects/, store contents, ledger, manifest) and the workspace's editable folders.
    """
    given = [paths] if isinstance(paths, (str, PathLike)) else list(paths)
    excluded = [p.resolve() for p in (exclude or []) if p is not None]
    found: list[Path] = []
    for p in map(Path, given):
        if p.is_file():
            found.append(p)
            continue
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p).parts
            if not f.is_file() or any(part.startswith((".", "~$")) for part in rel):
                continue
            if f.name.endswith(".draft.csv"):  # our draft item master, for the user to complete
                continue
            if any(part in SKIP_DIRS for part in rel[:-1]) or f.name in SKIP_NAMES:
                continue
            if f.suffix.lower() not in DATA_SUFFIXES or _inside(f, excluded):
                continue
            found.append(f)
    return list(dict.fromkeys(found))


def _inside(path: Path, roots: list[Path]) -> bool:
    r = path.resolve()
    return any(r == root or root in r.parents for root in roots)


# ---------------------------------------------------------------------------------------------
# the run


@dataclass
class _Table:
    """A read table waiting for its turn (ordering needs every file's dataset first)."""

    path: Path
    raw: Any = None
    spec: Any = None
    refusal: Refusal | None = None
    sha256: str | None = None
    position: int = 0
    """The sheet's place in its workbook: sheets are taken in workbook order, not name order."""
    headers: list[str] | None = None
    """A plain Parquet file's headers (`readers.parquet_headers`): its rows are read only when its
    turn comes (`read`) and dropped after, so a load holds one file's rows at a time."""
    ahead: Any = None
    """The Future of this table's read + normalise, started while the table before it was
    validated and stored (`_Run.prepare`); None: done in `_Run.process`."""

    @property
    def label(self) -> str:
        sheet = getattr(self.raw, "sheet", None)
        return f"{self.path.name} [{sheet}]" if sheet else self.path.name

    @property
    def sheet(self) -> str | None:
        """The workbook sheet (None for CSV/Parquet): with the file hash, the table's identity."""
        return getattr(self.raw, "sheet", None)

    @property
    def rows_read(self) -> int:
        """Data rows; for a file refused while reading, the rows the reader could still count
        (a Parquet file with a list column has a known height), so read = rejected, not 0."""
        if self.raw is not None:
            return int(self.raw.rows_read)
        return int(getattr(self.refusal, "details", {}).get("rows_read", 0))

    def read(self) -> None:
        """Read a deferred Parquet file now; a refusal is kept as when read up front."""
        from hrmetrics.readers import read_raw

        if self.headers is None or self.raw is not None:
            return
        try:
            self.raw = read_raw(self.path)[0]
        except Refusal as exc:
            self.refusal = exc
        except Exception as exc:  # as in _read_all: this file's problem, not the run's
            self.refusal = Refusal("unreadable_file", self.path.name, {"reason": _describe_error(exc)})

    def release(self) -> None:
        """Drop a deferred file's rows once processed (they are in the store or the results)."""
        if self.headers is not None:
            self.raw = None

    @property
    def order(self) -> tuple[int, str, int]:
        ds = getattr(self.spec, "dataset", None)
        return (FIRST.get(ds, len(FIRST)) if ds else len(FIRST) + 1, self.path.name, self.position)


def _read_all(files: list[Path], specs: dict[str, Any]) -> list[_Table]:
    """Read and classify every file; a refusal is kept with its table, not raised.

    A plain Parquet file is classified by its headers (metadata) and read at its turn.
    """
    from hrmetrics.pipelines import match_spec
    from hrmetrics.readers import parquet_headers, read_raw

    tables: list[_Table] = []
    for path in files:
        headers = parquet_headers(path)
        if headers is not None:  # read when its turn comes (_Table.read)
            table = _Table(path, headers=headers)
            try:
                table.spec = match_spec(path, headers, specs)
            except Refusal as exc:
                table.refusal = exc
            tables.append(table)
            continue
        try:
            raws = read_raw(path)
        except Refusal as exc:
            tables.append(_Table(path, spec=_spec_by_name(path, specs), refusal=exc))
            continue
        except Exception as exc:  # a reader's surprise is this file's problem, not the run's
            refusal = Refusal("unreadable_file", path.name, {"reason": _describe_error(exc)})
            tables.append(_Table(path, spec=_spec_by_name(path, specs), refusal=refusal))
            continue
        for position, raw in enumerate(raws):
            table = _Table(path, raw=raw, position=position)
            try:
                table.spec = match_spec(path, raw.headers, specs)
            except Refusal as exc:
                table.refusal = exc
            tables.append(table)
    return sorted(tables, key=lambda t: t.order)


def _describe_error(exc: BaseException) -> str:
    """`Type: first line of the message` — enough to search for, short enough for a table."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _spec_by_name(path: Path, specs: dict[str, Any]) -> Any:
    """The dataset a file name alone points to (for an unreadable file's report), else None."""
    from hrmetrics.pipelines import match_spec

    try:
        return match_spec(path, [], specs)
    except Refusal:
        return None


class _Run:
    """State of one intake run: reference frames grow as reference datasets are accepted."""

    def __init__(self, config: Any, lang: str, store: Any = None):
        from hrmetrics.config import Config

        self.config = config or Config()
        self.lang = lang
        self.store = store
        self.reports: list[FileReport] = []
        self.rejects: list[pl.DataFrame] = []
        self.warnings: list[pl.DataFrame] = []
        self.accepted: dict[str, list[pl.DataFrame]] = {}
        self.reference: dict[str, pl.DataFrame] = {}
        self.id_key: bytes | None = None
        self.sheet_keys: dict[tuple[str, str], pl.DataFrame] = {}
        """Grain keys taken so far from each workbook's sheets, per dataset (`_sheet_clashes`)."""
        from hrmetrics.validate import GxRules

        self.rules = GxRules()
        """One GX context for every file of this run (validate.GxRules)."""
        self.live: set[tuple[str, str | None, str]] = set()
        """(sha256, sheet, dataset) of tables whose rows are in the store: a workbook's sheets
        are separate tables, so one loaded sheet does not make its siblings duplicates."""
        if store is not None:
            for ds in ("org_units", "survey_items"):
                frame = store.scan(ds).collect()
                if frame.height:
                    self.reference[ds] = frame
            led = store.ledger().filter(pl.col("status") == "loaded")
            for sha, sheet, ds, batch in led.select("sha256", "sheet", "dataset", "batch").iter_rows():
                if batch in store.live_batches(ds):
                    self.live.add((sha, sheet, ds))

    def context(self) -> Any:
        from hrmetrics.normalise import NormaliseContext

        return NormaliseContext(config=self.config, lang=self.lang, reference=dict(self.reference),
                                rules=self.rules)

    def refuse(self, table: _Table, exc: Refusal) -> None:
        """The whole table is refused: one report, one rejects row, all rows not accepted."""
        dataset = getattr(table.spec, "dataset", None)
        text = exc.message(self.lang)
        self.reports.append(FileReport(table.label, dataset, table.rows_read, 0, table.rows_read, 0,
                                       "refused", text, table.path))
        self.rejects.append(pl.DataFrame([{
            "dataset": dataset, "file": table.label, "row": None, "column": None, "value": None,
            "rule": exc.code, "message": text, "severity": "refused"}], schema=REJECT_SCHEMA))
        if self.store is not None:
            self.store.commit_batch(source=table.path, dataset=dataset, spec=table.spec,
                                    rows_read=table.rows_read, rows_rejected=table.rows_read,
                                    status="refused", sha256=self._sha(table), sheet=table.sheet)

    def duplicate(self, table: _Table) -> None:
        """Same bytes already loaded and still live: report it, add a ledger row, store nothing."""
        earlier = self.store.find_duplicate(self._sha(table), table.spec.dataset, table.sheet) or {}
        text = message("intake_duplicate", self.lang, batch=earlier.get("batch", "?"))
        read = int(earlier.get("rows_read") or table.rows_read)
        rejected = int(earlier.get("rows_rejected") or 0)
        self.reports.append(FileReport(table.label, table.spec.dataset, read, read - rejected, rejected,
                                       int(earlier.get("rows_warned") or 0), "duplicate", text, table.path))
        self.store.commit_batch(source=table.path, dataset=table.spec.dataset, spec=table.spec,
                                rows_read=read, rows_rejected=rejected, status="duplicate",
                                sha256=self._sha(table), sheet=table.sheet)

    @staticmethod
    def can_prepare(table: _Table) -> bool:
        """Whether a table may be read and normalised ahead, beside the work on the one before.

        Only without a reshape hook: normalising then needs the file and the config alone, never
        this run's reference data (a survey hook reads the item master the run is building).
        """
        return table.refusal is None and table.spec is not None and not table.spec.reshape

    def prepare(self, table: _Table, context: Any) -> Any:
        """Read and normalise a table (on the intake's worker thread): the Normalised, or the
        exception normalise raised (re-raised by `process`, so it is handled as before)."""
        from hrmetrics.normalise import normalise

        table.read()
        self._sha(table)
        if table.refusal is not None:
            return None
        try:
            return normalise(table.raw, table.spec, context)
        except Exception as exc:  # handed to process, which refuses the file as before
            return exc

    def process(self, table: _Table) -> None:
        """Normalise, validate and (when loading) store one table."""
        from hrmetrics.normalise import normalise
        from hrmetrics.validate import load_suite, map_retired_units, suite_version, validate_frame

        ahead = table.ahead.result() if table.ahead is not None else None
        table.ahead = None
        if table.refusal is None and table.spec is not None:
            table.read()
        if table.refusal is not None:
            return self.refuse(table, table.refusal)
        spec = table.spec
        if self.store is not None and (self._sha(table), table.sheet, spec.dataset) in self.live:
            return self.duplicate(table)
        context = self.context()
        try:
            if isinstance(ahead, Exception):
                raise ahead
            norm = ahead if ahead is not None else normalise(table.raw, spec, context)
            cycle = _successor_cycle_refusal(spec.dataset, norm.frame, table.label)
            if cycle is not None:
                raise cycle
            frame, moved = map_retired_units(norm.frame, spec.dataset, self.reference.get("org_units"),
                                             self.config, self.lang)
            val = validate_frame(frame, spec, context)
        except Refusal as exc:
            return self.refuse(table, exc)
        except Exception as exc:  # input no check foresaw: refuse this file, go on with the others
            reason = {"reason": _describe_error(exc)}
            return self.refuse(table, Refusal("unexpected_error", table.label, reason))
        accepted, clashes = self._sheet_clashes(table, spec, val.accepted)
        kept_rows = accepted["_source_row"].implode()
        moved = moved.filter(pl.col("row").is_in(kept_rows))  # warn only about rows kept
        warnings = val.warnings.filter(pl.col("row").is_in(kept_rows))
        read = norm.rows_read
        accepted_rows = accepted["_source_row"].n_unique() if accepted.height else 0
        rejected = read - accepted_rows
        parse_warned = norm.rejects.filter(pl.col("severity") == "warning")["row"].drop_nulls()
        warned = pl.concat([parse_warned, warnings["row"], moved["row"]]).n_unique()  # e.g. ids cleaned
        file_rejects = _as_written(self._without_ids(
            pl.concat([norm.rejects.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA), val.rejects, clashes,
                       moved]), spec), norm.column_map)
        self.rejects.append(file_rejects.filter(pl.col("severity") != "warning"))
        self.warnings.append(pl.concat([file_rejects.filter(pl.col("severity") == "warning"), warnings]))
        self.reports.append(FileReport(table.label, spec.dataset, read, accepted_rows, rejected, warned,
                                       "ok" if rejected == 0 else "partial",
                                       self._summary(read, rejected, warned, val.skipped_rules), table.path))
        self._remember(spec.dataset, accepted)
        if self.store is not None and spec.dataset not in REFERENCE_ONLY:
            self.store.commit_batch(
                source=table.path, dataset=spec.dataset, accepted=accepted, spec=spec, rows_read=read,
                rows_rejected=rejected, rows_warned=warned, status="loaded", sha256=self._sha(table),
                sheet=table.sheet,
                suite_version=suite_version(load_suite(spec.suite, getattr(self.config, "workspace", None))),
            )
            self.live.add((self._sha(table), table.sheet, spec.dataset))  # a 2nd copy in this run: duplicate
        return None

    def _sheet_clashes(self, table: _Table, spec: Any,
                       accepted: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Rows of a workbook sheet whose key (the dataset's grain) an earlier sheet of the same
        workbook already holds: rejected, naming that sheet and row.

        Why: sheets of one workbook are loaded side by side (none replaces another), so the same
        staff-month on two sheets would otherwise be counted twice. The earlier sheet's row stays.
        Rejection is per spreadsheet row (a survey row is rejected with all its items).
        """
        grain = [g for g in spec.grain if g in accepted.columns]
        if table.sheet is None or not grain or accepted.is_empty():
            return accepted, empty_rejects()
        key = (str(table.path), spec.dataset)
        earlier = self.sheet_keys.get(key)
        clash = pl.DataFrame()
        if earlier is not None:
            clash = accepted.join(earlier, on=grain, how="inner")
            accepted = accepted.filter(~pl.col("_source_row").is_in(clash["_source_row"].implode()))
        mine = accepted.select(*grain, _other_sheet=pl.lit(table.sheet), _other_row=pl.col("_source_row"))
        self.sheet_keys[key] = mine if earlier is None else pl.concat([earlier, mine])
        if clash.is_empty():
            return accepted, empty_rejects()
        from hrmetrics.validate import _value_text

        value = pl.concat_str([_value_text(c, clash.schema[c]) for c in grain], separator=" / ",
                              ignore_nulls=True)
        template = message("grain_across_sheets", self.lang, value="\x00v", sheet="\x00s", row="\x00r")
        order = sorted([("\x00v", value), ("\x00s", pl.col("_other_sheet")),
                        ("\x00r", pl.col("_other_row").cast(pl.String))], key=lambda f: template.find(f[0]))
        text = template
        for placeholder, _ in order:
            text = text.replace(placeholder, "{}")
        rejects = clash.select(
            dataset=pl.lit(spec.dataset), file=pl.lit(table.label), row=pl.col("_source_row"),
            column=pl.lit(",".join(grain)), value=value, rule=pl.lit("grain_across_sheets"),
            message=pl.format(text, *[expr for _, expr in order]), severity=pl.lit("error"),
        ).unique(["row"], maintain_order=True).cast(REJECT_SCHEMA)
        return accepted, rejects

    def _without_ids(self, rejects: pl.DataFrame, spec: Any) -> pl.DataFrame:
        """Rejects with staff/respondent ids replaced by their pseudonym (README, Privacy).

        Loading uses the store's key, so the pseudonym is the stored id; `validate` uses the
        configured key, else a key made for this run only (the row number still finds the row).
        """
        from hrmetrics.store import pseudonymise_rejects

        if self.id_key is None:
            try:
                self.id_key = (self.store.pseudonym_key() if self.store is not None
                               else self.config.resolved_pseudonym_key())
            except ValueError:
                self.id_key = secrets.token_hex(32).encode("ascii")
        return pseudonymise_rejects(rejects, list(spec.pseudonymise), self.id_key)

    def _summary(self, read: int, rejected: int, warned: int, skipped: list[str]) -> str:
        parts = [message("intake_ok", self.lang, rows=read) if rejected == 0
                 else message("intake_partial", self.lang, rejected=rejected, rows=read)]
        if warned:
            parts.append(message("intake_warned", self.lang, warned=warned))
        if skipped:
            parts.append(message("intake_skipped_rules", self.lang, rules=sorted(set(skipped))))
        return " ".join(parts)

    def _remember(self, dataset: str, accepted: pl.DataFrame) -> None:
        """Keep accepted rows (`validate` only); reference datasets also become reference frames.

        `org_units` replaces the whole registry (replace = "all"); `survey_items` replaces the
        waves it contains, keeping other waves already known.
        """
        # a load's accepted rows are in the store: holding them too doubled a large load's memory;
        # survey answers are kept even then (small), as write_draft_items derives the items from them
        if self.store is None or dataset == "survey":
            self.accepted.setdefault(dataset, []).append(accepted)
        if dataset == "org_units" and accepted.height:
            self.reference[dataset] = accepted
        elif dataset == "survey_attributes" and accepted.height:
            earlier = self.reference.get(dataset)
            self.reference[dataset] = accepted if earlier is None else pl.concat(
                [earlier, accepted], how="vertical_relaxed").unique("respondent_id", keep="last")
        elif dataset == "survey_items" and accepted.height:
            earlier = self.reference.get(dataset)
            if earlier is not None:
                earlier = earlier.filter(~pl.col("wave").is_in(accepted["wave"].unique().implode()))
                accepted = pl.concat([earlier.select(accepted.columns), accepted], how="vertical_relaxed")
            self.reference[dataset] = accepted

    def _sha(self, table: _Table) -> str:
        from hrmetrics.store import file_sha256

        if table.sha256 is None:
            table.sha256 = file_sha256(table.path)
        return table.sha256

    def result(self, out_dir: Path | None, store_dir: Path | None, keep_accepted: bool) -> IntakeResult:
        rejects = pl.concat([empty_rejects(), *self.rejects])
        warnings = pl.concat([empty_rejects(), *self.warnings])
        accepted = {ds: pl.concat(fs, how="vertical_relaxed") for ds, fs in self.accepted.items()} \
            if keep_accepted else {}
        return IntakeResult(self.reports, rejects, warnings, accepted, out_dir, store_dir, self.lang)


def _intake(paths: Paths, *, store_dir: Path | None, out_dir: Path | None, config: Config | None, lang: str,
            show_progress: bool) -> IntakeResult:
    from hrmetrics.pipelines import load_specs
    from hrmetrics.store import Store

    store = Store(store_dir, config) if store_dir is not None else None
    files = collect_paths(paths, exclude=_outputs(store_dir, out_dir))
    if files:
        _import_gx_aside()
    tables = _read_all(files, load_specs(getattr(config, "workspace", None)))
    # Reading happens before the store's lock; the run's view of the store (reference data,
    # what is already loaded) is taken inside it, so a load that waited sees the other's result.
    with store.transaction() if store is not None else nullcontext():
        run = _Run(config, lang, store)
        with _progress(show_progress, len(tables), lang) as advance, ThreadPoolExecutor(1) as worker:
            try:
                for i, table in enumerate(tables):  # one transaction: a run that fails midway stores nothing
                    following = tables[i + 1] if i + 1 < len(tables) else None
                    if following is not None and run.can_prepare(following):
                        # read + normalise the next file while this one is validated and stored:
                        # both are mostly polars, which works outside the GIL (2 cores, not 1)
                        following.ahead = worker.submit(run.prepare, following, run.context())
                    run.process(table)
                    table.release()
                    advance(table.label)
            finally:
                for table in tables:  # a failure midway: let the worker finish, keep nothing
                    if table.ahead is not None and not table.ahead.cancel():
                        table.ahead.exception()
                    table.ahead = None
                    table.release()
                run.rules.close()
    result = run.result(out_dir, store_dir, keep_accepted=store is None)
    result.draft_items = write_draft_items(run, config, out_dir, store_dir)
    if out_dir is not None:
        write_rejects(result, Path(out_dir), [r.dataset for r in result.reports])
    return result


def _import_gx_aside() -> None:
    """Start importing Great Expectations on a thread while the files are listed and the first
    ones read: the import alone is ~4.5 s of a load. The first validation waits for it (Python's
    import lock); an import error there is raised as it always was."""
    import sys
    import threading

    if "great_expectations" in sys.modules:
        return

    def _import() -> None:
        try:
            import great_expectations  # noqa: F401
        except Exception:  # reported by the validation that needs it
            return

    threading.Thread(target=_import, name="hrmetrics-import-gx", daemon=True).start()


def write_draft_items(run: _Run, config: Any, out_dir: Path | None, store_dir: Path | None) -> Path | None:
    """Write `survey_items.draft.csv` (UTF-8 with BOM) for waves whose items were derived.

    Into the workspace if there is one, else the output folder. Rows the file already holds
    (a draft the user is completing) are kept as they are; only new wave × item rows are added.
    """
    from hrmetrics.survey.derive import derived_items, draft_master

    frames = run.accepted.get("survey") or []
    survey = pl.concat(frames, how="vertical_relaxed") if frames else None
    if survey is None or "scale_points" not in survey.columns:
        return None
    overall = getattr(run.config, "survey_overall_item", None)
    items = derived_items(survey.with_columns(pl.col("scale_points").cast(pl.Int64, strict=False)), overall)
    if items.is_empty():
        return None
    folder = getattr(run.config, "workspace", None) or out_dir or (store_dir.parent if store_dir else None)
    if folder is None:
        return None
    target = Path(folder) / DRAFT_ITEMS
    draft = draft_master(items)
    if target.exists():
        try:
            old = pl.read_csv(target, infer_schema=False)
            keys = ["調査回", "設問ID"]
            new = draft.cast(pl.String).join(old.select(keys), on=keys, how="anti")
            draft = pl.concat([old, new], how="diagonal_relaxed")
        except Exception:  # an unreadable old draft is left alone: the new one goes beside it
            target = target.with_name("survey_items.draft.new.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    draft.with_columns(neutralise_expr(pl.col("設問文").cast(pl.String)).alias("設問文")).write_csv(
        target, include_bom=True)
    return target


def _successor_cycle_refusal(dataset: str, frame: pl.DataFrame, label: str) -> Refusal | None:
    """An org_units table whose successor codes loop is refused whole, naming the loop(s)."""
    if dataset != "org_units":
        return None
    from hrmetrics.orgs import successor_cycles

    cycles = successor_cycles(frame)
    if not cycles:
        return None
    shown = "; ".join(" → ".join([*c, c[0]]) for c in cycles)
    units = sorted({u for c in cycles for u in c})
    return Refusal("successor_cycle", label, {"cycle": shown, "units": units})


def _as_written(rejects: pl.DataFrame, column_map: dict[str, str]) -> pl.DataFrame:
    """Name columns as the file's own header does (職員番号, not staff_id): the person fixing
    the file sees that header in Excel. Compound keys (`staff_id,month`) are translated part by
    part; names that were not renamed stay as they are."""
    written = {canonical: header for header, canonical in column_map.items() if header != canonical}
    if not written or rejects.is_empty():
        return rejects
    return rejects.with_columns(
        pl.col("column").str.split(",").list.eval(pl.element().replace(written)).list.join(","))


def _outputs(store_dir: Path | None, out_dir: Path | None) -> list[Path]:
    """What our own runs write, so a data folder inside the output folder is still read."""
    found = [store_dir] if store_dir is not None else []
    if out_dir is not None:
        out = Path(out_dir)
        found += [out / name for name in ("rejects", "report", "store", "kpis.csv", "kpis.parquet",
                                          "progress.csv")]
    return found


def validate_files(paths: Paths, out_dir: PathArg | None = None, config: Config | None = None,
                   lang: str = "ja",
                   show_progress: bool = False) -> IntakeResult:
    """Read, normalise and validate files or folders without storing anything.

    Returns every file's report, the rejects and warnings, and the accepted rows by dataset.
    With `out_dir`, writes `out_dir/rejects/<dataset>.csv` (UTF-8 with BOM, opens in Excel).
    """
    return _intake(paths, store_dir=None, out_dir=Path(out_dir) if out_dir else None, config=config,
                   lang=lang, show_progress=show_progress)


def load_files(paths: Paths, store_dir: PathArg, out_dir: PathArg | None = None, config: Config | None = None,
               lang: str = "ja", show_progress: bool = False) -> IntakeResult:
    """Validate files or folders and commit each file's accepted rows to the store.

    Each file is its own batch: a file already loaded is a `duplicate` (nothing added); a
    corrected file replaces the same periods of earlier batches; a refused file is recorded in
    the ledger. Reference data (org_units, survey_items) comes from this run, else the store.
    """
    return _intake(paths, store_dir=Path(store_dir), out_dir=Path(out_dir) if out_dir else None,
                   config=config, lang=lang, show_progress=show_progress)


# ---------------------------------------------------------------------------------------------
# outputs


def write_rejects(result: IntakeResult, out_dir: Path, datasets: list[str | None]) -> list[Path]:
    """`out_dir/rejects/<dataset>.csv` per dataset with rejects or warnings (UTF-8 BOM).

    A dataset processed in this run with nothing to report gets its old CSV removed, so a
    stale file from an earlier run never contradicts this one. Refused files whose dataset is
    unknown go to `unknown.csv`.
    """
    folder = out_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    both = pl.concat([result.rejects, result.warnings]).with_columns(pl.col("dataset").fill_null("unknown"))
    written: list[Path] = []
    for ds in sorted({d or "unknown" for d in datasets} | set(both["dataset"].unique().to_list())):
        target = folder / f"{ds}.csv"
        part = both.filter(pl.col("dataset") == ds).sort("file", "row", "rule", nulls_last=False)
        if part.height == 0:
            target.unlink(missing_ok=True)
            continue
        part = part.with_columns(neutralise_expr(pl.col("file")).alias("file"),
                                 neutralise_expr(pl.col("value")).alias("value"))
        part.write_csv(target, include_bom=True)
        written.append(target)
    return written


class _NoProgress:
    def __enter__(self) -> Any:
        return lambda label: None

    def __exit__(self, *exc: object) -> None:
        return None


class _RichProgress:
    """One bar over the files, labelled with the file being finished."""

    def __init__(self, total: int, lang: str):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        # stderr and transient: the bar is for a person watching; it never mixes into the tables
        # printed afterwards or into output that is piped or captured.
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task(message("stage.validate", lang), total=total)

    def __enter__(self) -> Any:
        self.progress.start()

        from rich.markup import escape

        from hrmetrics.console import visible

        def advance(label: str) -> None:  # a file name is data: `[x].csv` must not be markup
            self.progress.update(self.task, advance=1, description=escape(visible(label)))

        return advance

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _progress(show: bool, total: int, lang: str) -> Any:
    return _RichProgress(total, lang) if show else _NoProgress()
