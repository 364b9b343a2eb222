"""The KPI engine: canonical datasets → the long KPI table (docs/architecture.md).

Every KPI declared in the domain modules (`overtime`, `leave`, `workforce`, `childcare`,
`approvals`, `recruitment`, `pay`) is aggregated by the same code for the organisation
(`unit_code = "ORG"`), every department and every division, per period. KPIs that share a
records builder are aggregated in one group-by per level, and all builders are collected
together so polars can share the scans.

Rules applied here, once, for every KPI:

* a unit-period with no one in the population (n = 0) gets no row;
* small groups: n < `config.min_group_hr` ⇒ `suppressed = true` and value, numerator,
  denominator and n are null (the number must not leave the engine), plus complementary
  suppression so that no hidden group is the difference of visible figures;
* names: the organisation's from the config, units' from the registry (restated: today's name
  of the successor; as_was: the name in that year);
* deterministic order: kpi, level (organisation, department, division), unit_code, breakdown,
  year, period.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

import polars as pl

from hrmetrics.config import Config
from hrmetrics.errors import UserError
from hrmetrics.kpis import approvals, childcare, leave, overtime, pay, recruitment, workforce
from hrmetrics.kpis.catalog import CATALOG, KPI, KPIS, get_kpi, unpublished
from hrmetrics.kpis.spec import DerivedDef, Inputs, KpiDef, RecordsBuilder
from hrmetrics.orgs import ORG_CODE, OrgRegistry
from hrmetrics.schemas import KPI_SCHEMA

if TYPE_CHECKING:
    from hrmetrics.disclosure.protect import Protection

"""Columns and dtypes of the long KPI table, in order (the contract other modules read)."""

LEVELS: tuple[str, ...] = ("organisation", "department", "division")

HR_DEFS: tuple[KpiDef, ...] = (
    *overtime.DEFS, *leave.DEFS, *workforce.DEFS, *childcare.DEFS, *approvals.DEFS,
    *recruitment.DEFS, *pay.DEFS,
)
DERIVED_DEFS: tuple[DerivedDef, ...] = (*workforce.DERIVED, *recruitment.DERIVED)
SURVEY_DATASET = "survey"
"""The catalogue's survey KPIs are computed by `hrmetrics.survey.scores.survey_kpis`."""


class RegistryError(TypeError):
    """The KPI definitions and the catalogue disagree: a programming error, found at import."""


def check_registry(catalog: Iterable[KPI], defs: Iterable[KpiDef | DerivedDef]) -> None:
    """Every computation has exactly one catalogue entry and every non-survey entry exactly one
    computation, so no KPI row can come out without its unit and period type (the join in
    `finish`) and no catalogued KPI silently never appears. Run when this module is imported."""
    entries = {k.id: k for k in catalog}
    ids = [d.id for d in defs]
    problems = [f"{i}: computed but not in kpis/catalog.py" for i in ids if i not in entries]
    problems += [f"{i}: computed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"{k.id}: in the catalogue (dataset {k.dataset}) but never computed"
                 for k in entries.values() if k.dataset != SURVEY_DATASET and k.id not in ids]
    problems += [f"{d.id}: derived from unknown KPI {d.source}" for d in defs
                 if isinstance(d, DerivedDef) and d.source not in ids]
    if problems:
        raise RegistryError("KPI registry: " + "; ".join(problems))


check_registry(CATALOG, (*HR_DEFS, *DERIVED_DEFS))
KPI_SUFFIXES = (".csv", ".parquet")
"""The file types `write_kpis` writes (the CLI checks `--out` against them before any work)."""

_KEYS = ["period", "year", "breakdown"]


# ---------------------------------------------------------------------------- public API
def compute_kpis(source: KpiSource, config: Config | None = None, view: str = "restated",
                 kpis: list[str] | None = None) -> pl.DataFrame:
    """The long KPI table for the organisation, its departments and divisions.

    `source` is a dict of canonical datasets (LazyFrame or DataFrame), a `Store`, or a store
    path. `kpis` limits the computation to some ids (unknown ids raise KeyError). KPIs whose
    dataset is absent are skipped. Raises `UnknownUnitError` when a record names a unit that
    does not exist in its fiscal year, and `DisclosureError` when no suppression can stop a
    reader from recovering a hidden group (nothing should be published then).
    """
    return compute_kpis_audited(source, config, view, kpis)[0]


