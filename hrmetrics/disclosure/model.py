"""The published-numbers model: every number the outputs publish, as a linear expression over
counts a reader does not see, and every relation the reader knows between them.

A reader of the KPI table (and of everything built from it: progress, Excel, chart data, packs)
knows, for each published cell, its numerator, denominator and n; for each hidden cell only that
it exists (so its group is not empty); and for each absent row that its group is empty. They
also know how the cells hang together. This module writes that knowledge down as one linear
system per *component* (a family of cells in one period), over integer **atoms** at every unit:

* **workforce** (roster, April 1): women `w:g` and staff `t:g` of each grade g. Published:
  headcount = Σ t; women's share at grade g = w:g / t:g; "g and above" = Σ over the ladder;
  female manager ratio = Σ over the manager grades (the same people as "section chief and
  above", so the two cells are one quantity).
* **childcare** (per gender and FY): leaves `L`, births `B`, people `N` (N ≥ L, N ≥ B,
  N ≤ L + B); leaves of 1 / 2 weeks or more, the length bands (adding up to L) and men's
  spouse-birth / childcare-participation leave (≤ B), where the table has them.
* **pay** (per FY, organisation only): per 給与の男女の差異 cell, women's and men's counts,
  divisors and pay totals, with all = permanent + other and permanent = Σ post levels =
  Σ service bands (`pay_family`).
* **survey** (per wave and dimension): per item favourable `F`, neutral `M`, unfavourable `U`,
  answers `n` (F + M + U = n); dimensions are sums of their items; the satisfaction rate is its
  item's favourable share. Respondents `R` of the staff `S` (the April-1 headcount, where the
  table shows them equal) and the engagement sum `E` over `nE` respondents (continuous) form a
  system of their own.

Every atom adds up along the unit tree: organisation = departments + people coded to no
department; department = divisions + people coded to the department itself. Those two
remainders are never published, so they are atoms of their own (the `~` nodes) and are
protected like hidden cells: they are groups of people too.

What is left out, and why: item means, scores and SDs (not linear in these atoms: a reader who
also used them would learn sums of answers, which the answer-level counts here bound anyway);
HR KPIs whose counts are not additive across units (a person who moved is counted in both
divisions but once in the department), which the rule-based pass in `hrmetrics.suppression`
protects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from hrmetrics.config import GRADES

Terms = dict[str, float]
"""A linear expression over atom names of one node: {atom: coefficient}."""

SELF = "~"
"""Suffix of a unit's remainder node (people coded to the unit itself, not to a child)."""


@dataclass(frozen=True)
class Measure:
    """One published cell kind at a node: the KPI rows it holds and what each column means.

    `columns` maps a KPI id to {column: terms} (column is numerator/denominator/n). `target`
    is (numerator terms, group terms): what must not be pinned, and the group whose "none" or
    "all" must not be provable; None for cells that are not sensitive (headcount).
    """

    key: str
    breakdown: str | None
    columns: Mapping[str, Mapping[str, Terms]]
    targets: tuple[tuple[str, Terms, Terms | None], ...] = ()
    size: Terms = field(default_factory=dict)
    """The group's head count (n ≥ 1 when the row is present, 0 when absent)."""
    continuous: bool = False
    target_sizes: tuple[Terms, ...] = ()
    """Per target, the people its numerator is about when that is not the whole group (pay: the
    women's total is about the cell's women only; a cell that may hold none needs no cover)."""


@dataclass(frozen=True)
class Family:
    """A set of measures over shared atoms, solved together within one period."""

    name: str
    atoms: tuple[tuple[str, bool, bool], ...]
    """(atom, integer, exact): exact atoms add up along the unit tree; the others only bound."""
    node_rules: tuple[tuple[Terms, str, float], ...]
    """(terms, "<=" or "==", rhs) at every node (e.g. women ≤ staff)."""
    measures: tuple[Measure, ...]
    org_only: bool = False
    """Published for the organisation only, with no relation along the unit tree (pay): the
    system then has the organisation's node alone."""


