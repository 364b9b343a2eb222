"""Complementary suppression: small groups hidden so that subtraction cannot bring them back.

Hiding a cell of fewer than `minimum` people is not enough: a reader can subtract the visible
divisions from their department (or the organisation total) and get the hidden one back. So
suppression is decided on *cells* (period × unit × measure) and closed under the subtractions
a reader can make:

* **Constraints.** Each is a parent cell and the child cells that add up to it:
  department → its divisions; organisation → its departments; organisation → all divisions
  (departments are not always additive to divisions). Callers may add constraints (the survey
  adds dimension → items within a unit). People coded to a department itself (or to no
  department) form an invisible *remainder* child, because `parent − visible children`
  reveals them too.
* **Rule.** While the parent is visible, the hidden children (remainder included) must either
  be none, or be at least two real cells (or the remainder alone) and hold together at least
  `minimum` people. Otherwise the next-smallest visible sibling is hidden too; if no sibling is
  left, the parent is hidden (and then protected one level up). For a constraint whose children
  overlap in people (agg = "max"), "together" is the largest hidden child, a lower bound.
* **Coupling.** Callers may say that hiding one cell must hide another (the survey hides every
  measure of a unit whose respondent count is hidden).

The iteration only ever adds hidden cells, so it ends; it runs on aggregated cells, never on
people. Used by the KPI engine (HR KPIs, `min_group_hr`) and the survey (`min_group_survey`).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from hrmetrics.orgs import ORG_CODE
from hrmetrics.schemas import KPI_NUMBERS


def _cells(kpis: pl.DataFrame) -> pl.DataFrame:
    """One row per wave × unit × measure with its respondent count and cell id."""
    return (
        kpis.group_by("period", "level", "unit_code", "parent_code", "_measure")
        .agg(pl.col("n").max())
        .with_columns(cell=pl.concat_str("period", "unit_code", "_measure", separator="|"))
    )


def _hierarchy_members(cells: pl.DataFrame) -> pl.DataFrame:
    """Membership rows (constraint, parent, child, agg) of the three additive hierarchies."""
    divs = cells.filter(pl.col("level") == "division")
    depts = cells.filter(pl.col("level") == "department")

    def member(frame: pl.DataFrame, tag: str, parent_unit: pl.Expr) -> pl.DataFrame:
        return frame.select(
            constraint=pl.concat_str(pl.lit(tag), "period", "_measure", parent_unit, separator="|"),
            parent=pl.concat_str("period", parent_unit, "_measure", separator="|"),
            child="cell",
            agg=pl.lit("sum"),
        )

    return pl.concat(
        [
            member(divs.filter(pl.col("parent_code").is_not_null()), "D", pl.col("parent_code")),
            member(depts, "OD", pl.lit(ORG_CODE)),
            member(divs, "OV", pl.lit(ORG_CODE)),
        ]
    )


def _remainders(members: pl.DataFrame, cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Invisible remainder children (parent n − Σ children n > 0) as pseudo cells + members."""
    n = cells.select("cell", "n")
    rem = (
        members.filter(pl.col("agg") == "sum")
        .join(n.rename({"cell": "child", "n": "_cn"}), on="child")
        .group_by("constraint", "parent")
        .agg(pl.col("_cn").sum())
        .join(n.rename({"cell": "parent", "n": "_pn"}), on="parent")
        .with_columns(n=pl.col("_pn") - pl.col("_cn"), child=pl.col("constraint") + "|~remainder")
        .filter(pl.col("n") > 0)
    )
    pseudo = rem.select(cell="child", n="n", hidden=pl.lit(True), pseudo=pl.lit(True))
    return pseudo, rem.select("constraint", "parent", "child", agg=pl.lit("sum"))


