"""The solver's shortcut (solve._Problem.stays_optimal): a solve is skipped only when the basis
HiGHS last ended on is provably optimal for the new objective, and then it returns what a run
would; when the optimum lies elsewhere the shortcut must not conclude and HiGHS decides.

The system is small enough to solve by hand: a department D of 10 (shown) = division V1 of 4
(shown) + division V2 (hidden, so ≥ 1; at most 5 by a shown bound) + its remainder D~. So V2
may hold 1..5 people and D~ holds 6 − V2, also 1..5.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from hrmetrics.disclosure import solve
from hrmetrics.disclosure.system import System, Target

D, V1, V2, REST = range(4)


def problem() -> solve._Problem:
    a_eq = sparse.csr_array(np.array([[1.0, -1.0, -1.0, -1.0],   # D = V1 + V2 + D~
                                      [1.0, 0.0, 0.0, 0.0],      # D shown: 10
                                      [0.0, 1.0, 0.0, 0.0]]))    # V1 shown: 4
    a_ub = sparse.csr_array(np.array([[0.0, 0.0, -1.0, 0.0],     # V2 hidden: not empty
                                      [0.0, 0.0, 1.0, 0.0]]))    # V2 ≤ 5
    return solve._Problem(a_eq, np.array([0.0, 10.0, 4.0]), a_ub, np.array([-1.0, 5.0]),
                          np.ones(4, dtype=bool))


def cost(**terms: float) -> np.ndarray:
    c = np.zeros(4)
    for name, v in terms.items():
        c[{"V2": V2, "REST": REST}[name]] = v
    return c


def test_a_solve_the_last_basis_already_answers_is_skipped_with_the_same_vertex() -> None:
    p = problem()
    first = p.optimise(cost(REST=1.0))  # the smallest remainder: D~ = 1, so V2 = 5
    assert first is not None and first.tolist() == [10.0, 4.0, 5.0, 1.0]
    assert p.skipped == 0
    # the largest V2 is the same vertex: its basis prices out, so no run is needed
    again = p.optimise(cost(V2=-1.0))
    assert p.skipped == 1
    assert again is not None and again.tolist() == [10.0, 4.0, 5.0, 1.0]
    # V2 + D~ is 6 at every solution: any vertex is optimal, the current one included
    assert p.optimise(cost(V2=1.0, REST=1.0)) is not None
    assert p.skipped == 2
    # a fresh model (no basis to reuse) finds the same optimum
    fresh = problem().optimise(cost(V2=-1.0))
    assert fresh is not None and fresh[V2] == again[V2] == 5.0


def test_a_solve_whose_optimum_lies_elsewhere_is_not_skipped() -> None:
    p = problem()
    p.optimise(cost(REST=1.0))  # ends on V2 = 5, D~ = 1
    assert not p.stays_optimal(cost(V2=1.0))  # the smallest V2 is 1: the basis must change
    x = p.optimise(cost(V2=1.0))
    assert p.skipped == 0
    assert x is not None and x.tolist() == [10.0, 4.0, 1.0, 5.0]
    # and from there the smallest remainder again needs a run, not the stale vertex
    y = p.optimise(cost(REST=1.0))
    assert p.skipped == 0
    assert y is not None and y[REST] == 1.0


def test_no_basis_is_reused_after_a_fractional_vertex() -> None:
    # x0 + x1 = 1 with 2·x0 − 2·x1 = 0 has only the fractional point (½, ½) and no integer
    # solution: the MILP decides (and finds none), and nothing is reused afterwards
    p = solve._Problem(sparse.csr_array(np.array([[1.0, 1.0], [2.0, -2.0]])), np.array([1.0, 0.0]),
                       sparse.csr_array((0, 2)), np.zeros(0), np.ones(2, dtype=bool))
    with pytest.raises(solve.ModelError):
        p.optimise(np.array([1.0, 0.0]))
    assert p.vertex is None


def remainder_system() -> System:
    """D, V1, V2 (hidden), D~ with women w ≤ staff t; the remainder is a target."""
    s = System("workforce", "FY2024")
    for node in ("D", "V1", "V2", "D~"):
        for atom in ("w", "t"):
            s.var(node, atom, True)
    n = s.names
    for atom in ("w", "t"):
        s.eq.append(({n[f"D|{atom}"]: 1.0, n[f"V1|{atom}"]: -1.0, n[f"V2|{atom}"]: -1.0,
                      n[f"D~|{atom}"]: -1.0}, 0.0))
    for node in ("D", "V1", "V2", "D~"):
        s.ub.append(({n[f"{node}|w"]: 1.0, n[f"{node}|t"]: -1.0}, 0.0))
    s.eq += [({n["D|t"]: 1.0}, 10.0), ({n["D|w"]: 1.0}, 4.0), ({n["V1|t"]: 1.0}, 4.0),
             ({n["V1|w"]: 1.0}, 2.0), ({n["V2|t"]: 1.0}, 3.0)]  # V2's head count is shown
    s.ub.append(({n["V2|t"]: -1.0}, -1.0))
    for node, remainder in (("V2", False), ("D~", True)):
        s.targets.append(Target(f"FY2024|{node}|female_share", node.rstrip("~"), "division",
                                "female_share|", "women", {n[f"{node}|w"]: 1.0},
                                {n[f"{node}|t"]: 1.0, n[f"{node}|w"]: -1.0}, {n[f"{node}|t"]: 1.0},
                                False, remainder))
    return s


def test_the_audit_of_a_small_system_is_the_same_with_and_without_the_shortcut(monkeypatch) -> None:
    # V2 has 3 people, so D~ has 10 − 4 − 3 = 3; their women add up to 4 − 2 = 2, each 0..2:
    # both groups may hold 0 or 2 women (a range of 2 = the width) and are protected
    made: list[solve._Problem] = []
    init = solve._Problem.__init__

    def keep(self, *args) -> None:
        init(self, *args)
        made.append(self)

    monkeypatch.setattr(solve._Problem, "__init__", keep)
    with_shortcut = solve.audit_system(remainder_system(), 2, None, 3)
    assert made[0].skipped == 4  # the shortcut did conclude here (then the results must agree)
    monkeypatch.setattr(solve._Problem, "stays_optimal", lambda self, c: False)
    without = solve.audit_system(remainder_system(), 2, None, 3)
    assert with_shortcut == without
    assert [(r["target"], r["status"], r["num_min"], r["num_max"], r["size_max"]) for r in without] == [
        ("women", "protected", 0.0, 2.0, 3.0), ("women", "protected", 0.0, 2.0, 3.0)]