# ---------------------------------------------------------------------------- families
def workforce_family(grades: Iterable[str], manager_grades: Iterable[str],
                     staff_share: bool = False) -> Family:
    """Women and staff by grade; the ladder follows `config.GRADES`, other grades stand alone.
    `staff_share`: the table holds `female_staff_share` (women ÷ all staff, every grade)."""
    grades = list(dict.fromkeys([*GRADES, *grades]))
    ladder = [g for g in GRADES if g in grades]
    atoms = tuple((f"{a}:{g}", True, True) for g in grades for a in ("w", "t"))
    rules = tuple(({f"w:{g}": 1.0, f"t:{g}": -1.0}, "<=", 0.0) for g in grades)

    def share(kpi: str, bd: str | None, gs: list[str]) -> Measure:
        w = {f"w:{g}": 1.0 for g in gs}
        t = {f"t:{g}": 1.0 for g in gs}
        return Measure(f"{kpi}|{bd or ''}", bd, {kpi: {"numerator": w, "denominator": t, "n": t}},
                       targets=(("women", w, t),), size=t)

    total = {f"t:{g}": 1.0 for g in grades}
    measures = [Measure("headcount|", None, {"headcount": {"numerator": total, "n": total}}, size=total)]
    measures += [share("female_share_grade", g, [g]) for g in grades]
    measures += [share("female_share_grade_and_above", g, ladder[i:]) for i, g in enumerate(ladder)]
    measures.append(share("female_manager_ratio", None, [g for g in grades if g in set(manager_grades)]))
    if staff_share:
        measures.append(share("female_staff_share", None, grades))
    return Family("workforce", atoms, rules, tuple(measures))


LENGTH_BANDS = ("lt_1w", "1w_2w", "2w_1m", "1m_3m", "3m_6m", "6m_1y", "1y_plus", "unknown")
"""kpis/childcare.py LENGTH_BANDS and its `unknown`: every leave event is in exactly one."""
SPOUSE_KINDS = ("spouse_birth", "childcare_participation")


def childcare_family(kpi: str, kpis: set[str] | frozenset[str] = frozenset()) -> Family:
    """Leaves ÷ births of one gender; people N are those in either population.

    With the table's other childcare KPIs (`kpis`), for men: leaves of 1 week / 2 weeks or more
    (L2 ≤ L1 ≤ L) and spouse-birth / childcare-participation leave (S:*, each ≤ births, `either`
    between the larger kind and their sum). The length distribution is its own organisation-only
    family (`length_family`)."""
    gender = "male" if kpi.startswith("male") else "female"
    atoms = [("L", True, True), ("B", True, True), ("N", True, False)]
    rules: list[tuple[Terms, str, float]] = [
        ({"L": 1.0, "N": -1.0}, "<=", 0.0), ({"B": 1.0, "N": -1.0}, "<=", 0.0),
        ({"N": 1.0, "L": -1.0, "B": -1.0}, "<=", 0.0)]
    measures = [Measure(f"{kpi}|", None,
                        {kpi: {"numerator": {"L": 1.0}, "denominator": {"B": 1.0}, "n": {"N": 1.0}}},
                        targets=(("leaves", {"L": 1.0}, {"B": 1.0}),), size={"N": 1.0})]
    if gender == "male":
        for weeks in ("1w", "2w"):
            share = f"male_childcare_leave_{weeks}_share"
            if share not in kpis:
                continue
            atom = f"L{weeks}"
            atoms.append((atom, True, True))
            rules.append(({atom: 1.0, "L": -1.0}, "<=", 0.0))
            cols = {"numerator": {atom: 1.0}, "denominator": {"B": 1.0}, "n": {"N": 1.0}}
            measures.append(Measure(f"{share}|", None, {share: cols},
                                    targets=(("leaves", {atom: 1.0}, {"B": 1.0}),), size={"N": 1.0}))
        if "male_childcare_leave_1w_share" in kpis and "male_childcare_leave_2w_share" in kpis:
            rules.append(({"L2w": 1.0, "L1w": -1.0}, "<=", 0.0))
        if "spouse_birth_leave_rate" in kpis:
            kinds = [*SPOUSE_KINDS, "either"]
            atoms += [(f"S:{k}", True, True) for k in kinds]
            rules += [({f"S:{k}": 1.0, "B": -1.0}, "<=", 0.0) for k in kinds]
            rules += [({f"S:{k}": 1.0, "S:either": -1.0}, "<=", 0.0) for k in SPOUSE_KINDS]
            rules.append(({"S:either": 1.0, **{f"S:{k}": -1.0 for k in SPOUSE_KINDS}}, "<=", 0.0))
            measures += [Measure(f"spouse_birth_leave_rate|{k}", k,
                                 {"spouse_birth_leave_rate": {"numerator": {f"S:{k}": 1.0},
                                                              "denominator": {"B": 1.0}, "n": {"B": 1.0}}},
                                 targets=(("spouse_leave", {f"S:{k}": 1.0}, {"B": 1.0}),), size={"B": 1.0})
                         for k in kinds]
    return Family(kpi, tuple(atoms), tuple(rules), tuple(measures))