def _step(
    state: pl.DataFrame, members: pl.DataFrame, couples: pl.DataFrame, minimum: int,
    kept: frozenset[str] = frozenset(),
) -> pl.Series:
    """Cells to hide in this round (complements, parents, coupled cells)."""
    kids = (
        members.join(state.rename({"cell": "child"}), on="child")
        .join(state.select(parent="cell", _ph="hidden"), on="parent")
        .sort("n", "child")
    )  # group_by keeps this order: `first` is the smallest sibling
    hid = pl.col("hidden")
    g = kids.group_by("constraint", "parent", "agg").agg(
        _ph=pl.col("_ph").first(),
        h_cnt=hid.sum(),
        real_h=(hid & ~pl.col("pseudo")).sum(),
        nh_sum=pl.col("n").filter(hid).sum(),
        nh_max=pl.col("n").filter(hid).max(),
        cand=pl.col("child").filter(~hid & ~pl.col("pseudo")).first(),
    )
    nh = pl.when(pl.col("agg") == "sum").then(pl.col("nh_sum")).otherwise(pl.col("nh_max"))
    trig = g.filter(
        ~pl.col("_ph")
        & (pl.col("h_cnt") >= 1)
        & ((nh < minimum) | ((pl.col("h_cnt") == 1) & (pl.col("real_h") == 1)))
    )
    hide = trig.select(cell=pl.coalesce("cand", "parent")).filter(~pl.col("cell").is_in(list(kept)))
    coupled = couples.join(state.filter(hid).select(src="cell"), on="src").select(cell="dst")
    return pl.concat([hide, coupled])["cell"]


def hidden_cells(
    kpis: pl.DataFrame,
    minimum: int,
    extra_members: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    couplings: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    keep_organisation: bool = False,
) -> pl.DataFrame:
    """`cell, hidden` for every period × unit × measure of a KPI frame carrying `_measure`.

    `extra_members(cells)` adds constraints beyond the unit hierarchy (parent, children that add
    up to it); `couplings(cells)` gives (src, dst) pairs where hiding src must hide dst.
    `keep_organisation` shows the organisation's cells whatever their size (the statutory
    figures an employer must publish); suppression then works below it.
    """
    cells = _cells(kpis)
    org = pl.col("level") == "organisation"
    kept = frozenset(cells.filter(org)["cell"].to_list()) if keep_organisation else frozenset()
    members = _hierarchy_members(cells)
    if extra_members is not None:
        members = pl.concat([members, extra_members(cells)])
    pseudo, rem_members = _remainders(members, cells)
    members = pl.concat([members, rem_members])
    state = pl.concat(
        [
            cells.select(
                "cell",
                n=pl.col("n").cast(pl.Int64),
                hidden=pl.col("n").is_null() | ((pl.col("n") < minimum) & ~(org & keep_organisation)),
                pseudo=pl.lit(False),
            ),
            pseudo.with_columns(pl.col("n").cast(pl.Int64)),
        ]
    )
    couples = couplings(cells) if couplings is not None else pl.DataFrame(
        schema={"src": pl.String, "dst": pl.String})
    for _ in range(10_000):  # each round hides at least one more cell or stops
        hide = _step(state, members, couples, minimum, kept)
        new = state.with_columns(hidden=pl.col("hidden") | pl.col("cell").is_in(hide.implode()))
        if new["hidden"].sum() == state["hidden"].sum():
            break
        state = new
    return state.filter(~pl.col("pseudo")).select("cell", "hidden")


def suppress(kpis: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """Null value/numerator/denominator/n and set `suppressed` on every hidden cell's rows.

    A row whose cell is unknown to `hidden` counts as hidden: when in doubt, show nothing.
    """
    out = kpis.with_columns(
        cell=pl.concat_str("period", "unit_code", "_measure", separator="|")
    ).join(hidden, on="cell", how="left")
    h = pl.col("hidden").fill_null(True)
    return out.with_columns(
        *[pl.when(h).then(None).otherwise(pl.col(c)).alias(c)
          for c in KPI_NUMBERS],
        suppressed=h,
    ).drop("cell", "hidden")
