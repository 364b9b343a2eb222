"""Effective-dated organisation registry and restatement of merged/renamed units.

Japanese city halls reorganise often: divisions (課) merge, split off, are renamed, or move to
another department (部). A KPI trend per division is only meaningful if every year's records are
attributed to the right unit, so every dataset's `unit_code` goes through this registry:

* ``view="as_was"``: a record stays in the unit it was coded to, under that unit's department
  in that fiscal year (what the organisation chart looked like at the time).
* ``view="restated"``: a record moves along the successor chain (A → B → C) to today's unit, and
  sits under today's department of that unit, so a division's trend runs unbroken across
  reorganisations and a merged division's history is the sum of its predecessors.

A unit code that does not exist in the period a record belongs to is an error
(`UnknownUnitError`), never a silent drop: a dropped row would quietly lower a KPI.

The registry is metadata (a few hundred rows), so it is held eagerly; the large record frames
are joined against small resolved key tables and stay lazy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from hrmetrics.errors import UserError

ORG_CODE = "ORG"
"""unit_code of the organisation-level rows of the KPI table."""

_MAX_CHAIN = 100
"""Successor chains longer than this are treated as a cycle (real chains have a few steps)."""


class UnknownUnitError(ValueError):
    """A record's unit_code is not a unit of the organisation in the record's fiscal year."""

    def __init__(self, dataset: str, pairs: Sequence[tuple[str | None, int | None]], lang: str = "ja"):
        self.dataset = dataset
        self.pairs = list(pairs)
        self.codes = sorted({str(c) for c, _ in self.pairs})
        self.fiscal_years = sorted({fy for _, fy in self.pairs if fy is not None})
        shown = ", ".join(f"{c} (FY{fy})" for c, fy in self.pairs[:20])
        more = len(self.pairs) - 20
        if lang == "en":
            msg = (f"{dataset}: unit codes not in org_units for the fiscal year: {shown}"
                   + (f" and {more} more" if more > 0 else ""))
        else:
            msg = (f"{dataset}: 組織マスタ(org_units)に該当年度の所属がありません: {shown}"
                   + (f" ほか{more}件" if more > 0 else ""))
        super().__init__(msg)


_ORG_SCHEMA: dict[str, pl.DataType] = {
    "unit_code": pl.String(),
    "unit_name": pl.String(),
    "parent_code": pl.String(),
    "valid_from_fy": pl.Int64(),
    "valid_to_fy": pl.Int64(),
    "successor_code": pl.String(),
}


@dataclass(frozen=True)
class OrgRegistry:
    """The org_units table plus its derived successor map.

    `units` holds one row per unit × validity span. `final` maps every unit_code to the end of
    its successor chain (itself when it has no successor).
    """

    units: pl.DataFrame
    final: pl.DataFrame

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(cls, org_units: pl.DataFrame | pl.LazyFrame) -> OrgRegistry:
        """Build from the canonical `org_units` dataset; checks overlaps and chain cycles."""
        df = org_units.lazy().collect() if isinstance(org_units, pl.LazyFrame) else org_units
        missing = [c for c in ("unit_code", "unit_name", "valid_from_fy") if c not in df.columns]
        if missing:
            raise UserError("org_missing_columns", missing=missing)
        for col, dtype in _ORG_SCHEMA.items():
            if col not in df.columns:
                df = df.with_columns(pl.lit(None, dtype=dtype).alias(col))
        df = (
            df.select([pl.col(c).cast(t) for c, t in _ORG_SCHEMA.items()])
            .with_columns(pl.col("parent_code").replace("", None), pl.col("successor_code").replace("", None))
            .sort("unit_code", "valid_from_fy")
        )
        _check_overlaps(df)
        return cls(units=df, final=_final_successors(df))

    # ------------------------------------------------------------------ lookups
    def latest(self) -> pl.DataFrame:
        """Each unit's most recent row: today's name and parent (used by the restated view)."""
        return self.units.group_by("unit_code").agg(pl.all().sort_by("valid_from_fy").last())

    def units_in(self, fiscal_year: int) -> pl.DataFrame:
        """Units that exist in a fiscal year (valid_from <= fy <= valid_to or open-ended)."""
        return self.units.filter(_valid_in(pl.lit(fiscal_year)))

    def resolve(self, keys: pl.DataFrame, view: str = "restated", dataset: str = "?",
                lang: str = "ja", fallback_previous_fy: bool = False) -> pl.DataFrame:
        """Map distinct `(unit_code, fiscal_year)` keys to where the KPI table reports them.

        Returns `unit_code, fiscal_year, _division, _department`: `_division` is null when the
        reported unit is a department (records coded to a department count for the department
        and the organisation, not for any division). Raises `UnknownUnitError` for any key whose
        unit does not exist in that fiscal year. `fallback_previous_fy` accepts a unit valid in
        the previous FY instead (calendar leave years straddle two FYs).
        """
        _check_view(view)
        keys = keys.select(pl.col("unit_code").cast(pl.String), pl.col("fiscal_year").cast(pl.Int64)).unique()
        rows = self._rows_for(keys, "fiscal_year")
        if fallback_previous_fy:
            unmatched = keys.join(rows.select("unit_code", "fiscal_year"), on=["unit_code", "fiscal_year"],
                                  how="anti", nulls_equal=False)
            prev = self._rows_for(unmatched.with_columns(_fy_try=pl.col("fiscal_year") - 1), "_fy_try")
            rows = pl.concat([rows, prev.drop("_fy_try")], how="diagonal_relaxed")
        unknown = keys.join(rows.select("unit_code", "fiscal_year"), on=["unit_code", "fiscal_year"],
                            how="anti", nulls_equal=True).sort("unit_code", "fiscal_year", nulls_last=True)
        if unknown.height:
            raise UnknownUnitError(dataset, list(unknown.iter_rows()), lang)
        if view == "as_was":
            return rows.select(
                "unit_code", "fiscal_year",
                _division=pl.when(pl.col("parent_code").is_not_null()).then(pl.col("unit_code")),
                _department=pl.coalesce("parent_code", "unit_code"),
            )
        return self._restate(rows.select("unit_code", "fiscal_year"))

    def mapping(self, keys: pl.DataFrame, view: str = "restated", dataset: str = "?",
                lang: str = "ja") -> pl.DataFrame:
        """`(unit_code, fiscal_year) -> (reported_unit_code, department_code)` for a key table.

        The reported unit is the division (or, for records coded to a department, the
        department) under which the KPI table shows the record in the chosen view.
        """
        return self.resolve(keys, view, dataset, lang).select(
            "unit_code", "fiscal_year",
            reported_unit_code=pl.coalesce("_division", "_department"),
            department_code="_department",
        )

    def names(self, view: str = "restated") -> tuple[pl.DataFrame, pl.DataFrame]:
        """Name tables for the KPI table: `(unit_code, year, unit_name)` for every valid
        unit-year (as_was) and `(unit_code, unit_name)` latest names (restated, and fallback).

        Restated rows carry the current unit's name; as-was rows the name the unit had then.
        """
        _check_view(view)
        latest = self.latest().select("unit_code", "unit_name")
        fy_to, fy_from = pl.col("valid_to_fy"), pl.col("valid_from_fy")
        fys = self.units.select(lo=fy_from.min(), hi=pl.max_horizontal(fy_to.max(), fy_from.max()))
        lo, hi = int(fys["lo"].item() or 0), int(fys["hi"].item()) + 10
        years = pl.DataFrame({"year": pl.int_range(lo, hi + 1, eager=True).cast(pl.Int64)})
        by_year = (
            self.units.join(years, how="cross")
            .filter(_valid_in(pl.col("year")))
            .select("unit_code", "year", "unit_name")
        )
        return by_year, latest

    def successors_then(self, keys: pl.DataFrame) -> pl.DataFrame:
        """`(unit_code, fiscal_year, successor)` for keys whose unit had ended (merged away or
        renamed) before that fiscal year: the first unit along its successor chain that exists
        then. Keys of units that did not exist *yet*, that are still valid, or whose chain
        reaches no unit valid then are not returned (they stay unknown to `resolve`).

        Why: an event may fall in a fiscal year after the unit on its record ended (a childcare
        leave starting the year after the birth, the unit merged in between). The org master's
        history says where that unit went; `resolve` itself stays strict for every other record.
        """
        keys = keys.select(pl.col("unit_code").cast(pl.String), pl.col("fiscal_year").cast(pl.Int64)).unique()
        spans = self.units.group_by("unit_code").agg(
            _end=pl.col("valid_to_fy").max(), _open=pl.col("valid_to_fy").is_null().any())
        succ = (self.units.filter(pl.col("successor_code").is_not_null())
                .group_by("unit_code").agg(_next=pl.col("successor_code").sort_by("valid_from_fy").last()))
        cur = (keys.join(spans, on="unit_code")
               .filter(~pl.col("_open") & (pl.col("_end") < pl.col("fiscal_year")))
               .select("unit_code", "fiscal_year", _to="unit_code"))
        on = ["unit_code", "fiscal_year"]
        found = [pl.DataFrame(schema={"unit_code": pl.String, "fiscal_year": pl.Int64,
                                      "successor": pl.String})]
        for _ in range(_MAX_CHAIN):  # one join per chain step, on the few distinct keys
            cur = cur.join(succ.rename({"unit_code": "_to"}), on="_to").select(*on, _to="_next")
            if cur.is_empty():
                break
            hit = (cur.join(self.units.rename({"unit_code": "_to"}), on="_to")
                   .filter(_valid_in(pl.col("fiscal_year"))).select(*on, successor="_to").unique(on))
            found.append(hit)
            cur = cur.join(hit, on=on, how="anti")
        return pl.concat(found)

    # ------------------------------------------------------------------ internals
    def _rows_for(self, keys: pl.DataFrame, fy_col: str) -> pl.DataFrame:
        """Org rows valid at each key's fiscal year (join on code, then filter the span)."""
        return (
            keys.join(self.units, on="unit_code", how="inner")
            .filter(_valid_in(pl.col(fy_col)))
        )

    def _restate(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Follow successor chains to today's unit and put it under today's department."""
        latest = self.latest().select("unit_code", "parent_code")
        out = (
            keys.join(self.final, on="unit_code", how="left")
            .join(latest.rename({"unit_code": "final_code", "parent_code": "_parent"}),
                  on="final_code", how="left")
            .join(self.final.rename({"unit_code": "_parent", "final_code": "_parent_final"}),
                  on="_parent", how="left")
        )
        return out.select(
            "unit_code", "fiscal_year",
            _division=pl.when(pl.col("_parent").is_not_null()).then(pl.col("final_code")),
            _department=pl.coalesce("_parent_final", "_parent", "final_code"),
        )


def _valid_in(fy: pl.Expr) -> pl.Expr:
    return (pl.col("valid_from_fy") <= fy) & (pl.col("valid_to_fy").is_null() | (pl.col("valid_to_fy") >= fy))


def _check_view(view: str) -> None:
    if view not in ("restated", "as_was"):
        raise UserError("bad_view", view=view)


def _check_overlaps(df: pl.DataFrame) -> None:
    """Two validity spans of one unit may not overlap, else a year's parent is ambiguous."""
    bad = (
        df.with_columns(_prev_to=pl.col("valid_to_fy").shift(1).over("unit_code", order_by="valid_from_fy"),
                        _prev_open=(pl.col("valid_to_fy").is_null().shift(1)
                                    .over("unit_code", order_by="valid_from_fy")))
        .filter(pl.col("_prev_open") | (pl.col("_prev_to") >= pl.col("valid_from_fy")))
    )
    if bad.height:
        codes = bad["unit_code"].unique().sort().to_list()
        raise UserError("org_overlap", codes=codes)


def successor_cycles(org_units: pl.DataFrame) -> list[list[str]]:
    """Successor-code cycles in an org_units table, each as its units in chain order from the
    smallest code (`[["A", "B", "C"]]` for A → B → C → A); empty when there is none.

    Why at intake: a cycle has no final unit to restate history into, so accepting it only moves
    the failure to the next `kpis` run. Intake refuses the file instead, naming the units.
    A unit naming itself is not a cycle (it is its own final unit).
    """
    if "successor_code" not in org_units.columns or org_units.is_empty():
        return []
    succ = (org_units.filter(pl.col("successor_code").is_not_null()
                             & (pl.col("successor_code") != pl.col("unit_code")))
            .group_by("unit_code").agg(pl.col("successor_code").sort_by("valid_from_fy").last()))
    cur = succ.select(start="unit_code", node="successor_code")
    looped: set[str] = set()
    for _ in range(succ.height):  # a unit on a cycle returns to itself within that many steps
        looped |= set(cur.filter(pl.col("node") == pl.col("start"))["start"].to_list())
        cur = cur.join(succ, left_on="node", right_on="unit_code").select("start", node="successor_code")
        if cur.is_empty():
            break
    nxt = dict(succ.filter(pl.col("unit_code").is_in(sorted(looped))).iter_rows())
    cycles: list[list[str]] = []
    for first in sorted(looped):  # walk each cycle once, from its smallest member
        if any(first in c for c in cycles):
            continue
        cycle = [first]
        while nxt[cycle[-1]] != first:
            cycle.append(nxt[cycle[-1]])
        cycles.append(cycle)
    return cycles


def _final_successors(df: pl.DataFrame) -> pl.DataFrame:
    """`unit_code -> final_code`: the end of each successor chain.

    The successor of a unit is the `successor_code` on its latest row. Chains are followed by
    repeated joins on this small table (one join per chain step, not per row); a chain that
    does not end within `_MAX_CHAIN` steps is a cycle and is refused.
    """
    succ = (
        df.group_by("unit_code")
        .agg(pl.col("successor_code").sort_by("valid_from_fy").last())
        .with_columns(pl.col("successor_code").fill_null(pl.col("unit_code")))
    )
    unknown = succ.filter(~pl.col("successor_code").is_in(succ["unit_code"].implode()))
    if unknown.height:
        codes = unknown["successor_code"].to_list()
        raise UserError("org_unknown_successor", codes=codes)
    step = succ.rename({"unit_code": "_from", "successor_code": "_to"})
    cur = succ.rename({"successor_code": "final_code"})
    for _ in range(_MAX_CHAIN):
        nxt = cur.join(step, left_on="final_code", right_on="_from", how="left").select(
            "unit_code", final_code=pl.col("_to"))
        if nxt.sort("unit_code").equals(cur.sort("unit_code")):
            return cur.sort("unit_code")
        cur = nxt
    raise UserError("org_successor_loop")