def compute_kpis_audited(source: KpiSource, config: Config | None = None, view: str = "restated",
                         kpis: list[str] | None = None) -> tuple[pl.DataFrame, Protection | None]:
    """`compute_kpis` and the disclosure audit's account of it (what was hidden, and why)."""
    config = config or _default_config(source)
    if view not in ("restated", "as_was"):
        raise UserError("bad_view", view=view)
    requested = _requested(kpis)
    datasets = load_datasets(source)
    if "org_units" not in datasets:
        raise UserError("no_org_units")
    registry = OrgRegistry.from_frame(datasets["org_units"])
    inp = Inputs(datasets=datasets, config=config, registry=registry, view=view)
    parts = [pay.suppress_pay_cells(finish(aggregate_hr(inp, requested), inp), config.min_group_hr)]
    survey = _survey_rows(datasets, config, registry, view, requested)
    if survey is not None:
        parts.append(survey)
    table = pl.concat(parts, how="vertical")
    if table.is_empty():
        return sort_table(table), None
    table, account = protect_table(table, config, datasets)
    return sort_table(table), account


def protect_table(table: pl.DataFrame, config: Config,
                  datasets: Mapping[str, pl.LazyFrame]) -> tuple[pl.DataFrame, Protection]:
    """Secondary suppression until the disclosure audit passes (hrmetrics.disclosure): what the
    unit-tree rule in `finish` misses (grade ladders, shared numerators, absent rows) the audit
    finds; raises `DisclosureError` rather than return a table a reader could attack."""
    from hrmetrics.disclosure import audit_context
    from hrmetrics.disclosure.protect import protect

    return protect(table, audit_context(config, datasets), lang=config.lang)


def write_kpis(table: pl.DataFrame, path: str | Path) -> Path:
    """Write the KPI table as CSV (UTF-8 with BOM, for Excel in Japan) or Parquet.

    In CSV, text cells that a spreadsheet would run as a formula are prefixed with `'`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.write_parquet(path)
    elif suffix == ".csv":
        from hrmetrics.spreadsheet_safety import neutralise_frame

        safe = neutralise_frame(table, ["unit_name", "unit_code", "parent_code", "breakdown"])
        safe.write_csv(path, include_bom=True)
    else:
        raise UserError("bad_suffix", path=path.name, allowed=list(KPI_SUFFIXES))
    return path


def read_kpis(path: str | Path) -> pl.DataFrame:
    """Read a KPI table written by `write_kpis` back into KPI_SCHEMA (undoing the CSV guard)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return cast_table(pl.read_parquet(path))
    df = pl.read_csv(path, schema_overrides=KPI_SCHEMA, encoding="utf8")
    text_cols = [c for c in ("unit_name", "unit_code", "parent_code", "breakdown") if c in df.columns]
    return cast_table(df.with_columns(pl.col(c).str.replace(r"^'([=+\-@\t\r])", "$1") for c in text_cols))


@runtime_checkable
class DatasetSource(Protocol):
    """Anything that hands over canonical datasets by name, like `hrmetrics.store.Store`."""

    def datasets(self) -> Mapping[str, pl.LazyFrame]: ...


KpiSource: TypeAlias = "Mapping[str, pl.LazyFrame | pl.DataFrame] | str | os.PathLike[str] | DatasetSource"
"""What the engine reads: frames by dataset name, a `Store`, or a store folder."""


def _default_config(source: KpiSource) -> Config:
    """No config given: a store brings the one it was loaded with; plain frames get defaults."""
    if isinstance(source, Mapping):
        return Config()
    if isinstance(source, str | os.PathLike):
        from hrmetrics.store import Store

        source = Store(Path(source))
    recorded = getattr(source, "recorded_config", None)
    return recorded() if callable(recorded) else Config()


def load_datasets(source: KpiSource) -> dict[str, pl.LazyFrame]:
    """Canonical datasets as LazyFrames from a dict, a `Store` or a store path.

    The store module is imported only when a store is given, so the engine runs on plain frames
    (tests, notebooks) without it.
    """
    if isinstance(source, Mapping):
        return {k: v.lazy() for k, v in source.items()}
    if isinstance(source, str | os.PathLike):
        from hrmetrics.store import Store

        source = Store(Path(source))
    if isinstance(source, DatasetSource):
        return {k: v.lazy() for k, v in source.datasets().items()}
    raise TypeError(f"source must be a dict of frames, a Store or a store path, not {type(source).__name__}")


