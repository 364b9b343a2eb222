"""The demo city's exports for the statutory publication: hires, exam applicants, separations,
annual pay, spouse-birth / childcare-participation leave, and the roster's employment class and
hire date. All are derived from the simulated people (`workforce.People`), so they agree with the
roster: a hire is someone who appears, a separation someone who disappears, a pay row a person's
year on the payroll.

Pay is plausible for a Tokyo-area city and the same for women and men at a given grade and
service (a base by grade, a seniority step, overtime pay from the overtime export), so the
permanent-staff gap comes from the grade mix, as it mostly does in real publications.
会計年度任用職員 are mostly women on short hours; the few part-time men are mostly 再任用 (older
staff re-employed after retirement), a handful 会計年度任用.

Everything draws from one `numpy.random.Generator` in a fixed order.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from hrmetrics.config import GRADES
from hrmetrics.demo.city import FISCAL_YEARS
from hrmetrics.demo.workforce import People, person_table
from hrmetrics.jpcalendar import fiscal_year_expr

BASE_PAY = dict(zip(GRADES, (4_300_000, 6_200_000, 7_200_000, 8_500_000, 9_300_000, 10_100_000),
                    strict=True))
"""Annual pay (yen, bonuses included, 通勤手当 excluded) at service year 1 of each grade."""
STEP = 45_000
"""Pay rise per year of service (capped at 30 years)."""
OVERTIME_RATE = 2_700
"""Yen per overtime hour (時間外勤務手当, averaged over rates)."""
KAIKEI_HOURLY = 1_250
PAY_YEARS = (2022, 2023, 2024)
EXAMS = (("一般事務", 8.0, 0.48), ("土木", 3.0, 0.18), ("建築", 2.5, 0.25), ("保健師", 4.0, 0.95))
"""(exam, applicants per hire, women's share of applicants)."""


def employment_class(people: People) -> pl.DataFrame:
    """pid → employment_class: regular → permanent, fixed_term → fixed_term, part_time → kaikei
    for women and one man in four, reappointed for the other men (re-employed retirees)."""
    p = person_table(people)
    few_men = pl.col("staff_id").str.slice(-2).cast(pl.Int64) % 4 == 0
    return p.select("pid", employment_class=pl.when(pl.col("employment_type") == "regular")
                    .then(pl.lit("permanent"))
                    .when(pl.col("employment_type") == "fixed_term").then(pl.lit("fixed_term"))
                    .when((pl.col("gender") == "female") | few_men).then(pl.lit("kaikei"))
                    .otherwise(pl.lit("reappointed")))


def hire_dates(people: People) -> pl.DataFrame:
    """pid → hire_date: April 1 of the hiring FY, October 1 for October joiners."""
    first = people.spells.group_by("pid").agg(pl.col("fy").min().alias("_fy0"),
                                               pl.col("m_from").sort_by("fy").first().alias("_m0"))
    p = person_table(people).join(first, on="pid", how="left")
    october = ((pl.col("_fy0") == pl.col("hire_fy")) & (pl.col("_m0") == 6)
               & (pl.col("hire_fy") >= FISCAL_YEARS[0]))
    return p.select("pid", "staff_id", hire_date=pl.when(october).then(pl.date(pl.col("hire_fy"), 10, 1))
                    .otherwise(pl.date(pl.col("hire_fy"), 4, 1)))


def staff_extras(staff: pl.DataFrame, people: People) -> pl.DataFrame:
    """The roster with `employment_class` and `hire_date` (columns a roster export often has)."""
    extra = hire_dates(people).join(employment_class(people), on="pid").drop("pid")
    return staff.join(extra, on="staff_id", how="left", maintain_order="left")


def hires_frame(people: People, rng: np.random.Generator) -> pl.DataFrame:
    """Everyone hired from FY2019: April hires mostly new graduates, October joiners experienced."""
    h = hire_dates(people).join(person_table(people), on=["pid", "staff_id"]).join(
        employment_class(people), on="pid").filter(pl.col("hire_date") >= pl.date(FISCAL_YEARS[0], 4, 1))
    h = h.sort("hire_date", "staff_id")
    n = h.height
    job = np.array([e for e, _, _ in EXAMS])[rng.choice(len(EXAMS), size=n, p=[0.72, 0.12, 0.06, 0.10])]
    experienced = (h["hire_date"].dt.month() == 10).to_numpy() | (rng.random(n) < 0.15)
    return h.select("staff_id", "hire_date", "gender", "employment_class").with_columns(
        job_category=pl.Series(job), route=pl.Series(np.where(experienced, "experienced", "new_graduate")),
    ).sort("hire_date", "staff_id")


def exam_frame(hires: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Applicants by exam, FY and gender, scaled from the next April's hires of that exam."""
    rows = []
    for fy in FISCAL_YEARS:
        hired = hires.filter(pl.col("hire_date").dt.year() == fy + 1)
        for exam, per_hire, women in EXAMS:
            k = max(1, hired.filter(pl.col("job_category") == exam).height)
            total = int(rng.poisson(k * per_hire * 1.0)) + k
            f = int(rng.binomial(total, women))
            for gender, applicants in (("female", f), ("male", total - f)):
                passed = min(applicants, round(k * applicants / total) if total else 0)
                rows.append((fy, exam, gender, applicants, passed))
    return pl.DataFrame(rows, schema={"year": pl.Int64, "exam": pl.String, "gender": pl.String,
                                      "applicants": pl.Int64, "passed": pl.Int64}, orient="row")


def separations_frame(people: People, rng: np.random.Generator) -> pl.DataFrame:
    """Who left: on the roster in FY y and not in FY y+1 → March 31 of y; mid-year leavers at
    the end of their last month; FY2024's year-end leavers (no FY2025 roster) are the senior
    staff hired before FY1988 (定年) and 3 % of the rest, drawn here."""
    sp = people.spells
    snap = sp.filter(pl.col("in_snapshot")).select("fy", "pid", "grade", "m_to")
    nxt = snap.select(pl.col("fy") - 1, "pid").with_columns(_stays=pl.lit(True))
    p = person_table(people).select("pid", "staff_id", "gender", "hire_fy")
    last = FISCAL_YEARS[-1]
    out = snap.join(nxt, on=["fy", "pid"], how="left").join(p, on="pid").sort("fy", "pid")
    draw = pl.Series(rng.random(out.height))
    gone = out.with_columns(_draw=draw).filter(
        (pl.col("m_to") < 11) | ((pl.col("fy") < last) & pl.col("_stays").is_null())
        | ((pl.col("fy") == last) & ((pl.col("hire_fy") <= 1987) | (pl.col("_draw") < 0.03))))
    end_month = pl.col("m_to") + 4  # fiscal month index 0 = April
    date = pl.when(pl.col("m_to") < 11).then(
        pl.date(pl.col("fy") + (end_month > 12).cast(pl.Int64), (end_month - 1) % 12 + 1, 1)
        .dt.month_end()).otherwise(pl.date(pl.col("fy") + 1, 3, 31))
    retire = (pl.col("fy") - pl.col("hire_fy") >= 36) | ((pl.col("grade") >= 3) & (pl.col("hire_fy") <= 1987))
    return gone.select(
        "staff_id", separation_date=date, gender="gender",
        reason=pl.when(retire).then(pl.lit("retirement")).otherwise(pl.lit("voluntary")),
    ).unique(["staff_id", "separation_date"]).sort("separation_date", "staff_id")


def pay_frame(people: People, overtime: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Annual pay per person and FY (FY2022–2024): base by grade + seniority + overtime pay,
    prorated by months on the payroll; 会計年度任用 by hours, 再任用 and 任期付 at set levels."""
    sp = people.spells.filter(pl.col("fy").is_in(list(PAY_YEARS)))
    spells = sp.group_by("fy", "pid").agg(pl.col("grade").max(),
                                          months=(pl.col("m_to") - pl.col("m_from") + 1).sum())
    p = (person_table(people).join(employment_class(people), on="pid")
         .join(hire_dates(people), on=["pid", "staff_id"]))
    fy = fiscal_year_expr("month").cast(pl.Int64)
    ot = overtime.with_columns(fy=fy).group_by("staff_id", "fy").agg(ot_hours=pl.col("hours").sum())
    df = spells.join(p, on="pid").join(ot, on=["staff_id", "fy"], how="left").sort("fy", "staff_id")
    n = df.height
    noise = rng.normal(1.0, 0.03, n)
    hours = rng.choice([19.375, 29.0, 31.0], size=n, p=[0.5, 0.3, 0.2])
    grade = df["grade"].to_numpy()
    service = np.minimum(df["fy"].to_numpy() - df["hire_fy"].to_numpy() + 1, 30)
    base = np.array([BASE_PAY[g] for g in GRADES])[grade] + STEP * np.maximum(service - 1, 0)
    cls = df["employment_class"].to_numpy()
    annual = np.select(
        [cls == "kaikei", cls == "reappointed", cls == "fixed_term"],
        [KAIKEI_HOURLY * hours * 52 * 1.25, 0.68 * BASE_PAY["unit_chief"] * np.ones(n),
         5_200_000 * np.ones(n)],
        base)
    months = df["months"].to_numpy()
    ot_pay = df["ot_hours"].fill_null(0).to_numpy() * OVERTIME_RATE
    pay = np.round((annual * noise * np.minimum(months, 12) / 12 + ot_pay) / 100) * 100
    return df.select(
        "staff_id", year=pl.col("fy").cast(pl.Int64), employment_class="employment_class",
        grade=pl.col("grade").replace_strict(dict(enumerate(GRADES)), return_dtype=pl.String),
        gender="gender", hire_date="hire_date",
    ).with_columns(
        annual_pay=pl.Series(pay),
        scheduled_hours=pl.Series(np.where(cls == "kaikei", hours, 38.75)),
    ).sort("year", "staff_id")


def spouse_leave_frame(childcare: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Fathers' 配偶者出産休暇 (up to 3 days, 85 %) and 育児参加休暇 (up to 5 days, 55 %), in the
    calendar year of the birth (the demo counts leave by calendar year); rows in the leave
    export's shape."""
    men = childcare.filter(pl.col("gender") == "male").unique(["staff_id"], keep="last", maintain_order=True)
    n = men.height
    kinds = []
    for kind, share, most in (("spouse_birth", 0.85, 3), ("childcare_participation", 0.55, 5)):
        took = rng.random(n) < share
        days = rng.integers(1, most + 1, n).astype(float)
        kinds.append(men.filter(pl.Series(took)).select(
            "staff_id", year=pl.col("birth_date").dt.year().cast(pl.Int64), unit_code="unit_code",
            leave_type=pl.lit(kind), days=pl.Series(days[took]),
            granted_days=pl.lit(None, dtype=pl.Float64), carryover_days=pl.lit(None, dtype=pl.Float64)))
    return pl.concat(kinds)