def length_family(gender: str) -> Family:
    """Childcare leave length bands of one gender (organisation only): Lb:* add up to the leaves
    L they are shares of. Their sums with the 1-/2-week counts (which the organisation also
    shows) are not modelled: the organisation's childcare figures are statutory and shown."""
    atoms = (("L", True, True), *((f"Lb:{b}", True, True) for b in LENGTH_BANDS))
    rules = (({"L": -1.0, **{f"Lb:{b}": 1.0 for b in LENGTH_BANDS}}, "==", 0.0),)
    kpi = "childcare_leave_length_share"
    measures = tuple(
        Measure(f"{kpi}|{gender}|{b}", f"{gender}|{b}",
                {kpi: {"numerator": {f"Lb:{b}": 1.0}, "denominator": {"L": 1.0}, "n": {"L": 1.0}}},
                targets=(("length", {f"Lb:{b}": 1.0}, {"L": 1.0}),), size={"L": 1.0})
        for b in LENGTH_BANDS)
    return Family(f"childcare_length:{gender}", atoms, rules, measures, org_only=True)


PAY_KPIS = ("gender_pay_ratio", "pay_mean_female", "pay_mean_male")


def pay_family(cells: Iterable[str]) -> Family:
    """職員の給与の男女の差異 cells of one FY (organisation only; kpis/pay.py).

    Atoms per cell c: women/men `nw`/`nm` (integer), their divisors `dw`/`dm` (headcount or
    full-time equivalents, ≤ the head count) and pay totals `pw`/`pm` (continuous, ≥ 0). A shown
    cell publishes pw/dw (numerator/denominator of pay_mean_female), pm/dm and the counts; the
    ratio row is their quotient and adds nothing linear. Relations: all = permanent + other, and
    permanent = Σ post levels = Σ service bands. Targets: a hidden cell's women's and men's pay
    totals must stay uncertain by `protection_width` × the organisation's mean pay (audit.steps):
    a mean over one woman is her pay, and subtraction along these sums is how a reader gets it.
    The reader modelled knows that everyone works at least 5% of full time and is paid at least
    1 yen per full-time equivalent (so a pay total of 0 means nobody of that gender is there, and
    then there is no one's pay to protect), and no ceiling on pay."""
    cells = sorted(set(cells))
    kinds = ("nw", "nm", "dw", "dm", "pw", "pm")
    atoms = tuple((f"{k}:{c}", k in ("nw", "nm"), True) for c in cells for k in kinds)
    rules: list[tuple[Terms, str, float]] = []
    for c in cells:
        for g in "wm":  # divisor ≤ people ≤ 20 × divisor; pay ≥ 1 yen per divisor unit
            rules += [({f"d{g}:{c}": 1.0, f"n{g}:{c}": -1.0}, "<=", 0.0),
                      ({f"n{g}:{c}": 1.0, f"d{g}:{c}": -20.0}, "<=", 0.0),
                      ({f"d{g}:{c}": 1.0, f"p{g}:{c}": -1.0}, "<=", 0.0)]

    def add_up(total: str, parts: list[str]) -> None:
        if total not in cells:
            return
        for k in kinds:
            rules.append(({f"{k}:{total}": 1.0, **{f"{k}:{p}": -1.0 for p in parts}}, "==", 0.0))

    add_up("all", [c for c in ("permanent", "other") if c in cells])
    add_up("permanent", [c for c in cells if c.startswith("permanent|") and "|service_" not in c])
    add_up("permanent", [c for c in cells if c.startswith("permanent|service_")])
    measures = []
    for c in cells:
        w, m = {f"pw:{c}": 1.0}, {f"pm:{c}": 1.0}
        size = {f"nw:{c}": 1.0, f"nm:{c}": 1.0}
        measures.append(Measure(
            f"pay:{c}", c,
            {"pay_mean_female": {"numerator": w, "denominator": {f"dw:{c}": 1.0}, "n": {f"nw:{c}": 1.0}},
             "pay_mean_male": {"numerator": m, "denominator": {f"dm:{c}": 1.0}, "n": {f"nm:{c}": 1.0}},
             "gender_pay_ratio": {"n": size}},
            targets=(("women_pay", w, None), ("men_pay", m, None)), size=size, continuous=True,
            target_sizes=({f"nw:{c}": 1.0}, {f"nm:{c}": 1.0})))
    return Family("pay", atoms, tuple(rules), tuple(measures), org_only=True)


