"""Rows → their distinct values, exactly, without a hash table of text.

Why: exports repeat values heavily (a staff number 72 times in six years of overtime, twelve
months, a few hundred unit codes), so parsing or pseudonymising each distinct value once and
mapping the rows back is the cheap way. On 7 M rows, a polars `unique` and a join keyed by
text cost seconds; the same through a 64-bit hash of each value (integers hash and compare far
faster) costs a fraction of that. The mapping is checked to give every row back its own value, so a
64-bit collision (never seen, but possible) falls back to the text itself instead of mixing two
values up.
"""

from __future__ import annotations

import polars as pl

_SEED = 0x6872


def row_hash(values: pl.Series) -> pl.Series:
    """A 64-bit hash of each value (only to group equal values; never stored or shown)."""
    return values.hash(_SEED)


def distinct_codes(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(distinct values, index of each row's value in them): `distinct.gather(codes)` == values.

    A null is a distinct value of its own (its rows get its index), as with `nulls_equal=True`.
    """
    hashed = row_hash(values)
    table = (pl.DataFrame({"_h": hashed, "_v": values}).unique("_h", keep="any", maintain_order=False)
             .with_row_index("_i"))
    codes = hashed.replace_strict(table["_h"], table["_i"], default=None)
    distinct = table["_v"].rename(values.name)
    if codes.null_count() == 0 and distinct.gather(codes).eq_missing(values).all():
        return distinct, codes
    exact = values.unique().rename(values.name)  # two values share a hash: group by the value itself
    index = pl.DataFrame({"_v": exact}).with_row_index("_i")
    codes = (values.to_frame("_v").join(index, on="_v", how="left", nulls_equal=True, maintain_order="left")
             .get_column("_i"))
    return exact, codes
