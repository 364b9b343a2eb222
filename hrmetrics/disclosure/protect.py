"""Secondary suppression driven by the audit: hide the cheapest shown cells until no hidden
group can be recovered, then let the audit decide once more (the gate).

The rule-based pass (`hrmetrics.suppression`) runs first and catches the plain subtractions
along the unit tree cheaply. What it cannot see (grade ladders, shared numerators, absent rows,
integer bounds) the audit finds; each round, every failing group gets one more hidden cell:
among the shown cells that share an atom or a relation with it, the one about the fewest
people (organisation figures last, so the headline numbers survive). Hiding only ever grows, so
the loop ends; a group no shown cell can protect stops it with `DisclosureError`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import polars as pl

from hrmetrics.disclosure.audit import (
    RESULT_SCHEMA,
    DisclosureError,
    audit_systems,
    failing,
    steps,
    summary,
    systems,
)
from hrmetrics.disclosure.model import Context
from hrmetrics.disclosure.system import System, measure_key, nearest, neighbourhood
from hrmetrics.schemas import KPI_NUMBERS

MAX_ROUNDS = 200


def hide_cells(table: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """Mark every KPI row of the given cells (period|unit|measure) suppressed, numbers nulled."""
    if not cells:
        return table
    key = pl.concat_str("period", "unit_code", measure_key(pl.col("kpi"), pl.col("breakdown")), separator="|")
    hit = key.is_in(cells)
    return table.with_columns(
        *[pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in KPI_NUMBERS],
        suppressed=pl.col("suppressed") | hit,
    )


def choose(sysm: System, bad_cells: set[str], taken: set[str], keep_org: bool = False) -> list[str]:
    """One shown cell to hide for each failing group of this system (deduplicated)."""
    if not bad_cells:
        return []
    near = neighbourhood(sysm)
    picks: list[str] = []
    rank = {"division": 0, "department": 1, "organisation": 2}
    by_cell = {c.cell: c for c in sysm.candidates}
    served: set[str] = set()
    for t in sysm.targets:
        if t.cell not in bad_cells or t.cell in served:
            continue  # a cell with several targets (pay: women's and men's) gets one pick a round
        served.add(t.cell)
        atoms = list({*t.num, *t.size, *(t.gap or {})})
        if any(by_cell[c].variables & set(atoms) for c in picks):
            continue  # a cell hidden this round already holds its people: audit again first
        free = [c for c in sysm.candidates if c.cell not in taken
                and not (keep_org and c.level == "organisation")]
        options = nearest(near, atoms, free)
        if not options:
            continue
        best = min(options, key=lambda c: (rank.get(c.level, 3), c.cost, c.cell))
        taken.add(best.cell)
        picks.append(best.cell)
    return picks


@dataclass(frozen=True)
class Protection:
    """What the audit did to a table: its final results, the cells it hid and how long it took."""

    results: pl.DataFrame
    added: tuple[str, ...]
    rounds: int
    seconds: float

    def summary(self) -> pl.DataFrame:
        return summary(self.results)


def protect(table: pl.DataFrame, ctx: Context, lang: str = "ja") -> tuple[pl.DataFrame, Protection]:
    """(table with secondary suppressions, the account of them). Raises DisclosureError when
    the audit still fails and no shown cell is left to hide.

    Each round re-audits only the systems (family × period) in which a cell was hidden."""
    start = time.perf_counter()
    added: list[str] = []
    results: dict[tuple[str, str], pl.DataFrame] = {}
    current = {(s.period, s.family): s for s in systems(table, ctx)}
    dirty = set(current)
    rounds = 0
    while rounds < MAX_ROUNDS and dirty:
        rounds += 1
        by_period: dict[str, tuple[pl.DataFrame, dict[tuple[str, str], float]]] = {}
        for key in sorted(dirty):
            if key[0] not in by_period:  # one period's rows and steps serve all its systems
                rows = table.filter(pl.col("period") == key[0])
                by_period[key[0]] = rows, steps(rows)
            rows, st = by_period[key[0]]
            results[key] = audit_systems([current[key]], ctx.width, rows, ctx.minimums,
                                         ctx.keep_organisation, st)
        picks: list[str] = []
        taken: set[str] = set()
        hit: set[tuple[str, str]] = set()
        for key in sorted(dirty):
            chosen = choose(current[key], set(failing(results[key])["cell"].to_list()), taken,
                            ctx.keeps_organisation(key[1]))
            picks += chosen
            if chosen:
                hit.add(key)
        if not picks:
            break
        picks += coupled(picks, ctx)
        table = hide_cells(table, picks)
        added += picks
        touched = {key for key, s in current.items() if key in hit or _touched(s, picks)}
        current.update({(s.period, s.family): s for s in systems(table, ctx, touched)})
        dirty = touched
    final = pl.concat(list(results.values())) if results else pl.DataFrame(schema=RESULT_SCHEMA)
    if final.height and failing(final).height:
        raise DisclosureError(failing(final).sort("cell"), lang)
    return table, Protection(final, tuple(added), rounds, time.perf_counter() - start)


def coupled(cells: list[str], ctx: Context) -> list[str]:
    """Cells that must hide with these though no linear relation ties them: a unit's engagement
    index is the mean over its outcome items' answers, so it goes with any outcome item."""
    if ctx.items is None or "outcome" not in ctx.items.columns:
        return []
    outcome = set(ctx.items.filter(pl.col("outcome")).select(
        pl.concat_str("period", pl.lit("item:") + pl.col("item_id"), separator="|"))["period"].to_list())
    out = []
    for c in cells:
        period, unit, measure = c.split("|", 2)
        if f"{period}|{measure}" in outcome:
            out.append(f"{period}|{unit}|engagement_index|")
    return sorted(set(out) - set(cells))


def _touched(sysm: System, cells: list[str]) -> bool:
    """Whether a hidden cell belongs to this system (a cell's KPI rows may feed several)."""
    mine = {c.cell for c in sysm.candidates} | {t.cell for t in sysm.targets}
    return any(c in mine for c in cells)
