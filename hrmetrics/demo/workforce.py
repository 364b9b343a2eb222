"""The demo city's people and their records: roster, overtime, leave, childcare, approvals.

Staff are simulated year by year (a loop over six fiscal years; every step inside is vectorised):
April retirements and resignations, top-down promotions that keep the grade mix fixed, April
hires that refill the headcount, transfers between divisions, a few resignations and October
joiners in the middle of a year. Divisions are filled to exact targets so that the tiny office
stays tiny and the April-1 headcount is the planned one.

Everything draws from one `numpy.random.Generator`, in a fixed order, so a seed fixes the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from hrmetrics.config import GRADES
from hrmetrics.demo.city import FISCAL_YEARS, HEADCOUNT, PANDEMIC_FACTOR, Size, active_mask, scaled_staff

FEMALE_SHARE_2019 = np.array([0.45, 0.36, 0.24, 0.14, 0.10, 0.06])
"""Women's share by grade (staff … director) in the first snapshot."""
LEAVE_PROB = np.array([0.045, 0.03, 0.04, 0.10, 0.15, 0.25])
"""Probability of leaving at the end of a fiscal year, by grade (retirement dominates above)."""
EMPLOYMENT = ("regular", "fixed_term", "part_time")
OVERTIME_PATH: dict[int, float] = {
    2019: 178.0,
    2020: 196.0,
    2021: 199.0,
    2022: 191.0,
    2023: 183.0,
    2024: 174.0,
}
"""Organisation-wide overtime per staff per year (h) the generator calibrates to (FY2022 ≈
Nishitokyo's 193 h baseline; the pandemic years higher; a gentle decline after)."""
SEASON = np.array([1.35, 1.05, 0.9, 0.95, 0.8, 0.85, 0.95, 0.95, 1.0, 1.0, 1.05, 1.3])
"""Monthly overtime profile April…March: year-start and year-end peaks."""
LEAVE_MEAN: dict[int, float] = {2019: 13.0, 2020: 13.1, 2021: 13.4, 2022: 13.7, 2023: 14.0, 2024: 14.3}
MALE_UPTAKE: dict[int, float] = {2019: 0.15, 2020: 0.24, 2021: 0.33, 2022: 0.45, 2023: 0.53, 2024: 0.60}
E_RATE: dict[int, float] = {
    2018: 0.30,
    2019: 0.41,
    2020: 0.54,
    2021: 0.66,
    2022: 0.75,
    2023: 0.83,
    2024: 0.90,
}
"""E-approval rate reached in March of each FY (the year's average is about halfway from the
previous March: ~35 % in FY2019 to ~85 % in FY2024)."""
DATA_END = np.datetime64("2025-03-31")
DEPT_DIRECTORS = 3
"""Director-grade and deputy-director-grade posts per department (部長・担当部長, 次長・参事)."""


@dataclass
class People:
    """Per-person attributes (indexed by person number) and the yearly spells they produced."""

    ids: np.ndarray
    gender: np.ndarray  # 1 = female
    emp: np.ndarray  # index into EMPLOYMENT
    hire_fy: np.ndarray
    ot_factor: np.ndarray
    leave_factor: np.ndarray
    spells: pl.DataFrame
    """fy, pid, unit, grade, m_from, m_to, in_snapshot (unit/grade are indices)."""
    id_width: int = 6
    """Digits of a staff number (7 in the large size, where a year's hires exceed 9,999)."""


