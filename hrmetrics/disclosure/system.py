"""One family × period of the published-numbers model as a linear system a solver can read.

Variables are the family's atoms at every node of the period's unit tree (units present in the
table, plus a remainder node under each unit that has children). Constraints: the node rules,
the tree sums, and what the table says of each cell: a shown cell fixes its numerator,
denominator and n; a hidden cell says its group is not empty; an absent row says it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import polars as pl
from scipy import sparse

from hrmetrics.disclosure.model import SELF, Family, Measure, Terms
from hrmetrics.orgs import ORG_CODE as ORG

_COLUMNS = ("numerator", "denominator", "n")


def measure_key(kpi: pl.Expr, breakdown: pl.Expr) -> pl.Expr:
    """The cell a KPI row belongs to: all item_* rows of one item are one cell (they are hidden
    together), as are all dimension_* rows of one dimension and the three pay rows of one
    給与の男女の差異 cell; any other KPI × breakdown is its own."""
    bd = breakdown.fill_null("")
    return (
        pl.when(kpi.str.starts_with("item_")).then(pl.lit("item:") + bd)
        .when(kpi.str.starts_with("dimension_")).then(pl.lit("dim:") + bd)
        .when(kpi.is_in(["gender_pay_ratio", "pay_mean_female", "pay_mean_male"])).then(pl.lit("pay:") + bd)
        .otherwise(kpi + pl.lit("|") + bd)
    )


@dataclass
class Target:
    """A group whose count must stay uncertain: a hidden cell, or a never-published remainder."""

    cell: str
    unit_code: str
    level: str
    measure: str
    name: str
    num: dict[int, float]
    gap: dict[int, float] | None
    size: dict[int, float]
    continuous: bool
    remainder: bool


@dataclass
class Candidate:
    """A shown cell that secondary suppression could hide: its people and the atoms it fixes."""

    cell: str
    level: str
    cost: float
    variables: set[int]


@dataclass
class System:
    """min/max c·x subject to A_eq x = b_eq, A_ub x ≤ b_ub, lb ≤ x ≤ ub, some x integer."""

    family: str
    period: str
    names: dict[str, int] = field(default_factory=dict)
    integer: list[bool] = field(default_factory=list)
    eq: list[tuple[dict[int, float], float]] = field(default_factory=list)
    ub: list[tuple[dict[int, float], float]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    def var(self, node: str, atom: str, integer: bool) -> int:
        key = f"{node}|{atom}"
        if key not in self.names:
            self.names[key] = len(self.names)
            self.integer.append(integer)
        return self.names[key]

    def matrices(self) -> tuple[sparse.csr_array, np.ndarray, sparse.csr_array, np.ndarray]:
        return (*_stack(self.eq, len(self.names)), *_stack(self.ub, len(self.names)))



def sparse_rows(rows: list[dict[int, float] | None], width: int) -> sparse.csr_array:
    """One sparse row per {column: coefficient} (None: an empty row)."""
    filled: list[dict[int, float]] = [terms or {} for terms in rows]
    ri = np.repeat(np.arange(len(filled)), [len(terms) for terms in filled])
    ci = np.fromiter(chain.from_iterable(filled), dtype=np.int64, count=len(ri))
    v = np.fromiter(chain.from_iterable(terms.values() for terms in filled), dtype=np.float64, count=len(ri))
    return sparse.csr_array((v, (ri, ci)), shape=(len(filled), width))


def _stack(rows: list[tuple[dict[int, float], float]], width: int) -> tuple[sparse.csr_array, np.ndarray]:
    return sparse_rows([t for t, _ in rows], width), np.array([r for _, r in rows], dtype=float)


# ---------------------------------------------------------------------------- the unit tree
def unit_tree(rows: pl.DataFrame) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(level by unit, children by parent) for the units present in one period's rows."""
    units = (rows.select("unit_code", "level", "parent_code")
             .unique(subset="unit_code", keep="first").sort("unit_code"))
    level: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    for code, lvl, parent in units.iter_rows():
        level[code] = lvl
        if lvl == "organisation":
            continue
        up = ORG if lvl == "department" or parent is None else parent
        children.setdefault(up, []).append(code)
    level.setdefault(ORG, "organisation")
    return level, children


# ---------------------------------------------------------------------------- assembly
def build(family: Family, period: str, rows: pl.DataFrame,
          manager_grades: tuple[str, ...] = ("section_chief", "deputy_director", "director")) -> System:
    """The system for one family in one period (`rows`: the whole table's rows of that period)."""
    sysm = System(family.name, period)
    level, children = ({ORG: "organisation"}, {}) if family.org_only else unit_tree(rows)
    nodes = list(level) + [p + SELF for p in children]
    atoms = {a: (integer, exact) for a, integer, exact in family.atoms}
    for node in nodes:
        for a, (integer, _) in atoms.items():
            sysm.var(node, a, integer)
    _node_rules(sysm, family, nodes)
    _tree_sums(sysm, atoms, children)
    index = _row_index(rows, family)
    from hrmetrics.kpis.catalog import unpublished

    rules = unpublished(manager_grades).rows()
    computed = set(rows["kpi"].unique().to_list())
    for m in family.measures:
        if computed.isdisjoint(m.columns):
            continue  # not in this table (e.g. compute_kpis(kpis=[...])): its absence says nothing
        shown_at = _levels(m, rules)
        for unit in level:
            if level[unit] in shown_at:  # an absent row says "nobody" only where rows are published
                _cell(sysm, m, unit, level[unit], index.get((unit, m.key)))
        if shown_at == {"organisation"}:
            continue  # published for the organisation only: no remainder below it is ever implied
        for parent in children:
            _remainder_targets(sysm, m, parent + SELF, level[parent])
    return sysm