# ---------------------------------------------------------------------------- aggregation
def aggregate_hr(inp: Inputs, requested: set[str] | None) -> pl.DataFrame:
    """Aggregated HR KPI rows (before names and suppression), one per KPI × level × unit × period."""
    every = {d.id for d in HR_DEFS} | {d.id for d in DERIVED_DEFS}
    wanted = every if requested is None else set(requested)
    derived = [d for d in DERIVED_DEFS if d.id in wanted]
    needed = wanted | {d.source for d in derived}
    groups: dict[RecordsBuilder, list[KpiDef]] = {}
    for d in HR_DEFS:
        if d.id in needed:
            groups.setdefault(d.records, []).append(d)
    plans = []
    for builder, defs in groups.items():
        lf = builder(inp)
        if lf is not None:
            plans.append(aggregate(lf, defs))
    raw = pl.concat(pl.collect_all(plans), how="vertical") if plans else _empty_raw()
    extra = [d.derive(raw.filter(pl.col("kpi") == d.source), inp.config).select(raw.columns) for d in derived]
    out = pl.concat([raw, *extra], how="vertical").filter(pl.col("kpi").is_in(list(wanted)))
    return out.filter(_published_level(inp.config))


def _published_level(config: Config) -> pl.Expr:
    """Drop the rows `catalog.unpublished` lists (KPIs outside their levels, a division's
    manager rungs)."""
    keep = pl.lit(True)
    for kpi, level, breakdown in unpublished(config.manager_grades).iter_rows():
        hit = (pl.col("kpi") == kpi) & (pl.col("level") == level)
        if breakdown is not None:
            hit = hit & (pl.col("breakdown") == breakdown)
        keep = keep & ~hit.fill_null(False)
    return keep


def aggregate(records: pl.LazyFrame, defs: Iterable[KpiDef]) -> pl.LazyFrame:
    """Fold records to organisation, department and division rows for some KPIs.

    The same aggregation expressions run at every level, so a department can only differ from
    the sum of its divisions where the KPI itself is non-additive (distinct counts, top-10%).
    Records coded to a department (no `_division`) count for the department and organisation.
    """
    defs = list(defs)
    if "breakdown" not in records.collect_schema().names():
        records = records.with_columns(breakdown=pl.lit(None, dtype=pl.String))
    aggs: list[pl.Expr] = []
    for i, d in enumerate(defs):
        den = pl.lit(None, dtype=pl.Float64) if d.denominator is None else d.denominator
        aggs += [d.numerator.cast(pl.Float64).alias(f"_num{i}"), den.cast(pl.Float64).alias(f"_den{i}"),
                 d.n.cast(pl.Int64).alias(f"_n{i}")]
    null_str = pl.lit(None, dtype=pl.String)
    org = records.group_by(_KEYS).agg(aggs).with_columns(
        level=pl.lit("organisation"), unit_code=pl.lit(ORG_CODE), parent_code=null_str)
    dept = records.group_by([*_KEYS, "_department"]).agg(aggs).select(
        pl.all().exclude("_department"), level=pl.lit("department"), unit_code=pl.col("_department"),
        parent_code=null_str)
    div = (
        records.filter(pl.col("_division").is_not_null())
        .group_by([*_KEYS, "_division", "_department"]).agg(aggs)
        .select(pl.all().exclude("_division", "_department"), level=pl.lit("division"),
                unit_code=pl.col("_division"), parent_code=pl.col("_department"))
    )
    wide = pl.concat([org, dept, div], how="diagonal")
    base = ["level", "unit_code", "parent_code", *_KEYS]
    return pl.concat([wide.select(*base, kpi=pl.lit(d.id), numerator=pl.col(f"_num{i}"),
                                  denominator=pl.col(f"_den{i}"), n=pl.col(f"_n{i}"),
                                  value=_value(d, i)) for i, d in enumerate(defs)], how="vertical")


def _value(d: KpiDef, i: int) -> pl.Expr:
    """num/den × scale, null when the denominator is 0; a count KPI's value is its numerator."""
    num = pl.col(f"_num{i}")
    if d.denominator is None:
        return num * d.scale
    den = pl.col(f"_den{i}")
    return pl.when(den != 0).then(num / den * d.scale).otherwise(None)