def _rank_within(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random rank (0, 1, …) of each element within its group, without a loop."""
    order = np.lexsort((rng.random(groups.size), groups))
    sorted_groups = groups[order]
    starts = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]] if groups.size else np.array([], bool)
    pos = np.arange(groups.size)
    start_pos = np.maximum.accumulate(np.where(starts, pos, 0)) if groups.size else pos
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = pos - start_pos
    return rank


def allocate(
    current: np.ndarray, stay: np.ndarray, targets: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Fill units to `targets`: stayers keep their unit up to its target, the rest fill vacancies.

    `current` is each person's unit index (-1 = none); `targets` has one entry per unit (0 for a
    unit that does not exist this year). If there are more people than posts, the surplus goes to
    units in proportion to their targets, as over-establishment does in real life.
    """
    n_units = targets.size
    keep = stay & (current >= 0)
    keep[keep] = targets[current[keep]] > 0
    kept_idx = np.flatnonzero(keep)
    rank = _rank_within(current[kept_idx], rng)
    keep[kept_idx[rank >= targets[current[kept_idx]]]] = False
    vacancies = np.clip(targets - np.bincount(current[keep], minlength=n_units), 0, None)
    slots = np.repeat(np.arange(n_units), vacancies)
    pool = np.flatnonzero(~keep)
    if pool.size > slots.size:
        extra = rng.choice(n_units, size=pool.size - slots.size, p=targets / targets.sum())
        slots = np.concatenate([slots, extra])
    rng.shuffle(slots)
    result = current.copy()
    result[pool] = slots[: pool.size]
    return result


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to `weights` that add up to `total` exactly."""
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype(np.int64)
    short = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:short]] += 1
    return base


def _year_targets(units: pl.DataFrame, fy: int, headcount: int) -> dict[str, np.ndarray]:
    """Posts by unit for one fiscal year: non-managers, section chiefs, department-level posts."""
    active = active_mask(units, fy).to_numpy()
    is_div = units["is_division"].to_numpy() & active
    is_dept = ~units["is_division"].to_numpy() & active
    size = units["size"].to_numpy().astype(float)
    section = np.where(is_div, np.maximum(1, np.round(size * 0.07)), 0).astype(np.int64)
    dept = np.where(is_dept, DEPT_DIRECTORS, 0).astype(np.int64)
    n_nm = headcount - section.sum() - 2 * dept.sum()
    nm = _largest_remainder(np.where(is_div, size, 0.0), int(n_nm))
    return {"nm": nm, "section": section, "dept": dept}


def _grade_counts(t: dict[str, np.ndarray], headcount: int) -> np.ndarray:
    """Exact number of people per grade: the grade mix of the contract (≈60/20/9/7/2/2 %)."""
    director = deputy = int(t["dept"].sum())
    section = int(t["section"].sum())
    assistant = round(headcount * 0.09)
    unit_chief = round(headcount * 0.20)
    staff = headcount - director - deputy - section - assistant - unit_chief
    return np.array([staff, unit_chief, assistant, section, deputy, director])


def _promote(
    grade: np.ndarray,
    active: np.ndarray,
    eligible: np.ndarray,
    gender: np.ndarray,
    counts: np.ndarray,
    women_share: float,
    rng: np.random.Generator,
) -> None:
    """Fill each grade's vacancies from the grade below, top down.

    Into management (section chief and above) a set share of the promoted are women
    (`women_share`, rising each year: the policy lever behind the ~12 % → ~20 % women's share in
    management); below that, promotion ignores gender. Fixing the count rather than drawing it
    keeps the small manager population (~120 people) from making the trend jump around.
    """
    for g in range(len(GRADES) - 1, 0, -1):
        deficit = max(counts[g] - int(np.sum(active & (grade == g))), 0)
        candidates = np.flatnonzero(active & eligible & (grade == g - 1))
        if deficit == 0 or candidates.size == 0:
            continue
        if g < 3:
            grade[rng.choice(candidates, size=min(deficit, candidates.size), replace=False)] = g
            continue
        women = candidates[gender[candidates] == 1]
        men = candidates[gender[candidates] == 0]
        k_women = min(round(deficit * women_share), women.size)
        k_men = min(deficit - k_women, men.size)
        grade[rng.choice(women, size=k_women, replace=False)] = g
        grade[rng.choice(men, size=k_men, replace=False)] = g


def headcount(units: pl.DataFrame, size: Size) -> tuple[int, ...]:
    """April-1 headcount by FY: the demo's planned one, else N non-managers + every manager post."""
    if size in HEADCOUNT:
        return HEADCOUNT[str(size)]
    staff = int(scaled_staff(size) or 0)
    posts = [_year_targets(units, fy, staff) for fy in FISCAL_YEARS]  # posts do not depend on N
    return tuple(staff + int(t["section"].sum() + 2 * t["dept"].sum()) for t in posts)


def _id_space(size: Size, heads: tuple[int, ...]) -> int:
    """Staff numbers per hiring year (`per_year`): a year's hires must stay below half of it."""
    if size == "demo":
        return 10_000
    return 10_000 if max(heads) <= 20_000 else 100_000 if max(heads) <= 300_000 else 1_000_000


def simulate_people(units: pl.DataFrame, size: Size, rng: np.random.Generator) -> People:
    """Six April-1 snapshots and the year's spells (who worked where, which months)."""
    heads = headcount(units, size)
    per_year = _id_space(size, heads)
    successor = _successor_index(units)
    is_div = units["is_division"].to_numpy()
    t0 = _year_targets(units, FISCAL_YEARS[0], heads[0])
    counts = _grade_counts(t0, heads[0])
    n = heads[0]
    grade = np.repeat(np.arange(len(GRADES)), counts)
    gender = (rng.random(n) < FEMALE_SHARE_2019[grade]).astype(np.int8)
    emp = np.where(grade == 0, rng.choice(3, size=n, p=[0.85, 0.07, 0.08]), 0)
    # seniority: the highest grades got the lowest (oldest) staff numbers and hiring years
    hire_fy = np.sort(rng.integers(1985, FISCAL_YEARS[0], size=n))[::-1]
    # staff numbers of people hired before FY2019 lie below FY2019's first hire
    pool = 189_900 if n <= 150_000 else (FISCAL_YEARS[0] % 100) * per_year - 100
    ids = np.sort(rng.choice(pool, size=n, replace=False) + 100)[::-1]
    unit = np.full(n, -1)
    active = np.ones(n, dtype=bool)
    leaving = np.zeros(n, dtype=bool)
    spells: list[pl.DataFrame] = []
    for i, fy in enumerate(FISCAL_YEARS):
        t = _year_targets(units, fy, heads[i])
        if i > 0:
            counts = _grade_counts(t, heads[i])
            quit_now = leaving | (rng.random(grade.size) < np.where(emp > 0, 0.25, LEAVE_PROB[grade]))
            active &= ~quit_now
            _promote(grade, active, emp == 0, gender, counts, 0.18 + 0.03 * i, rng)
            n_hire = max(0, counts[0] - int(np.sum(active & (grade == 0))))
            new = _new_people(n_hire, fy, 0.50 + 0.005 * i, rng, per_year, seq_start=0)
            ids, gender, emp, hire_fy = _grow((ids, gender, emp, hire_fy), new)
            grade = np.concatenate([grade, np.zeros(n_hire, dtype=grade.dtype)])
            unit = np.concatenate([unit, np.full(n_hire, -1)])
            active = np.concatenate([active, np.ones(n_hire, dtype=bool)])
            unit = np.where(
                (unit >= 0) & (successor[np.maximum(unit, 0)] >= 0), successor[np.maximum(unit, 0)], unit
            )
        unit = _assign_units(unit, grade, active, t, is_div, rng)
        m_to = np.full(grade.size, 11)
        mid_leave = active & (grade == 0) & (rng.random(grade.size) < 0.01)
        m_to[mid_leave] = rng.integers(2, 11, size=int(mid_leave.sum()))
        leaving = mid_leave
        snap = np.flatnonzero(active)
        spells.append(_spell_frame(fy, snap, unit, grade, 0, m_to, True))
        # October joiners: in this year's overtime from October, in next April's roster.
        n_join = round(heads[i] * 0.008)
        new = _new_people(n_join, fy, 0.50, rng, per_year, seq_start=per_year // 2)
        ids, gender, emp, hire_fy = _grow((ids, gender, emp, hire_fy), new)
        join_unit = rng.choice(t["nm"].size, size=n_join, p=t["nm"] / t["nm"].sum())
        grade = np.concatenate([grade, np.zeros(n_join, dtype=grade.dtype)])
        unit = np.concatenate([unit, join_unit])
        active = np.concatenate([active, np.ones(n_join, dtype=bool)])
        leaving = np.concatenate([leaving, np.zeros(n_join, dtype=bool)])
        joiners = np.arange(grade.size - n_join, grade.size)
        spells.append(_spell_frame(fy, joiners, unit, grade, 6, np.full(grade.size, 11), False))
    n_all = ids.size
    ot_factor = rng.lognormal(-(0.3**2) / 2, 0.3, size=n_all)
    leave_factor = rng.normal(0.0, 3.0, size=n_all)
    width = len(str(per_year)) + 1  # 6 digits for the demo, 7 for 100,000 staff
    return People(ids, gender, emp, hire_fy, ot_factor, leave_factor, pl.concat(spells), width)


def _successor_index(units: pl.DataFrame) -> np.ndarray:
    """Row index of each unit's successor (-1 if none): where staff of a closed unit go."""
    codes = units["unit_code"].to_list()
    pos = {c: i for i, c in enumerate(codes)}
    return np.array([pos.get(s, -1) if s is not None else -1 for s in units["successor_code"].to_list()])


def _new_people(
    n: int, fy: int, female: float, rng: np.random.Generator, per_year: int, seq_start: int
) -> tuple:
    """Attributes of `n` new hires in `fy`; ids encode the hiring year (`200001` = FY2020).

    April hires count up from 1, October joiners from `per_year // 2`; a year never hires
    `per_year // 2` people, so ids cannot collide.
    """
    if n > per_year // 2:
        raise ValueError(f"too many hires in FY{fy} for {per_year}-wide staff numbers: {n}")
    ids = (fy % 100) * per_year + seq_start + 1 + np.arange(n)
    gender = (rng.random(n) < female).astype(np.int8)
    emp = rng.choice(3, size=n, p=[0.86, 0.04, 0.10])
    return ids, gender, emp, np.full(n, fy)


def _grow(arrays: tuple, new: tuple) -> tuple:
    return tuple(np.concatenate([a, b.astype(a.dtype)]) for a, b in zip(arrays, new, strict=True))


def _assign_units(
    unit: np.ndarray,
    grade: np.ndarray,
    active: np.ndarray,
    t: dict[str, np.ndarray],
    is_div: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Transfers and placements for one April: each grade band fills its own posts."""
    out = np.where(active, unit, -1)
    bands = (
        (grade <= 2, t["nm"], True, 0.18),
        (grade == 3, t["section"], True, 0.3),
        (grade >= 4, 2 * t["dept"], False, 0.3),  # directors and deputies sit in the 部
    )
    for in_band, targets, in_division, transfer in bands:
        idx = np.flatnonzero(active & in_band)
        cur = unit[idx]
        # a newly promoted section chief or director never stays in a post of the wrong level
        right_level = (cur >= 0) & (is_div[np.maximum(cur, 0)] == in_division)
        stay = right_level & (rng.random(idx.size) >= transfer)
        out[idx] = allocate(np.where(right_level, cur, -1), stay, targets, rng)
    return out


def _spell_frame(
    fy: int,
    idx: np.ndarray,
    unit: np.ndarray,
    grade: np.ndarray,
    m_from: int,
    m_to: np.ndarray,
    in_snapshot: bool,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "fy": np.full(idx.size, fy, dtype=np.int64),
            "pid": idx.astype(np.int64),
            "unit": unit[idx].astype(np.int64),
            "grade": grade[idx].astype(np.int64),
            "m_from": np.full(idx.size, m_from, dtype=np.int64),
            "m_to": m_to[idx].astype(np.int64),
            "in_snapshot": np.full(idx.size, in_snapshot),
        }
    )


def person_table(people: People) -> pl.DataFrame:
    """pid → staff_id (6 digits, leading zeros kept), gender, employment type, hire FY, factors."""
    return pl.DataFrame(
        {
            "pid": np.arange(people.ids.size, dtype=np.int64),
            "staff_id": people.ids.astype(np.int64),
            "gender": np.where(people.gender == 1, "female", "male"),
            "employment_type": np.array(EMPLOYMENT)[people.emp],
            "hire_fy": people.hire_fy.astype(np.int64),
            "ot_factor": people.ot_factor,
            "leave_factor": people.leave_factor,
        }
    ).with_columns(pl.col("staff_id").cast(pl.String).str.zfill(people.id_width))


def _with_codes(frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Replace the unit index by its code and attach the unit's overtime level."""
    lookup = units.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("unit"), "unit_code", "overtime", "is_division"
    )
    return frame.join(lookup, on="unit", how="left")


def staff_frame(people: People, units: pl.DataFrame) -> pl.DataFrame:
    """The canonical `staff` dataset: one row per person per April-1 snapshot."""
    snap = people.spells.filter(pl.col("in_snapshot"))
    return (
        _with_codes(snap, units)
        .join(person_table(people), on="pid")
        .select(
            pl.date(pl.col("fy"), 4, 1).alias("as_of"),
            "staff_id",
            "unit_code",
            pl.col("grade").replace_strict(dict(enumerate(GRADES)), return_dtype=pl.String),
            "gender",
            "employment_type",
        )
        .sort("as_of", "unit_code", "staff_id")
    )


ONE_PASS_ROWS = 20_000_000
"""Up to this many overtime rows are drawn in one pass (the demo and 100,000 staff: their data
stay as they were); beyond it, one fiscal year at a time, so that the ~20 temporary arrays per
row stay within a few GB at 1,000,000 staff (72 M rows)."""


def overtime_frame(people: People, units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The canonical `overtime` dataset: every month a non-manager was in a division, 0 h included.

    Hours are drawn per row (zero months, gamma-distributed positive months) and then scaled per
    fiscal year so that the organisation-wide hours per staff per year follow OVERTIME_PATH.
    """
    sp = people.spells.filter(pl.col("grade") <= 2)
    rows = int((sp["m_to"] - sp["m_from"] + 1).sum())
    if rows <= ONE_PASS_ROWS:
        return _overtime_rows(sp, people, units, rng)
    return pl.concat([_overtime_rows(sp.filter(pl.col("fy") == fy), people, units, rng)
                      for fy in FISCAL_YEARS])


def _overtime_rows(sp: pl.DataFrame, people: People, units: pl.DataFrame,
                   rng: np.random.Generator) -> pl.DataFrame:
    """Overtime rows of the spells `sp`, sorted by month, unit code and staff number."""
    lengths = (sp["m_to"] - sp["m_from"] + 1).to_numpy()
    rows = np.repeat(np.arange(sp.height), lengths)
    offsets = np.arange(rows.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    m = sp["m_from"].to_numpy()[rows] + offsets
    fy = sp["fy"].to_numpy()[rows]
    pid = sp["pid"].to_numpy()[rows]
    unit = sp["unit"].to_numpy()[rows]
    grade = sp["grade"].to_numpy()[rows]
    emp = people.emp[pid]
    base = units["overtime"].to_numpy()[unit]
    health = units["health"].to_numpy()[unit]
    pandemic = np.ones(rows.size)
    for year, factor in PANDEMIC_FACTOR.items():
        pandemic[health & (fy == year)] = factor
    mean = (
        base
        * pandemic
        * SEASON[m]
        / SEASON.mean()
        * np.array([1.0, 1.2, 1.3])[grade]
        * np.array([1.0, 0.5, 0.15])[emp]
        * people.ot_factor[pid]
    )
    p_zero = np.array([0.08, 0.35, 0.75])[emp]
    shape = 4.0
    hours = np.where(rng.random(rows.size) < p_zero, 0.0, rng.gamma(shape, mean / (shape * (1 - p_zero))))
    year_index = fy - FISCAL_YEARS[0]
    with np.errstate(invalid="ignore"):  # years absent from `sp` (one FY at a time): 0/0, unused
        row_mean = np.bincount(year_index, weights=hours, minlength=len(FISCAL_YEARS)) / np.bincount(
            year_index, minlength=len(FISCAL_YEARS))
    target = np.array([OVERTIME_PATH[y] for y in FISCAL_YEARS])
    hours = np.clip(np.round(hours * (target / (12 * row_mean))[year_index] * 4) / 4, 0, 150)
    # sort numerically (month, unit code, staff number): sorting 7 M strings would dominate
    code_rank = np.argsort(np.argsort(units["unit_code"].to_numpy()))
    id_room = max(10_000_000, 10 ** people.id_width)  # above every staff number
    key = ((fy * 12 + m) * units.height + code_rank[unit]) * id_room + people.ids[pid]
    order = np.argsort(key, kind="stable")
    months = ((fy - 1970) * 12 + 3 + m)[order].astype("datetime64[M]").astype("datetime64[D]")
    return pl.DataFrame(
        {
            "staff_id": person_table(people)["staff_id"].gather(pid[order]),
            "month": pl.Series(months).cast(pl.Date),
            "unit_code": units["unit_code"].gather(unit[order]),
            "hours": hours[order],
        }
    )


def leave_frame(people: People, units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The canonical `leave` dataset: annual leave per calendar year, plus a few summer-leave rows.

    Population of leave year y: the April-1 roster of y (managers included). Granted 20 days
    (15 in the calendar year of hiring, 10 for part-time); carry-over = the previous year's grant
    left unused (days taken use the carried days first), at most 20. Staff in heavy-overtime
    divisions and managers take fewer days, so the survey×HR link has a leave signal too.
    """
    base = _with_codes(people.spells.filter(pl.col("in_snapshot")), units).join(
        person_table(people), on="pid"
    )
    years: list[pl.DataFrame] = []
    prev: pl.DataFrame | None = None
    for fy in FISCAL_YEARS:
        cur = base.filter(pl.col("fy") == fy)
        n = cur.height
        granted = np.where(
            cur["employment_type"].to_numpy() == "part_time",
            10.0,
            np.where(cur["hire_fy"].to_numpy() == fy, 15.0, 20.0),
        )
        level = np.where(cur["is_division"].to_numpy(), cur["overtime"].to_numpy(), 13.0)
        raw = (
            LEAVE_MEAN[fy]
            + cur["leave_factor"].to_numpy()
            + rng.normal(0.0, 2.0, n)
            - 0.12 * (level - 13.0)
            - 1.5 * (cur["grade"].to_numpy() >= 3)
        )
        raw = raw * granted / 20.0
        cur = cur.with_columns(granted_days=pl.Series(granted), raw=pl.Series(raw))
        if prev is None:
            cur = cur.with_columns(
                pl.when(pl.col("hire_fy") == fy)
                .then(0.0)
                .otherwise(pl.Series(np.clip(np.round(2 * (20.0 - rng.normal(12.5, 4.0, n))) / 2, 0, 20)))
                .alias("carryover_days")
            )
        else:
            carry = (pl.col("p_granted") - (pl.col("p_days") - pl.col("p_carry")).clip(0, None)).clip(0, 20)
            cur = cur.join(prev, on="pid", how="left").with_columns(
                carry.fill_null(0.0).alias("carryover_days")
            )
        cur = cur.with_columns(
            (pl.col("raw").clip(0, None) * 2)
            .round()
            .truediv(2)
            .clip(0, pl.col("granted_days") + pl.col("carryover_days"))
            .alias("days")
        )
        prev = cur.select("pid", p_granted="granted_days", p_days="days", p_carry="carryover_days")
        years.append(cur)
    annual = pl.concat(years, how="diagonal").select(
        "staff_id",
        pl.col("fy").alias("year"),
        "unit_code",
        pl.lit("annual").alias("leave_type"),
        "days",
        "granted_days",
        "carryover_days",
    )
    last = annual.filter(pl.col("year") == FISCAL_YEARS[-1])
    pick = rng.random(last.height) < 0.05
    summer = last.filter(pl.Series(pick)).with_columns(
        pl.lit("summer").alias("leave_type"),
        pl.Series(rng.integers(1, 6, int(pick.sum())).astype(float)).alias("days"),
        pl.lit(5.0).alias("granted_days"),
        pl.lit(None, pl.Float64).alias("carryover_days"),
    )
    return pl.concat([annual, summer]).sort("year", "leave_type", "unit_code", "staff_id")


def _exact_share(mask: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """A random round(share × n) of the `mask` elements: with ~20 fathers a year, independent
    draws would make the uptake series jump (5 % one year, 40 % the next) and hide the trend."""
    idx = np.flatnonzero(mask)
    pick = np.zeros(mask.size, dtype=bool)
    pick[rng.permutation(idx)[: round(share * idx.size)]] = True
    return pick


def childcare_frame(people: People, units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The canonical `childcare` dataset: staff whose child was born, with the leave they took.

    ~36 births a year per 1,200 staff among regular staff below assistant chief. Mothers take
    leave after the 8-week maternity period (97 %); exactly MALE_UPTAKE[fy] of fathers take
    leave, most within a month of the birth and a fifth two to five months after it, so some
    leaves start in the next FY. A leave that would start after the data's end (2025-03-31) is
    not yet known: empty, as in a real export.
    """
    snap = _with_codes(people.spells.filter(pl.col("in_snapshot")), units).join(
        person_table(people), on="pid"
    )
    scale = snap.filter(pl.col("fy") == FISCAL_YEARS[0]).height / 1200
    frames: list[pl.DataFrame] = []
    for fy in FISCAL_YEARS:
        cand = snap.filter(
            (pl.col("fy") == fy) & (pl.col("grade") <= 1) & (pl.col("employment_type") == "regular")
        )
        k = min(int(rng.poisson(36 * scale)), cand.height)
        chosen = cand[np.sort(rng.choice(cand.height, size=k, replace=False))]
        birth = np.datetime64(f"{fy}-04-01") + rng.integers(0, 365, k).astype("timedelta64[D]")
        female = chosen["gender"].to_numpy() == "female"
        takes = np.where(female, rng.random(k) < 0.97, _exact_share(~female, MALE_UPTAKE[fy], rng))
        paternity = np.where(rng.random(k) < 0.8, rng.integers(0, 31, k), rng.integers(60, 151, k))
        delay = np.where(female, 57, paternity).astype("timedelta64[D]")
        start = birth + delay
        short = rng.random(k) < 0.7
        days = np.where(
            female,
            rng.integers(240, 541, k),
            np.where(short, rng.integers(5, 32, k), rng.integers(60, 182, k)),
        ).astype(float)
        known = takes & (start <= DATA_END)
        frames.append(
            chosen.select("staff_id", "unit_code", "gender").with_columns(
                pl.Series("birth_date", birth).cast(pl.Date),
                pl.Series("leave_start", np.where(known, start, np.datetime64("NaT"))).cast(pl.Date),
                pl.Series("leave_days", np.where(known, days, np.nan)).fill_nan(None),
            )
        )
    return pl.concat(frames).sort("birth_date", "staff_id")


def approvals_frame(units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The canonical `approvals` dataset: electronic and paper approvals per division and month.

    The e-rate climbs from ~35 % (FY2019) to ~85 % (FY2024) month by month; each division sits
    above or below the organisation by a persistent offset (some keep paper much longer).
    """
    offset = rng.normal(0.0, 0.45, units.height)
    frames: list[pl.DataFrame] = []
    for fy in FISCAL_YEARS:
        div = np.flatnonzero(active_mask(units, fy).to_numpy() & units["is_division"].to_numpy())
        u = np.repeat(div, 12)
        m = np.tile(np.arange(12), div.size)
        rate = E_RATE[fy - 1] + (E_RATE[fy] - E_RATE[fy - 1]) * (m + 1) / 12
        logit = np.log(rate / (1 - rate)) + offset[u]
        total = rng.poisson((3.0 + 2.2 * units["size"].to_numpy()[u]) * SEASON[m])
        electronic = rng.binomial(total, 1 / (1 + np.exp(-logit)))
        frames.append(
            pl.DataFrame(
                {
                    "unit_code": units["unit_code"].to_numpy()[u],
                    "month": pl.date_range(
                        pl.date(fy, 4, 1), pl.date(fy + 1, 3, 1), "1mo", eager=True
                    ).to_numpy()[m],
                    "electronic": electronic.astype(np.int64),
                    "paper": (total - electronic).astype(np.int64),
                }
            )
        )
    return pl.concat(frames).with_columns(pl.col("month").cast(pl.Date)).sort("month", "unit_code")