def survey_items_family(name: str, items: list[str], dims: Mapping[str, list[str]],
                        sat_item: str | None) -> Family:
    """Answers by box for some items of one wave, and the dimensions made of them.

    A wave is split into one system per dimension (items are related only through their
    dimension's sums). The bound answers ≤ respondents, which would join every item of a unit
    into one system, is left out: the reader we model is weaker by that one inequality (README,
    "What it does not cover")."""
    atoms = tuple((f"{a}:{q}", True, True) for q in items for a in "FMUn")
    rules = tuple(({f"F:{q}": 1.0, f"M:{q}": 1.0, f"U:{q}": 1.0, f"n:{q}": -1.0}, "==", 0.0) for q in items)
    measures: list[Measure] = []
    for q in items:
        n = {f"n:{q}": 1.0}
        cols = {kpi: {"numerator": {f"{a}:{q}": 1.0}, "denominator": n, "n": n}
                for kpi, a in (("item_favourable", "F"), ("item_neutral", "M"), ("item_unfavourable", "U"))}
        # the target is the headline share; neutral and unfavourable counts stay in the relations
        measures.append(Measure(f"item:{q}", q, cols, size=n, targets=(("favourable", {f"F:{q}": 1.0}, n),)))
    for d, qs in dims.items():
        f = {f"F:{q}": 1.0 for q in qs if q in items}
        n = {f"n:{q}": 1.0 for q in qs if q in items}
        if f:
            measures.append(Measure(f"dim:{d}", d,
                                    {"dimension_favourable": {"numerator": f, "denominator": n}},
                                    targets=(("favourable", f, n),), size=n))
    if sat_item in items:
        f, n = {f"F:{sat_item}": 1.0}, {f"n:{sat_item}": 1.0}
        measures.append(Measure("staff_satisfaction_rate|", None,
                                {"staff_satisfaction_rate": {"numerator": f, "denominator": n}},
                                targets=(("favourable", f, n),), size=n))
    return Family(name, atoms, rules, tuple(measures))


def respondents_family(with_headcount: bool) -> Family:
    """Respondents R of the staff S (April-1 headcount) and the engagement sum E over nE."""
    r, s, e, ne = {"R": 1.0}, {"S": 1.0}, {"E": 1.0}, {"nE": 1.0}
    measures = [
        Measure("survey_response_rate|", None,
                {"survey_response_rate": {"numerator": r, "denominator": s, "n": r}},
                targets=(("respondents", r, s),), size=r),
        Measure("engagement_index|", None,
                {"engagement_index": {"numerator": e, "denominator": ne, "n": ne}},
                targets=(("engagement", e, None),), size=ne, continuous=True),
    ]
    if with_headcount:
        measures.append(Measure("headcount|", None, {"headcount": {"numerator": s}}))
    atoms = (("R", True, True), ("S", True, True), ("E", False, True), ("nE", True, True))
    rules = (({"nE": 1.0, "R": -1.0}, "<=", 0.0), ({"E": 1.0, "nE": -100.0}, "<=", 0.0))
    return Family("survey_respondents", atoms, rules, tuple(measures))


