"""Feasible intervals of hidden counts, by linear and integer programming (HiGHS).

For each target (a hidden cell or a remainder) the attacker's question is: over every integer
solution consistent with what is published, how far can its numerator move, and can the group
be proved to hold none or all of something? We answer it exactly where it matters and cheaply
elsewhere:

* every optimum found is an integer solution, kept in a **pool**; a target is *certified
  protected* as soon as two pool solutions differ by ≥ `width` in its numerator and pool
  solutions show it both above 0 and below its group (witnesses, so the certificate is exact);
* a target the pool cannot certify gets its own optimisations (max and min of its numerator,
  max of group − numerator, max of its size), each an exact integer optimum: an LP vertex when
  that is already integral (the tree-sum systems mostly are), else a MILP.

So a cell reported *protected* has witnesses, and a cell reported *pinned* has a proof.

**Skipping solves that would not move.** Most optimisations after the seeds start from a
basis that is already optimal for the new objective: a remainder's smallest size, when the
department's shown head count minus its divisions' fixes it, is attained at the vertex the
last solve ended on. HiGHS would confirm that in a run without a single pivot, which still
costs ~3.5 ms on a 6,000-row workforce year (~250 such runs a year at 100,000 staff).
`_Problem.stays_optimal` does HiGHS's own first check instead (~1 ms): with the current
basis factors it solves Bᵀy = c_B and prices every nonbasic column and inequality row
(d = c − Aᵀy ≥ 0 at a lower bound, y ≤ 0 at an inequality's bound). Passing is an LP
optimality certificate: the vertex is primal feasible (the relations do not depend on the
objective) and the basis dual feasible, so by LP duality it minimises c·x over every real,
hence every integer, solution; it is integral (only integral vertices are reused, never a
MILP's result), so it is the exact integer optimum the run would have returned. Anything
else — a reduced cost below −1e-9, no basis to read — falls through to a real run, which
decides as before.

The answers are the same; the solver's path is not quite: a run without a pivot still
refactorises its basis, which can break later ties between equally good vertices the other
way. Statuses cannot change (each is decided by exact optima or by witnesses), but a
protected cell's reported range (its pool witnesses) can differ from a run that made every
solve (on the demo city 1,090 of 3,919 ranges; at 100,000 staff none).
"""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np
from scipy import sparse

from hrmetrics.disclosure.system import System, sparse_rows

STATUSES = ("protected", "empty", "statutory", "pinned", "none", "all")
"""`protected`/`empty` pass, and `statutory` (audit.statutory); `pinned` (numerator known within
less than the width), `none` and `all` (group disclosure: provably nobody / everybody) fail."""


SEEDS = 2
"""Random-sign objectives solved up front: each optimum pushes many hidden cells apart at once,
so most protected cells are certified by the pool without an optimisation of their own."""


class ModelError(RuntimeError):
    """The published numbers contradict the model's relations (a modelling bug, never data)."""


