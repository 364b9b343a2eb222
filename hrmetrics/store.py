"""The store directory: accepted rows as Parquet, a load ledger, raw files by hash.

Layout (docs/architecture.md)::

    STORE/manifest.json            which Parquet files make up each dataset, and the ledger file
    STORE/ledger.parquet           readable copy of the ledger (one row per load event)
    STORE/ledger/<version>.parquet the ledger version the manifest points to
    STORE/data/<dataset>/<batch>[.r<version>].parquet
    STORE/raw/<sha256>.<ext>       HR exports exactly as received (survey exports: see below)
    STORE/key                      random pseudonym key, mode 0600, only if none is configured
    STORE/.lock, STORE/.lock.owner the writers' lock and who holds it (pid, host, since)

Why a manifest: a load writes new files only, then swaps `manifest.json` with `os.replace`
(atomic on POSIX). Until the swap, readers and later loads see the previous manifest, so a load
killed midway leaves the store as it was. What such a load wrote is unreferenced; the next writer
removes it when it opens the store (`recover`), before it changes anything. The ledger lives in a
versioned file named by the manifest for the same reason; `ledger.parquet` is a byte copy of it
for people who open the folder, refreshed after the swap and, if a kill came in between, at the
next open.

Why a lock: two loads into one store would both build "version n+1" from version n; one would
overwrite the other's ledger file and delete its data. Writers therefore take an exclusive OS lock
on `STORE/.lock` (the `filelock` package: `flock` on POSIX, `msvcrt.locking` on Windows) for the
whole run. A second load waits, and says so on stderr: waiting loses nothing, its duplicate and
replacement checks then see the first load's result, and a killed holder releases the lock with
its process, so there is never a stale lock to remove by hand.

Why survey exports have no raw copy: they carry names, e-mail addresses and free-text comments
that the analysis never uses (the rows kept are pseudonymised in `data/survey`). Their raw copy
is kept only with `[privacy] keep_raw_survey = true`; the ledger still records file name, sha256
and counts, so reloading the same export is still recognised as a duplicate.

Why pseudonymise here: the store is the only place data persists, so ids in `spec.pseudonymise`
columns are replaced by an HMAC-SHA256 keyed hash on the way in. The key comes from the config
(`[privacy] pseudonym_key` or `$HRMETRICS_PSEUDONYM_KEY`); when none is configured, a random key
is created in `STORE/key` (mode 0600) and reused, so the same person keeps the same pseudonym
across loads of this store (and nobody without that file can recompute it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from hrmetrics.jpcalendar import fiscal_year_label_expr

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "batch": pl.String(),
    "loaded_at": pl.Datetime("us", "UTC"),
    "dataset": pl.String(),
    "file": pl.String(),
    "sheet": pl.String(),
    "sha256": pl.String(),
    "rows_read": pl.Int64(),
    "rows_accepted": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "rows_warned": pl.Int64(),
    "periods": pl.String(),
    "replaced_batches": pl.String(),
    "suite": pl.String(),
    "suite_version": pl.String(),
    "status": pl.String(),
}
"""Ledger columns; `periods` and `replaced_batches` are comma-separated (readable in Excel).
`sheet` names the workbook sheet (null for CSV/Parquet): a table is identified by file hash and
sheet, so every sheet of a workbook is its own batch."""

NO_RAW_COPY = frozenset({"survey"})
"""Datasets whose exports are not copied to `raw/` unless `keep_raw_survey` is set (they hold
names, e-mails and comments). Files whose dataset is unknown are not copied either: a refused
file may be such an export."""

TYPE_DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(), "code": pl.String(), "text": pl.String(), "wave": pl.String(),
    "category": pl.String(), "int": pl.Int64(), "year": pl.Int64(), "fiscal_year": pl.Int64(),
    "number": pl.Float64(), "hours": pl.Float64(), "month": pl.Date(), "date": pl.Date(),
    "bool": pl.Boolean(),
}
"""Canonical dtype of each spec column type (architecture.md)."""

LINEAGE: dict[str, pl.DataType] = {"_source_file": pl.String(), "_source_row": pl.Int64(),
                                   "_batch": pl.String()}
LOCK_FILE = ".lock"
OWNER_FILE = ".lock.owner"
PSEUDONYM_CHARS = 24
"""Hex characters kept of the HMAC (96 bits: collision-free at any municipal scale)."""


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks (exports can be large)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def canonical_schema(spec: Any) -> dict[str, pl.DataType]:
    """Stored columns of a dataset, in spec order, followed by the lineage columns."""
    cols = {name: TYPE_DTYPES[c.type] for name, c in spec.columns.items()}
    return {**cols, **LINEAGE}


def period_expr(spec: Any) -> pl.Expr:
    """The replacement key of a row (`spec.replace`), as text for the ledger.

    month → `2024-04`, year → `2024`, as_of → `2024-04-01`, wave → label, birth_fy → `FY2024`,
    fy:<date column> → `FY2024`
    (fiscal year of `birth_date`), all → `all`.
    """
    kind = spec.replace
    if kind == "month":
        return pl.col("month").dt.strftime("%Y-%m")
    if kind == "as_of":
        return pl.col("as_of").dt.strftime("%Y-%m-%d")
    if kind == "birth_fy":
        return fiscal_year_label_expr("birth_date")
    if kind.startswith("fy:"):  # fiscal year of a date column (hires, separations)
        return fiscal_year_label_expr(kind[3:])
    if kind == "all":
        return pl.lit("all")
    return pl.col(kind).cast(pl.String)


def pseudonymise(frame: pl.DataFrame, columns: list[str] | tuple[str, ...], key: bytes,
                 cache: dict[str, str] | None = None) -> pl.DataFrame:
    """Replace id columns by their keyed hash: hash each distinct id once, then map the rows.

    HMAC (not a bare hash) so that nobody can confirm a guessed staff number without the key.
    HMAC-SHA256 runs once per distinct id (C code via `hmac.digest`; polars has no keyed
    cryptographic hash); the rows are mapped vectorised (`hrmetrics.distinct`). `cache` (id →
    pseudonym under this `key`) carries the digests from one file to the next: six years of
    overtime name the same staff six times, and the HMAC was half the cost of pseudonymising.
    """
    from hrmetrics.distinct import distinct_codes

    out = frame
    for col in columns:
        if col not in out.columns:
            continue
        ids, codes = distinct_codes(out.get_column(col).cast(pl.String))
        digests = pl.Series(_hmac_hex(ids.to_list(), key, cache), dtype=pl.String)
        out = out.with_columns(digests.gather(codes).alias(col))
    return out


def _hmac_hex(values: list[str | None], key: bytes, cache: dict[str, str] | None = None) -> list[str | None]:
    """The pseudonym of each id: the first PSEUDONYM_CHARS hex digits of HMAC-SHA256(key, id).

    With `cache`, ids already hashed are looked up and new ones added to it.
    """
    if cache is None:
        return [None if v is None else _digest(key, v) for v in values]
    out: list[str | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        hit = cache.get(v)
        if hit is None:
            hit = cache[v] = _digest(key, v)
        out.append(hit)
    return out


def _digest(key: bytes, value: str) -> str:
    return hmac.digest(key, value.encode("utf-8"), "sha256").hex()[:PSEUDONYM_CHARS]


def pseudonymise_rejects(rejects: pl.DataFrame, columns: list[str] | tuple[str, ...],
                         key: bytes) -> pl.DataFrame:
    """Rejects/warnings with the values of id `columns` replaced by their pseudonym.

    Why: the rejects CSV and the workbook's 却下行 sheet are shared with the people who fix the
    exports; a staff number there is personal data outside the store. The spreadsheet row
    (`row`) already says where to look, and the pseudonym equals the stored id (same key), so an
    analyst can still find the person's stored rows. `column` may be compound (`staff_id,month`,
    value `S1 / 2024-04`): only the id parts change, and the message quoting the value changes
    with it. Rows of other columns are returned as they are.
    """
    ids = list(columns)
    if rejects.is_empty() or not ids:
        return rejects
    cols = pl.col("column").str.split(",")
    hit = cols.list.eval(pl.element().is_in(ids)).list.any().fill_null(False)
    work = rejects.with_row_index("_r")
    masked = work.filter(hit)
    if masked.is_empty():
        return rejects
    parts = (masked.select("_r", _col=cols, _val=pl.col("value").str.split(" / "))
             .filter(pl.col("_col").list.len() == pl.col("_val").list.len())
             .explode("_col", "_val").with_row_index("_p"))
    is_id = pl.col("_col").is_in(ids)
    hashed = pseudonymise(parts.filter(is_id).select("_p", staff_id=pl.col("_val")), ["staff_id"], key)
    parts = (parts.join(hashed.rename({"staff_id": "_hash"}), on="_p", how="left")
             .with_columns(_val=pl.when(is_id).then("_hash").otherwise("_val")))
    new_value = parts.group_by("_r", maintain_order=True).agg(_new=pl.col("_val").str.join(" / "))
    masked = masked.join(new_value, on="_r", how="left").with_columns(
        # compound values whose parts could not be matched to columns are withheld whole
        _new=pl.when(pl.col("value").is_null()).then(None).otherwise(pl.col("_new").fill_null("(非表示)")))
    message = pl.col("message")
    for left, right in (("「", "」"), ("'", "'")):
        message = message.str.split(pl.format(left + "{}" + right, "value")).list.join(
            pl.format(left + "{}" + right, "_new"))
    masked = masked.with_columns(message=pl.when(pl.col("value").is_null()).then(pl.col("message"))
                                 .otherwise(message), value=pl.col("_new")).drop("_new")
    return (pl.concat([work.filter(~hit), masked.select(work.columns)]).sort("_r").drop("_r"))


class Store:
    """A store directory (created on first commit). See the module docstring for the layout."""

    def __init__(self, path: str | Path, config: Any = None):
        self.path = Path(path)
        self.config = config
        self._txn: dict[str, Any] | None = None
        self._filelock: Any = None
        self._pseudonyms: tuple[bytes | None, dict[str, str]] = (None, {})
        """(key, id → pseudonym) of the ids this Store object has written (`pseudonymise`)."""

    # -- the writers' lock ---------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[Store]:
        """Hold the store's exclusive writer lock; wait (saying so on stderr) while another
        process holds it. On entry the store is recovered from any earlier crash.

        Re-entrant within one Store object (a commit inside a transaction keeps the lock).
        """
        from filelock import FileLock, Timeout

        if self._filelock is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._filelock = FileLock(self.path / LOCK_FILE)
        first = not self._filelock.is_locked
        try:
            self._filelock.acquire(timeout=0)
        except Timeout:
            self._say_waiting()
            self._filelock.acquire()  # until the other writer ends; a killed one releases at once
        try:
            if first:
                self._write_owner()
                self.recover()
            yield self
        finally:
            self._filelock.release()

    def _say_waiting(self) -> None:
        """One line on stderr: which store, who holds it, that we wait (not hang silently)."""
        from hrmetrics.messages import message

        try:
            owner = json.loads((self.path / OWNER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            owner = {}
        lang = getattr(self.config, "lang", "ja")
        print(message("store_busy_wait", lang, store=str(self.path), pid=owner.get("pid", "?"),
                      host=owner.get("host", "?"), since=owner.get("since", "?")),
              file=sys.stderr, flush=True)

    def _write_owner(self) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds")}
        tmp = self.path / f".owner.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, self.path / OWNER_FILE)

    def recover(self) -> list[str]:
        """Remove what a killed load left behind and refresh a stale `ledger.parquet`.

        Called by the lock holder only, before it writes: every file under `data/` and `ledger/`
        that the manifest does not name, every raw copy no ledger row keeps, and temporary files,
        are leftovers of a load that never reached (or never finished after) its commit point.
        Returns the removed paths (relative), for tests and for the curious.
        """
        manifest = self._manifest_on_disk()
        live = {f for fs in manifest.get("datasets", {}).values() for f in fs}
        if manifest.get("ledger"):
            live.add(manifest["ledger"])
        wanted_raw = self._raw_kept(self._read_ledger(manifest.get("ledger")))
        removed: list[str] = []
        for folder in ("data", "ledger", "raw"):
            root = self.path / folder
            if not root.is_dir():
                continue
            for f in sorted(root.rglob("*")):
                rel = f.relative_to(self.path).as_posix()
                if f.is_file() and rel not in live and rel not in wanted_raw:
                    f.unlink(missing_ok=True)
                    removed.append(rel)
        for f in sorted(self.path.glob(".*.tmp")):
            f.unlink(missing_ok=True)
            removed.append(f.name)
        self._refresh_ledger_copy(manifest.get("ledger"))
        return removed

    def _refresh_ledger_copy(self, ledger_rel: str | None) -> None:
        """`ledger.parquet` := a byte copy of the manifest's ledger (or absent if none)."""
        copy = self.path / "ledger.parquet"
        if not ledger_rel:
            copy.unlink(missing_ok=True)
            return
        source = self.path / ledger_rel
        if copy.exists() and copy.read_bytes() == source.read_bytes():
            return
        tmp = self.path / f".ledger.{uuid.uuid4().hex}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, copy)

    def _keeps_raw(self, dataset: str | None) -> bool:
        """Whether a file of `dataset` gets a raw copy (module docstring: survey exports don't)."""
        if dataset is None:
            return False
        return dataset not in NO_RAW_COPY or bool(getattr(self.config, "keep_raw_survey", False))

    def _raw_kept(self, ledger: pl.DataFrame) -> set[str]:
        """Raw copies the ledger justifies keeping: `raw/<sha256><ext>` of kept datasets."""
        rows = ledger.select("dataset", "file", "sha256").unique().iter_rows()
        return {f"raw/{sha}{Path(file).suffix.lower()}" for ds, file, sha in rows
                if sha and self._keeps_raw(ds)}

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Make every commit inside the block one all-or-nothing load.

        A run loads many files; if it is killed or fails at the tenth, the store must be as it
        was before the run, not half-loaded. Inside a transaction each `commit_batch` writes its
        new files and builds the next manifest in memory (later files see earlier ones: duplicates
        and replaced periods are judged against them); the manifest on disk is swapped once, at
        the end. On any error every file written by the block is removed.
        """
        if self._txn is not None:  # nested: the outer transaction decides
            yield self
            return
        with self.locked():
            yield from self._transaction_body()

    def _transaction_body(self) -> Iterator[Store]:
        """The transaction proper, run while holding the lock (see `transaction`)."""
        self._txn = {"base": self.manifest(), "pending": None, "written": []}
        committed = False
        try:
            yield self
            base, pending = self._txn["base"], self._txn["pending"]
            if pending is not None:
                self._swap_manifest(pending)  # the commit point of the whole block
                committed = True  # from here on, an error must not remove what the store uses
                live = {f for fs in pending["datasets"].values() for f in fs} | {pending["ledger"]}
                for p in self._txn["written"]:  # files superseded within the block
                    rel = p.relative_to(self.path).as_posix()
                    if rel not in live and not rel.startswith("raw/"):
                        _crash_point("unlink")
                        p.unlink(missing_ok=True)
                self._after_swap(base, pending)
        except BaseException:
            if not committed:
                for p in self._txn["written"]:
                    p.unlink(missing_ok=True)
            raise
        finally:
            self._txn = None

    # -- reading -------------------------------------------------------------------------------

    def workspace(self) -> Path | None:
        """The workspace whose `hrmetrics.toml` loaded this store, so later commands that only
        get `--store` apply the same settings (organisation name, minimum group sizes)."""
        recorded = self.manifest().get("workspace")
        return Path(recorded) if recorded else None

    def recorded_config(self) -> Any:
        """The settings of the workspace that loaded this store; the defaults if it has none or
        it has moved away. Lets `compute_kpis(store)` and `--store` apply the same privacy
        minimums and organisation name as the load did."""
        from hrmetrics.config import Config, load_config

        workspace = self.workspace()
        return load_config(workspace) if workspace is not None and workspace.is_dir() else Config()

    def _workspace_label(self, manifest: dict[str, Any]) -> str | None:
        workspace = getattr(self.config, "workspace", None)
        if workspace is not None:
            return str(Path(workspace).resolve())
        return manifest.get("workspace")

    def manifest(self) -> dict[str, Any]:
        """The current manifest (an empty one for a new store); inside a transaction, the one it
        is building."""
        if self._txn is not None and self._txn["pending"] is not None:
            return json.loads(json.dumps(self._txn["pending"]))
        return self._manifest_on_disk()

    def _manifest_on_disk(self) -> dict[str, Any]:
        p = self.path / "manifest.json"
        if not p.exists():
            return {"datasets": {}, "ledger": None, "version": 0}
        return json.loads(p.read_text(encoding="utf-8"))

    def scan(self, dataset: str) -> pl.LazyFrame:
        """Accepted rows of `dataset` (canonical columns, pseudonymised ids, lineage columns)."""
        files = self.manifest()["datasets"].get(dataset, [])
        if files:
            return pl.scan_parquet([self.path / f for f in files])
        spec = self._specs().get(dataset)
        schema = canonical_schema(spec) if spec is not None else LINEAGE
        return pl.LazyFrame(schema=schema)

    def datasets(self) -> dict[str, pl.LazyFrame]:
        """Every dataset that has stored rows."""
        return {ds: self.scan(ds) for ds, files in sorted(self.manifest()["datasets"].items()) if files}

    def ledger(self) -> pl.DataFrame:
        """The load ledger, oldest event first."""
        return self._read_ledger(self.manifest().get("ledger"))

    def _read_ledger(self, rel: str | None) -> pl.DataFrame:
        """A ledger file in today's schema (a ledger written before `sheet` existed gets nulls)."""
        if not rel:
            return pl.DataFrame(schema=LEDGER_SCHEMA)
        frame = pl.read_parquet(self.path / rel)
        return frame.with_columns([pl.lit(None, dtype).alias(c) for c, dtype in LEDGER_SCHEMA.items()
                                   if c not in frame.columns]).select(list(LEDGER_SCHEMA))

    def live_batches(self, dataset: str) -> set[str]:
        """Batches that still have rows in `dataset` (a replaced batch is no longer live)."""
        return {Path(f).name.split(".")[0] for f in self.manifest()["datasets"].get(dataset, [])}

    def find_duplicate(self, sha256: str, dataset: str, sheet: str | None = None) -> dict[str, Any] | None:
        """The earlier `loaded` ledger row of the same bytes, sheet and dataset, if its rows are
        live. The sheet matters: the other sheets of a loaded workbook are not duplicates."""
        led = self.ledger()
        hits = led.filter((pl.col("sha256") == sha256) & (pl.col("dataset") == dataset)
                          & pl.col("sheet").eq_missing(pl.lit(sheet, pl.String))
                          & (pl.col("status") == "loaded")
                          & pl.col("batch").is_in(list(self.live_batches(dataset))))
        return hits.row(-1, named=True) if hits.height else None

    # -- pseudonym key -------------------------------------------------------------------------

    def pseudonym_key(self) -> bytes:
        """Configured key, else `STORE/key` (created once, random, mode 0600)."""
        from hrmetrics.config import Config

        try:
            return (self.config or Config()).resolved_pseudonym_key()
        except ValueError:
            pass
        key_file = self.path / "key"
        if not key_file.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                return key_file.read_text(encoding="ascii").strip().encode("ascii")
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32))
        return key_file.read_text(encoding="ascii").strip().encode("ascii")

    # -- writing -------------------------------------------------------------------------------

    def keep_raw(self, source: Path, sha256: str) -> str:
        """Copy the received file to `raw/<sha256><ext>` (once); returns the relative path."""
        rel = f"raw/{sha256}{Path(source).suffix.lower()}"
        target = self.path / rel
        if not target.exists():
            _crash_point("raw")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        return rel

    def commit_batch(
        self,
        *,
        source: Path,
        dataset: str | None,
        accepted: pl.DataFrame | None = None,
        spec: Any = None,
        rows_read: int = 0,
        rows_rejected: int = 0,
        rows_warned: int = 0,
        suite_version: str | None = None,
        status: str = "loaded",
        sha256: str | None = None,
        sheet: str | None = None,
    ) -> dict[str, Any]:
        """Record one file's load: store its accepted rows, replace periods, append to the ledger.

        `status` "loaded" stores `accepted` (pseudonymised) and removes the same periods'
        rows of earlier batches; "refused" and "duplicate" only add a ledger row. Returns the
        ledger row. All-or-nothing: on any error the manifest is untouched and new files are
        removed. Outside a transaction the call takes the writers' lock itself.
        """
        if self._txn is None:
            with self.locked():
                return self._commit_batch(source, dataset, accepted, spec, rows_read, rows_rejected,
                                          rows_warned, suite_version, status, sha256, sheet)
        return self._commit_batch(source, dataset, accepted, spec, rows_read, rows_rejected,
                                  rows_warned, suite_version, status, sha256, sheet)

    def _commit_batch(self, source: Path, dataset: str | None, accepted: pl.DataFrame | None, spec: Any,
                      rows_read: int, rows_rejected: int, rows_warned: int, suite_version: str | None,
                      status: str, sha256: str | None, sheet: str | None) -> dict[str, Any]:
        sha256 = sha256 or file_sha256(source)
        if status == "loaded" and dataset is not None:
            dup = self.find_duplicate(sha256, dataset, sheet)
            if dup is not None:
                status = "duplicate"
        manifest = self.manifest()
        version = int(manifest.get("version", 0)) + 1
        batch = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        written: list[Path] = []
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if self._keeps_raw(dataset):
                raw = self.path / f"raw/{sha256}{Path(source).suffix.lower()}"
                if not raw.exists():
                    written.append(raw)  # a raw copy is new data too: removed if the load fails
                self.keep_raw(source, sha256)
            periods: list[str] = []
            replaced: list[str] = []
            files = dict(manifest.get("datasets", {}))
            if status == "loaded" and accepted is not None and spec is not None:
                frame = self._conform(accepted, spec, batch)
                periods = sorted(frame.select(period_expr(spec).unique().drop_nulls()).to_series().to_list())
                siblings = self._sibling_batches(sha256, spec.dataset)
                kept, replaced = self._without_periods(files.get(spec.dataset, []), spec, periods,
                                                       version, written, siblings)
                new_rel = f"data/{spec.dataset}/{batch}.parquet"
                if frame.height:
                    self._write(frame, new_rel, written)
                    kept = [*kept, new_rel]
                files[spec.dataset] = kept
            row = {
                "batch": batch, "loaded_at": datetime.now(UTC), "dataset": dataset,
                "file": Path(source).name, "sheet": sheet, "sha256": sha256, "rows_read": rows_read,
                "rows_accepted": rows_read - rows_rejected, "rows_rejected": rows_rejected,
                "rows_warned": rows_warned, "periods": ", ".join(periods),
                "replaced_batches": ", ".join(replaced), "suite": getattr(spec, "suite", None),
                "suite_version": suite_version, "status": status,
            }
            ledger = pl.concat([self.ledger(), pl.DataFrame([row], schema=LEDGER_SCHEMA)])
            ledger_rel = f"ledger/{version:06d}.parquet"
            self._write(ledger, ledger_rel, written)
            new_manifest = {"datasets": files, "ledger": ledger_rel, "version": version,
                            "workspace": self._workspace_label(manifest)}
            if self._txn is not None:
                self._txn["pending"] = new_manifest
                self._txn["written"].extend(written)
                return row
            self._swap_manifest(new_manifest)
            written.clear()  # committed: nothing to undo any more
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        self._after_swap(manifest, new_manifest)
        return row

    def _specs(self) -> dict[str, Any]:
        from hrmetrics.pipelines import load_specs

        return load_specs(getattr(self.config, "workspace", None))

    def _conform(self, frame: pl.DataFrame, spec: Any, batch: str) -> pl.DataFrame:
        """Canonical columns and dtypes (so every file of a dataset scans together), ids hashed."""
        schema = canonical_schema(spec)
        out = frame.with_columns(_batch=pl.lit(batch))
        out = out.with_columns([pl.lit(None, dtype).alias(c) for c, dtype in schema.items()
                                if c not in out.columns])
        out = out.select([pl.col(c).cast(dtype) for c, dtype in schema.items()])
        key = self.pseudonym_key()
        if self._pseudonyms[0] != key:  # one cache per key (a key file created mid-run is new)
            self._pseudonyms = (key, {})
        return pseudonymise(out, spec.pseudonymise, key, self._pseudonyms[1])

    def _sibling_batches(self, sha256: str, dataset: str) -> set[str]:
        """Batches loaded from other sheets of the same workbook (same bytes, same dataset)."""
        led = self.ledger()
        return set(led.filter((pl.col("sha256") == sha256) & (pl.col("dataset") == dataset)
                              & (pl.col("status") == "loaded"))["batch"].to_list())

    def _without_periods(self, files: list[str], spec: Any, periods: list[str], version: int,
                         written: list[Path],
                         siblings: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
        """Live files minus rows of `periods`: untouched files kept, touched ones rewritten.

        Returns (files to keep, batches that lost rows). Old files are not modified, so the
        previous manifest stays valid until the swap. Files of `siblings` (other sheets of the
        same workbook) are never replaced: sheets complement each other, they do not correct
        each other.
        """
        kept: list[str] = []
        replaced: set[str] = set()
        key = period_expr(spec)
        for rel in files:  # one pass per stored file (a handful), not per row
            if Path(rel).name.split(".")[0] in siblings:
                kept.append(rel)
                continue
            lf = pl.scan_parquet(self.path / rel)
            hit = lf.filter(key.is_in(periods)).select("_batch").unique().collect()
            if hit.height == 0:
                kept.append(rel)
                continue
            replaced.update(hit["_batch"].to_list())
            rest = lf.filter(~key.is_in(periods)).collect()
            if rest.height:
                stem = Path(rel).name.split(".")[0]
                new_rel = f"data/{spec.dataset}/{stem}.r{version:06d}.parquet"
                self._write(rest, new_rel, written)
                kept.append(new_rel)
        return kept, sorted(replaced)

    def _write(self, frame: pl.DataFrame, rel: str, written: list[Path]) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(target)
        _crash_point("write")
        # zstd level 1 and row groups of a million rows: the random 24-hex pseudonyms compress
        # no better at polars' default level 3, which cost twice the CPU; larger row groups
        # share one dictionary of ids (a store file of 1.2 M overtime rows: 20 MB → 8 MB)
        frame.write_parquet(target, compression="zstd", compression_level=1, row_group_size=1_000_000)

    def _swap_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest beside the old one, fsync, then `os.replace` (the commit point)."""
        target = self.path / "manifest.json"
        tmp = self.path / f".manifest.{uuid.uuid4().hex}.tmp"
        _crash_point("manifest_tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            _crash_point("swap")
            _replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _after_swap(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Housekeeping once committed: readable ledger copy; drop files no longer referenced.

        A kill anywhere in here leaves a committed store with a stale copy or extra files;
        `recover` at the next open finishes the job.
        """
        _crash_point("after_swap")
        self._refresh_ledger_copy(new["ledger"])
        live = {f for fs in new["datasets"].values() for f in fs} | {new["ledger"]}
        stale = {f for fs in old.get("datasets", {}).values() for f in fs}
        if old.get("ledger"):
            stale.add(old["ledger"])
        for rel in sorted(stale - live):
            _crash_point("unlink")
            (self.path / rel).unlink(missing_ok=True)


def _replace(src: Path, dst: Path) -> None:
    """`os.replace`, as a module function so tests can simulate a crash at the commit point."""
    os.replace(src, dst)


CRASH_ENV = "HRMETRICS_TEST_CRASH_AT"
"""Test hook: `<n>` kills this process (SIGKILL) at the n-th named write step of a load;
`<name>` or `<name>:<n>` at the (n-th) step of that name (`raw`, `write`, `manifest_tmp`, `swap`,
`after_swap`, `unlink`)."""
_crash_counts: dict[str, int] = {}


def _crash_point(name: str) -> None:
    """A named write step. Does nothing unless `$HRMETRICS_TEST_CRASH_AT` is set, in which case
    the process kills itself at the chosen step: the crash tests need real kills at every step
    (raw copy, each Parquet file, the manifest, after the swap, each clean-up), not guesses at
    timing. The step is printed first so the test can say which step it killed."""
    target = os.environ.get(CRASH_ENV)
    if not target:
        return
    total = _crash_counts["*"] = _crash_counts.get("*", 0) + 1
    mine = _crash_counts[name] = _crash_counts.get(name, 0) + 1
    want, _, nth = target.partition(":")
    if (want.isdigit() and total == int(want)) or (want == name and mine == int(nth or 1)):
        print(f"crash point {total}: {name}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), 9)