def _levels(m: Measure, rules: list[tuple]) -> set[str]:
    """Levels at which every KPI of the measure is published (`rules`: kpis/catalog.py
    `unpublished` as rows)."""
    out = {"organisation", "department", "division"}
    for kpi, level, breakdown in rules:
        if kpi in m.columns and (breakdown is None or breakdown == m.breakdown):
            out.discard(level)
    return out


def _terms(sysm: System, node: str, terms: Terms) -> dict[int, float]:
    return {sysm.names[f"{node}|{a}"]: c for a, c in terms.items()}


def _node_rules(sysm: System, family: Family, nodes: list[str]) -> None:
    for node in nodes:
        for terms, sense, rhs in family.node_rules:
            (sysm.eq if sense == "==" else sysm.ub).append((_terms(sysm, node, terms), rhs))


def _tree_sums(sysm: System, atoms: dict[str, tuple[bool, bool]], children: dict[str, list[str]]) -> None:
    """parent = Σ children + remainder (exact atoms); parent ≤ Σ, ≥ each part (the others)."""
    for parent, kids in children.items():
        parts = [*kids, parent + SELF]
        for a, (_, exact) in atoms.items():
            p = sysm.names[f"{parent}|{a}"]
            terms = {p: 1.0}
            for k in parts:
                terms[sysm.names[f"{k}|{a}"]] = -1.0
            (sysm.eq if exact else sysm.ub).append((terms, 0.0))
            if not exact:
                sysm.ub.extend(({sysm.names[f"{k}|{a}"]: 1.0, p: -1.0}, 0.0) for k in parts)


def _row_index(rows: pl.DataFrame, family: Family) -> dict[tuple[str, str], list[tuple]]:
    """(unit, measure key) → [(kpi, suppressed, numerator, denominator, n)] for the family's KPIs."""
    kpis = {k for m in family.measures for k in m.columns}
    sub = rows.filter(pl.col("kpi").is_in(list(kpis))).with_columns(
        _m=measure_key(pl.col("kpi"), pl.col("breakdown")))
    out: dict[tuple[str, str], list[tuple]] = {}
    for unit, m, kpi, sup, num, den, n in sub.select(
            "unit_code", "_m", "kpi", "suppressed", *_COLUMNS).iter_rows():
        out.setdefault((unit, m), []).append((kpi, bool(sup), num, den, n))
    return out


def _cell(sysm: System, m: Measure, unit: str, lvl: str, found: list[tuple] | None) -> None:
    cell = f"{sysm.period}|{unit}|{m.key}"
    size = _terms(sysm, unit, m.size)
    if not found:  # absent row: nobody in the group
        if size:
            sysm.eq.append((size, 0.0))
        return
    if any(sup for _, sup, *_ in found):
        if size:
            sysm.ub.append(({j: -c for j, c in size.items()}, -1.0))
        _add_targets(sysm, m, unit, lvl, cell, remainder=False)
        return
    fixed: set[int] = set()
    for kpi, _, *values in found:
        for col, value in zip(_COLUMNS, values, strict=True):
            terms = m.columns.get(kpi, {}).get(col)
            if terms is None or value is None:
                continue
            t = _terms(sysm, unit, terms)
            integer = all(sysm.integer[j] for j in t)
            sysm.eq.append((t, float(round(value)) if integer else float(value)))
            fixed |= set(t)
    if m.targets:
        people = [n if n is not None else den for _, _, _, den, n in found]
        cost = max((float(c) for c in people if c is not None), default=0.0)
        sysm.candidates.append(Candidate(cell, lvl, cost, fixed))


def _add_targets(sysm: System, m: Measure, node: str, lvl: str, cell: str, remainder: bool) -> None:
    for i, (name, num, grp) in enumerate(m.targets):
        t_num = _terms(sysm, node, num)
        gap = None
        if grp is not None:
            gap = _terms(sysm, node, grp)
            for j, c in t_num.items():
                gap[j] = gap.get(j, 0.0) - c
        size = m.target_sizes[i] if i < len(m.target_sizes) else m.size
        sysm.targets.append(Target(cell, node.removesuffix(SELF), lvl, m.key, name, t_num, gap,
                                   _terms(sysm, node, size), m.continuous, remainder))


def _remainder_targets(sysm: System, m: Measure, node: str, lvl: str) -> None:
    if m.targets:
        _add_targets(sysm, m, node, lvl, f"{sysm.period}|{node}|{m.key}", remainder=True)


def neighbourhood(sysm: System) -> sparse.csc_array:
    """Atoms × atoms: which atoms share a relation (tree sum or node rule) with which."""
    a_eq, _, a_ub, _ = sysm.matrices()
    a = sparse.vstack([a_eq, a_ub]).tocsr()
    a.data[:] = 1.0
    return (a.T @ a).tocsc()


def nearest(near: sparse.csc_array, atoms: list[int], free: list[Candidate]) -> list[Candidate]:
    """The shown cells one relation away from the atoms, else two, and so on (a division's
    cell may only be protected by hiding its department's, or the organisation's)."""
    reach = set(atoms)
    while True:
        grown = reach | set(near[:, sorted(reach)].nonzero()[0].tolist())
        options = [c for c in free if c.variables & grown]
        if options or grown == reach:
            return options
        reach = grown
