"""Small-group suppression for survey results that cannot be undone by subtraction.

Hiding a cell of fewer than ``config.min_group_survey`` respondents is not enough: a reader can
subtract the visible divisions from their department (or the organisation total) and get the
hidden one back. So suppression here is decided on *cells* (wave × unit × measure, where a
measure is an item, a dimension, the engagement index or the respondent count) and closed
under the subtractions a reader can make:

* **Constraints.** Each is a parent cell and the child cells that add up to it:
  department → its divisions; organisation → its departments; organisation → all divisions
  (departments are not always additive to divisions); and, for one unit, dimension → its items.
  Respondents coded to a department itself (or to no department) form an invisible
  *remainder* child, because ``parent − visible children`` reveals them too.
* **Rule.** While the parent is visible, the hidden children (remainder included) must either
  be none, or be at least two real cells (or the remainder alone) and hold together at least
  ``min_group_survey`` respondents. Otherwise the next-smallest visible sibling is hidden too;
  if no sibling is left, the parent is hidden (and then protected one level up). For the
  dimension → items constraint the items overlap in people, so "together" is the largest hidden
  item, a lower bound of the people involved.
* **Coupling.** A unit hidden on its respondent count has every measure hidden (its response
  rate and item counts would reveal the count); a hidden outcome item hides the unit's
  engagement index (with one outcome item the two are the same number).

The iteration only ever adds hidden cells, so it ends; it runs on aggregated cells (units ×
measures), never on respondent rows. Free-text comments never reach this stage (intake drops
them).
"""

from __future__ import annotations

import polars as pl

RESPONDENTS = "respondents"
ENGAGEMENT = "engagement"


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
            member(depts, "OD", pl.lit("ORG")),
            member(divs, "OV", pl.lit("ORG")),
        ]
    )


def _dimension_members(cells: pl.DataFrame, dims: pl.DataFrame | None) -> pl.DataFrame:
    """Dimension → its items within one unit (items overlap in people: agg = max)."""
    schema = {"constraint": pl.String, "parent": pl.String, "child": pl.String, "agg": pl.String}
    if dims is None or dims.is_empty():
        return pl.DataFrame(schema=schema)
    item_cells = cells.filter(pl.col("_measure").str.starts_with("item:")).with_columns(
        item_id=pl.col("_measure").str.slice(5)
    )
    return item_cells.join(
        dims.select("period", "item_id", "dimension"), on=["period", "item_id"]
    ).select(
        constraint=pl.concat_str(pl.lit("DIM"), "period", "unit_code", "dimension", separator="|"),
        parent=pl.concat_str(
            "period", "unit_code", pl.lit("dim:") + pl.col("dimension"), separator="|"
        ),
        child="cell",
        agg=pl.lit("max"),
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


def _couplings(cells: pl.DataFrame, outcome_items: pl.DataFrame | None) -> pl.DataFrame:
    """(src, dst): hiding src forces hiding dst."""
    resp = cells.filter(pl.col("_measure") == RESPONDENTS).select("period", "unit_code", src="cell")
    unit_wide = resp.join(
        cells.select("period", "unit_code", dst="cell"), on=["period", "unit_code"]
    ).select("src", "dst")
    parts = [unit_wide]
    if outcome_items is not None and not outcome_items.is_empty():
        eng = cells.filter(pl.col("_measure") == ENGAGEMENT).select(
            "period", "unit_code", dst="cell"
        )
        out = (
            cells.with_columns(item_id=pl.col("_measure").str.slice(5))
            .filter(pl.col("_measure").str.starts_with("item:"))
            .join(outcome_items.select("period", "item_id"), on=["period", "item_id"])
            .select("period", "unit_code", src="cell")
        )
        parts.append(out.join(eng, on=["period", "unit_code"]).select("src", "dst"))
    return pl.concat(parts).filter(pl.col("src") != pl.col("dst")).unique()


def _step(
    state: pl.DataFrame, members: pl.DataFrame, couples: pl.DataFrame, minimum: int
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
    hide = trig.select(cell=pl.coalesce("cand", "parent"))
    coupled = couples.join(state.filter(hid).select(src="cell"), on="src").select(cell="dst")
    return pl.concat([hide, coupled])["cell"]


def suppression_cells(
    kpis: pl.DataFrame,
    minimum: int,
    dims: pl.DataFrame | None = None,
    outcome_items: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`cell, hidden` for every wave × unit × measure of a KPI frame carrying `_measure`.

    `dims`: `period, item_id, dimension`; `outcome_items`: `period, item_id`.
    """
    cells = _cells(kpis)
    members = pl.concat([_hierarchy_members(cells), _dimension_members(cells, dims)])
    pseudo, rem_members = _remainders(members, cells)
    members = pl.concat([members, rem_members])
    state = pl.concat(
        [
            cells.select(
                "cell",
                n=pl.col("n").cast(pl.Int64),
                hidden=pl.col("n").is_null() | (pl.col("n") < minimum),
                pseudo=pl.lit(False),
            ),
            pseudo.with_columns(pl.col("n").cast(pl.Int64)),
        ]
    )
    couples = _couplings(cells, outcome_items)
    for _ in range(10_000):  # each round hides at least one more cell or stops
        hide = _step(state, members, couples, minimum)
        new = state.with_columns(hidden=pl.col("hidden") | pl.col("cell").is_in(hide.implode()))
        if new["hidden"].sum() == state["hidden"].sum():
            break
        state = new
    return state.filter(~pl.col("pseudo")).select("cell", "hidden")


def apply_suppression(
    kpis: pl.DataFrame,
    config: object,
    dims: pl.DataFrame | None = None,
    outcome_items: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Null value/numerator/denominator/n and set `suppressed` on every hidden cell's rows.

    The minimum is `config.min_group_survey` (Config refuses values below 3; checked again
    here because a privacy floor must not depend on who built the config object).
    """
    minimum = max(int(getattr(config, "min_group_survey", 5) or 5), 3)
    if kpis.is_empty():
        return kpis.with_columns(suppressed=pl.lit(False))
    hidden = suppression_cells(kpis, minimum, dims, outcome_items)
    out = kpis.with_columns(
        cell=pl.concat_str("period", "unit_code", "_measure", separator="|")
    ).join(hidden, on="cell", how="left")
    h = pl.col("hidden").fill_null(True)
    return out.with_columns(
        *[
            pl.when(h).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "numerator", "denominator", "n")
        ],
        suppressed=h,
    ).drop("cell", "hidden")