# ---------------------------------------------------------------------------- context
@dataclass(frozen=True)
class Context:
    """What a reader knows besides the table: the grade ladder, who counts as a manager, and
    the questionnaire (items, dimensions, the overall-satisfaction item), which staff see."""

    manager_grades: tuple[str, ...] = ("section_chief", "deputy_director", "director")
    items: pl.DataFrame | None = None
    """`period, item_id, dimension, is_sat` (survey.scores.prepare_items), or None."""
    width: int = 2
    minimums: dict[str, int] = field(default_factory=lambda: {"hr": 3, "survey": 5})
    """The smallest group a shown cell may hold (`min_group_hr`, `min_group_survey`)."""
    keep_organisation: bool = True
    """The organisation's HR figures are statutory and stay shown (`publish_small_organisation`)."""

    def keeps_organisation(self, family: str) -> bool:
        """Whether the organisation's cells of this family may not be hidden (pay cells may:
        their suppression rule is the statute's own minimum, and they exist only there)."""
        return self.keep_organisation and not family.startswith(("survey", "pay"))

    @classmethod
    def from_config(cls, config: object, items: pl.DataFrame | None = None) -> Context:
        return cls(
            manager_grades=tuple(getattr(config, "manager_grades", cls.manager_grades)),
            items=items,
            width=int(getattr(config, "protection_width", 2) or 2),
            minimums={"hr": int(getattr(config, "min_group_hr", 3)),
                      "survey": max(int(getattr(config, "min_group_survey", 5)), 3)},
            keep_organisation=bool(getattr(config, "publish_small_organisation", True)),
        )


def families_for(table: pl.DataFrame, period: str, ctx: Context) -> list[Family]:
    """The families with any row in `period` of the table (one table, one period)."""
    kpis = set(table["kpi"].unique().to_list())
    out: list[Family] = []
    grade_rows = table.filter(pl.col("kpi") == "female_share_grade")
    if kpis & {"female_share_grade", "female_share_grade_and_above", "female_manager_ratio",
               "female_staff_share"}:
        out.append(workforce_family(grade_rows["breakdown"].drop_nulls().unique().sort().to_list(),
                                    ctx.manager_grades, "female_staff_share" in kpis))
    out += [childcare_family(k, kpis) for k in ("male_childcare_leave_rate", "female_childcare_leave_rate")
            if k in kpis]
    if "childcare_leave_length_share" in kpis:
        genders = table.filter(pl.col("kpi") == "childcare_leave_length_share")["breakdown"].drop_nulls()
        out += [length_family(g) for g in sorted({b.split("|", 1)[0] for b in genders.to_list()})]
    if kpis & set(PAY_KPIS):
        cells = table.filter(pl.col("kpi").is_in(PAY_KPIS))["breakdown"].drop_nulls().unique().to_list()
        out.append(pay_family(cells))
    if "item_favourable" in kpis:
        out += _survey_items_for(table, period, ctx)
    if "survey_response_rate" in kpis:
        out.append(respondents_family(_headcount_is_staff(table)))
    return out


def _survey_items_for(table: pl.DataFrame, period: str, ctx: Context) -> list[Family]:
    """One family per dimension of the wave's questionnaire; items outside any dimension alone."""
    items = (table.filter(pl.col("kpi") == "item_favourable")["breakdown"].drop_nulls().unique().sort()
             .to_list())
    dims: dict[str, list[str]] = {}
    sat: str | None = None
    if ctx.items is not None:
        master = ctx.items.filter(pl.col("period") == period)
        for d, q in master.select("dimension", "item_id").iter_rows():
            if d is not None and q in items:
                dims.setdefault(d, []).append(q)
        sats = master.filter(pl.col("is_sat"))["item_id"].to_list()
        sat = sats[0] if sats else None
    grouped = {q for qs in dims.values() for q in qs}
    fams = [survey_items_family(f"survey:{d}", qs, {d: qs}, sat) for d, qs in sorted(dims.items())]
    fams += [survey_items_family(f"survey:{q}", [q], {}, sat) for q in items if q not in grouped]
    return fams


def _headcount_is_staff(table: pl.DataFrame) -> bool:
    """Whether the response-rate denominator equals the headcount wherever both are shown: a
    reader would see that and use it, so the audit does too (and only then)."""
    rr = table.filter((pl.col("kpi") == "survey_response_rate") & pl.col("denominator").is_not_null())
    hc = table.filter((pl.col("kpi") == "headcount") & pl.col("numerator").is_not_null())
    both = rr.join(hc, on=["unit_code", "period"], suffix="_h")
    return both.height > 0 and bool((both["denominator"] == both["numerator_h"]).all())