class _Problem:
    """One HiGHS model kept warm: each new objective re-solves from the last basis, which on
    these tree-sum systems costs a fraction of a millisecond instead of a fresh LP (measured:
    scipy's linprog took 15 ms per solve on a 588-atom workforce year, 75 ms on a survey wave),
    or is not solved at all when that basis is already optimal for it (`stays_optimal`)."""

    def __init__(self, a_eq: sparse.csr_array, b_eq: np.ndarray, a_ub: sparse.csr_array,
                 b_ub: np.ndarray, integer: np.ndarray):
        a = sparse.vstack([a_eq, a_ub]).tocsc()
        n = a.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, a.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = np.concatenate([b_eq, np.full(len(b_ub), -highspy.kHighsInf)])
        lp.row_upper_ = np.concatenate([b_eq, b_ub])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        self.h = _highs()
        self.h.passModel(lp)
        self.n = n
        self.cols = np.arange(n, dtype=np.int32)
        self.integer = integer
        self.int_cols = self.cols[integer]
        self.at = a.T.tocsr()
        self.n_eq = len(b_eq)
        self.n_rows = a.shape[0]
        self.vertex: np.ndarray | None = None
        self._basis: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.skipped = 0

    def _run(self) -> np.ndarray | None:
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return np.array(self.h.getSolution().col_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        raise ModelError(self.h.modelStatusToString(status))

    def optimise(self, c: np.ndarray) -> np.ndarray | None:
        """An integer minimiser of c·x, or None when unbounded below."""
        c = np.asarray(c, dtype=float)
        if self.vertex is not None and self.stays_optimal(c):
            self.skipped += 1
            return self.vertex.copy()
        self.vertex = self._basis = None
        self.h.changeColsCost(self.n, self.cols, c)
        x = self._run()
        if x is None:
            return None
        ints = x[self.integer]
        if np.allclose(ints, np.round(ints), atol=1e-6):
            x[self.integer] = np.round(x[self.integer])
            self.vertex = x.copy()  # the basis HiGHS ended on is optimal at this integral vertex
            return x
        return self._integer(x)

    def stays_optimal(self, c: np.ndarray) -> bool:
        """Whether the basis HiGHS last ended on is also optimal for cost c: then its vertex
        (primal feasible whatever the cost) minimises c·x, and a run would return it without
        a pivot. See the module docstring ("Skipping solves that would not move")."""
        if self._basis is None:
            self._basis = self._read_basis()
        basic, col_nonbasic, ineq_nonbasic = self._basis
        if not len(basic):
            return False
        cb = np.where(basic >= 0, c[np.maximum(basic, 0)], 0.0)
        status, y = self.h.getBasisTransposeSolve(cb)  # type: ignore[attr-defined]  # not in the stubs
        if status != highspy.HighsStatus.kOk:
            return False
        y = np.asarray(y)
        # every column is 0 ≤ x < ∞, so a nonbasic one sits at 0 and needs d = c − Aᵀy ≥ 0;
        # a nonbasic inequality row a·x ≤ b sits at b and needs y ≤ 0; equations take any sign
        d = c - self.at @ y
        return not (np.any(d[col_nonbasic] < -_DUAL_TOL) or np.any(y[ineq_nonbasic] > _DUAL_TOL))

    def _read_basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(basic variables, nonbasic columns, nonbasic inequality rows) of HiGHS's basis."""
        status, basic = self.h.getBasicVariables()  # type: ignore[attr-defined]  # not in the stubs
        basic = np.asarray(basic, dtype=np.int64)
        if status != highspy.HighsStatus.kOk or len(basic) != self.n_rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        col_basic = np.zeros(self.n, dtype=bool)
        col_basic[basic[basic >= 0]] = True
        row_basic = np.zeros(self.n_rows, dtype=bool)
        row_basic[-basic[basic < 0] - 1] = True  # HiGHS numbers a basic row i as -1 - i
        ineq = np.arange(self.n_eq, self.n_rows)
        return basic, np.flatnonzero(~col_basic), ineq[~row_basic[self.n_eq:]]

    def _integer(self, x: np.ndarray) -> np.ndarray | None:
        """The LP vertex is fractional: solve the MILP (its result leaves no reusable basis)."""
        k = len(self.int_cols)
        self.h.changeColsIntegrality(k, self.int_cols, np.full(k, highspy.HighsVarType.kInteger))
        try:
            found = self._run()
        finally:
            self.h.changeColsIntegrality(k, self.int_cols, np.full(k, highspy.HighsVarType.kContinuous))
        if found is None:
            return None
        found[self.integer] = np.round(found[self.integer])
        return found


_DUAL_TOL = 1e-9
"""Reduced costs this far below 0 still count as optimal (HiGHS's own tolerance is 1e-7; the
counts' relations have small integer coefficients, so their reduced costs are 0 or far from it)."""


def _highs() -> highspy.Highs:
    """A silent HiGHS instance. Its first construction in a process prints a banner from C++
    straight to file descriptor 1, so that one is made with descriptor 1 pointed at /dev/null."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


_BANNER_SHOWN = False


def audit_system(sysm: System, width: int, steps: dict[str, float] | None = None,
                 minimum: int = 3) -> list[dict]:
    """One result row per target of the system (see STATUSES). `minimum` is the smallest group
    a table may show: a remainder provably that large is as public as a shown cell."""
    if not sysm.targets:
        return []
    nv = len(sysm.names)
    a_eq, b_eq, a_ub, b_ub = sysm.matrices()
    prob = _Problem(a_eq, b_eq, a_ub, b_ub, np.array(sysm.integer, dtype=bool))
    tn = sparse_rows([t.num for t in sysm.targets], nv)
    tg = sparse_rows([t.gap for t in sysm.targets], nv)
    ts = sparse_rows([t.size for t in sysm.targets], nv)
    has_gap = np.array([t.gap is not None for t in sysm.targets])
    k = len(sysm.targets)
    lo, hi = np.full(k, np.inf), np.full(k, -np.inf)
    gmax, smax, smin = np.full(k, -np.inf), np.full(k, -np.inf), np.full(k, np.inf)
    exact = {"lo": np.zeros(k, bool), "hi": np.zeros(k, bool), "g": np.zeros(k, bool), "s": np.zeros(k, bool)}
    maybe_empty = np.zeros(k, bool)
    need = np.array([width * (steps or {}).get(t.measure, 1.0) if t.continuous else width
                     for t in sysm.targets])

    def take(x: np.ndarray | None) -> None:
        if x is None:
            return
        v, g, s = tn @ x, tg @ x, ts @ x
        np.minimum(lo, v, out=lo)
        np.maximum(hi, v, out=hi)
        np.maximum(gmax, g, out=gmax)
        np.maximum(smax, s, out=smax)
        np.minimum(smin, s, out=smin)

    def solve(c: np.ndarray) -> np.ndarray | None:
        x = prob.optimise(c)
        take(x)
        return x

    ones = np.ones(k)
    rng = np.random.default_rng(0)
    seeds = [-(ones @ tn), ones @ tn, -(has_gap @ tg), -(ones @ ts)]
    seeds += [rng.choice([-1.0, 1.0], k) @ tn for _ in range(SEEDS)]
    for c in seeds:
        solve(np.asarray(c, dtype=float))

    def ok(i: int) -> bool:
        if exact["s"][i] and smax[i] < 0.5:
            return True
        # a group of at most one or two people cannot vary by `width`: it is protected when its
        # numerator may be anything from 0 to the most people it can hold
        whole = exact["s"][i] and lo[i] < 0.5 and hi[i] >= smax[i] - 1e-9
        if hi[i] - lo[i] < need[i] - 1e-9 and not (whole and not sysm.targets[i].continuous):
            return False
        if sysm.targets[i].continuous:
            return True
        return hi[i] >= 1 - 1e-9 and (not has_gap[i] or gmax[i] >= 1 - 1e-9)

    def remainder_is_public(i: int) -> bool:
        """A remainder is published by subtraction: like a shown cell it may be known exactly
        when it provably holds at least `minimum` people; and unless its people provably exist,
        a reader cannot tell "nobody there" from "nobody there took leave"."""
        if smin[i] < 0.5:  # a pool solution where it is empty is the witness
            return True
        x = prob.optimise(_row(ts, i, nv))
        take(x)
        smallest = _row_value(ts, i, x) if x is not None else 0.0
        return smallest < 0.5 or smallest >= minimum - 1e-9

    for i in range(k):
        if ok(i):
            continue
        if sysm.targets[i].remainder and remainder_is_public(i):
            maybe_empty[i] = True
            continue
        if smax[i] < 0.5 and not exact["s"][i]:  # most remainders are empty: one solve proves it
            if solve(-_row(ts, i, nv)) is None:
                smax[i] = np.inf
            exact["s"][i] = True
            if ok(i):
                continue
        row = _row(tn, i, nv)
        for key, sign, bound in (("hi", -1.0, hi), ("lo", 1.0, lo)):
            if not ok(i) and not exact[key][i]:
                if solve(sign * row) is None:
                    bound[i] = -sign * np.inf
                exact[key][i] = True
        if has_gap[i] and not ok(i) and not exact["g"][i]:
            if solve(-_row(tg, i, nv)) is None:
                gmax[i] = np.inf
            exact["g"][i] = True
        if not ok(i) and not exact["s"][i]:
            if solve(-_row(ts, i, nv)) is None:
                smax[i] = np.inf
            exact["s"][i] = True
    return [_result(sysm, i, lo, hi, gmax, smax, need, has_gap, ok(i) or maybe_empty[i]) for i in range(k)]


def _row(m: sparse.csr_array, i: int, n: int) -> np.ndarray:
    """Row i of a CSR matrix as a dense vector (slicing `m[[i], :]` costs ~1 ms a call)."""
    out = np.zeros(n)
    lo, hi = m.indptr[i], m.indptr[i + 1]
    out[m.indices[lo:hi]] = m.data[lo:hi]
    return out


def _row_value(m: sparse.csr_array, i: int, x: np.ndarray) -> float:
    """Row i of a CSR matrix times x, summed in the matrix's own order."""
    lo, hi = m.indptr[i], m.indptr[i + 1]
    return float(m.data[lo:hi] @ x[m.indices[lo:hi]])


def _result(sysm: System, i: int, lo, hi, gmax, smax, need, has_gap, passed: bool) -> dict:
    t = sysm.targets[i]
    if passed:
        status = "empty" if smax[i] < 0.5 else "protected"
    elif not t.continuous and hi[i] < 1 - 1e-9:
        status = "none"
    elif not t.continuous and has_gap[i] and gmax[i] < 1 - 1e-9:
        status = "all"
    else:
        status = "pinned"
    return {
        "family": sysm.family, "period": sysm.period, "cell": t.cell, "unit_code": t.unit_code,
        "level": t.level, "measure": t.measure, "target": t.name, "remainder": t.remainder,
        "num_min": float(lo[i]), "num_max": float(hi[i]), "gap_max": float(gmax[i]) if has_gap[i] else None,
        "size_max": float(smax[i]), "width_needed": float(need[i]), "status": status,
    }