def _empty_raw() -> pl.DataFrame:
    return pl.DataFrame(schema={"level": pl.String, "unit_code": pl.String, "parent_code": pl.String,
                                "period": pl.String, "year": pl.Int64, "breakdown": pl.String,
                                "kpi": pl.String, "numerator": pl.Float64, "denominator": pl.Float64,
                                "n": pl.Int64, "value": pl.Float64})


# ---------------------------------------------------------------------------- finishing
def finish(raw: pl.DataFrame, inp: Inputs) -> pl.DataFrame:
    """Names, catalogue columns, small-group suppression and the exact KPI_SCHEMA."""
    config = inp.config
    by_year, latest = inp.registry.names(inp.view)
    named = raw.join(latest.rename({"unit_name": "_latest_name"}), on="unit_code", how="left")
    if inp.view == "as_was":
        named = named.join(by_year.rename({"unit_name": "_year_name"}), on=["unit_code", "year"], how="left")
        name = pl.coalesce("_year_name", "_latest_name")
    else:
        name = pl.col("_latest_name")
    meta = pl.DataFrame({"kpi": [k.id for k in CATALOG], "period_type": [k.period_type for k in CATALOG],
                         "unit": [k.unit for k in CATALOG]})
    out = (
        named.with_columns(unit_name=pl.when(pl.col("level") == "organisation")
                           .then(pl.lit(config.organisation_name)).otherwise(name))
        .join(meta, on="kpi", how="left")
        .filter(pl.col("n").is_null() | (pl.col("n") > 0))
        .with_columns(view=pl.lit(inp.view))
    )
    return cast_table(suppress_small_groups(out, config.min_group_hr, config.publish_small_organisation))


def suppress_small_groups(table: pl.DataFrame, minimum: int, keep_organisation: bool = False) -> pl.DataFrame:
    """Hide groups of fewer than `minimum` people, and enough siblings that subtraction from a
    department or the organisation total cannot bring them back (hrmetrics.suppression).

    Each KPI × breakdown is its own measure: its population (staff with overtime rows, managers,
    men with a birth) is what a reader could subtract. `keep_organisation`: the organisation's
    figures are statutory (女性活躍推進法 §21, 次世代法 §19) and shown even when small.
    """
    from hrmetrics.suppression import hidden_cells, suppress

    if table.is_empty():
        return table.with_columns(suppressed=pl.lit(False))
    cells = table.with_columns(
        _measure=pl.concat_str("kpi", pl.col("breakdown").fill_null(""), separator="|"))
    return suppress(cells, hidden_cells(cells, minimum, keep_organisation=keep_organisation)).drop("_measure")


def cast_table(df: pl.DataFrame) -> pl.DataFrame:
    """Select and cast to KPI_SCHEMA (missing optional columns become null)."""
    return df.select([
        (pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c) for c, t in KPI_SCHEMA.items()
    ])


def sort_table(df: pl.DataFrame) -> pl.DataFrame:
    """Deterministic order: kpi, level, unit_code, breakdown, year, period."""
    rank = pl.col("level").replace_strict({lvl: i for i, lvl in enumerate(LEVELS)}, default=len(LEVELS),
                                          return_dtype=pl.Int64)
    return df.sort(["kpi", rank, "unit_code", "breakdown", "year", "period"], nulls_last=False)


# ---------------------------------------------------------------------------- survey
def _requested(kpis: list[str] | None) -> set[str] | None:
    if kpis is None:
        return None
    for k in kpis:
        get_kpi(k)  # raises KeyError listing the known ids
    return set(kpis)


def _survey_rows(datasets: dict[str, pl.LazyFrame], config: Config, registry: OrgRegistry, view: str,
                 requested: set[str] | None) -> pl.DataFrame | None:
    """Survey KPIs from `hrmetrics.survey.scores.survey_kpis`, when there are survey data."""
    if SURVEY_DATASET not in datasets:
        return None
    survey_ids = {k.id for k in CATALOG if k.dataset == SURVEY_DATASET}
    if requested is not None and not (requested & survey_ids):
        return None
    from hrmetrics.survey.scores import survey_kpis

    # the same registry, so the HR and survey rows resolve units the same way
    rows = cast_table(survey_kpis(dict(datasets), config, view=view, registry=registry))
    if requested is not None:
        rows = rows.filter(pl.col("kpi").is_in(list(requested)))
    return rows


__all__ = ["KPIS", "KPI_SCHEMA", "KPI_SUFFIXES", "compute_kpis", "load_datasets", "read_kpis", "write_kpis"]
