"""How a KPI computation is declared, and the inputs every declaration receives.

A KPI is *records + aggregation*: a records builder turns canonical datasets into one row per
counted thing (a staff-month, a staff-FY, a roster entry, an approval month...) already placed in
its reported division/department, and three aggregation expressions (numerator, denominator, n)
say how to fold any group of records. Because the same expressions run for the organisation,
every department and every division, the three levels cannot drift apart, and for additive KPIs
a parent's numerator and denominator are exactly the sums over its children.

Records frames carry these columns (the engine groups on them):

* `_division` (String, null for records coded to a department), `_department` (String)
* `period` (String: `FY2024`, `2024`, `2024-04`), `year` (Int64)
* `breakdown` (String, optional: grade for women's shares)
* plus whatever the KPI's expressions read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from hrmetrics.config import Config
from hrmetrics.orgs import OrgRegistry

RecordsBuilder = Callable[["Inputs"], "pl.LazyFrame | None"]


def stable_sum(expr: pl.Expr) -> pl.Expr:
    """Σ of a float column in a fixed order (ascending values).

    Float addition is not associative, and polars' parallel joins and group-bys (and the
    streaming engine) hand a group's rows over in an order that can change from run to run, so a
    plain `.sum()` may differ in the last bit between two runs on the same store (issue 10: one
    value in 72,303). Summing the sorted values makes the KPI table byte-for-byte reproducible;
    integer counts do not need it.
    """
    return expr.sort().sum()


@dataclass(frozen=True)
class KpiDef:
    """One KPI computation. `denominator=None` means a count: value = numerator."""

    id: str
    records: RecordsBuilder
    numerator: pl.Expr
    denominator: pl.Expr | None
    n: pl.Expr
    scale: float = 1.0


@dataclass(frozen=True)
class DerivedDef:
    """A KPI computed from another KPI's aggregated (pre-suppression) rows, e.g. headcount vs
    quota, where the denominator is configuration, not records."""

    id: str
    source: str
    derive: Callable[[pl.DataFrame, Config], pl.DataFrame]


@dataclass
class Inputs:
    """What a records builder may read: datasets, policy, registry and the view.

    `cached` memoises shared intermediate frames (e.g. overtime with units attached), so that
    the distinct unit keys of a large dataset are resolved only once per run.
    """

    datasets: dict[str, pl.LazyFrame]
    config: Config
    registry: OrgRegistry
    view: str = "restated"
    _cache: dict[str, pl.LazyFrame | None] = field(default_factory=dict)

    def frame(self, name: str) -> pl.LazyFrame | None:
        """The dataset as a LazyFrame, or None when it was not supplied."""
        return self.datasets.get(name)

    def cached(self, key: str, build: Callable[[], pl.LazyFrame | None]) -> pl.LazyFrame | None:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def attach_units(self, lf: pl.LazyFrame, dataset: str, fy_col: str = "fiscal_year",
                     fallback_previous_fy: bool = False) -> pl.LazyFrame:
        """Add `_division`/`_department` to records by resolving their distinct unit keys.

        Only the distinct `(unit_code, fy)` pairs are collected (small even for millions of
        rows); an unknown unit raises `UnknownUnitError` before anything is aggregated.
        """
        keys = lf.select("unit_code", pl.col(fy_col).alias("fiscal_year")).unique().collect()
        mapping = self.registry.resolve(keys, self.view, dataset, self.config.lang,
                                        fallback_previous_fy=fallback_previous_fy)
        return lf.join(mapping.lazy().rename({"fiscal_year": fy_col}), on=["unit_code", fy_col], how="left")


def fy_period(col: str = "fiscal_year") -> pl.Expr:
    """`FY2024` label of a fiscal-year column."""
    return pl.format("FY{}", pl.col(col))
