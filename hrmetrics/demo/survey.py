"""The demo city's staff engagement survey (職員意識調査), one wave per FY, conducted in autumn.

Answers come from a small latent model so the analyses have something real to find: every
respondent has an engagement level (year effect + division effect + person), each dimension
adds its own factor, the work-life-balance factor falls with the division's overtime that FY,
and the outcome items (Q_SAT, Q_PRIDE, Q_STAY) load on engagement and work-life balance. Hence
heavier overtime ⇒ lower work-life balance and satisfaction, at division level. The
organisation-wide Q_SAT top-two-box share is pinned to SAT_PATH per wave (see `_answers`).

Facts tests rely on: Q12 and Q16 are reverse-coded; Q14 is reworded from FY2023 as Q14B with
an empty `equivalent_to` (a different item, not comparable across the change); the tiny office
never has more than 4 respondents; about 2 % of answers are skipped (null).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from hrmetrics.demo.city import FISCAL_YEARS, TINY_CODE
from hrmetrics.jpcalendar import fiscal_year_expr
from hrmetrics.schemas import SURVEY_ITEMS_SCHEMA

ORG_NAME = "みどり市"
REWORDED_FY = 2023

DIMENSIONS = (
    "仕事のやりがい",
    "上司・マネジメント",
    "職場の人間関係",
    "働き方・ワークライフバランス",
    "成長・キャリア",
)
OUTCOME_DIMENSION = "総合"

# item id, text, dimension index (-1 = outcome), reverse, intercept of the latent response
ITEMS: tuple[tuple[str, str, int, bool, float], ...] = (
    ("Q01", "現在の仕事にやりがいを感じている", 0, False, 0.55),
    ("Q02", "自分の能力や経験が仕事に活かされている", 0, False, 0.25),
    ("Q03", "仕事の目的や意義を理解している", 0, False, 0.85),
    ("Q04", "市民の役に立っていると実感できる", 0, False, 0.45),
    ("Q05", "上司は仕事の方針や目標を明確に示している", 1, False, 0.35),
    ("Q06", "上司は部下の意見や提案に耳を傾けている", 1, False, 0.50),
    ("Q07", "上司から仕事ぶりについて適切なフィードバックを受けている", 1, False, 0.05),
    ("Q08", "上司は公平に仕事を割り振っている", 1, False, 0.15),
    ("Q09", "職場の同僚と協力して仕事を進めている", 2, False, 0.90),
    ("Q10", "職場で気軽に相談できる人がいる", 2, False, 0.75),
    ("Q11", "職場では自由に意見を言える雰囲気がある", 2, False, 0.30),
    ("Q12", "職場内でハラスメントを見聞きすることがある", 2, True, -0.90),
    ("Q13", "業務量は適正である", 3, False, -0.10),
    ("Q14", "休暇を取得しやすい職場である", 3, False, 0.40),
    ("Q15", "仕事と生活の調和がとれている", 3, False, 0.20),
    ("Q16", "時間外勤務が恒常的に多いと感じる", 3, True, -0.20),
    ("Q17", "仕事を通じて成長していると感じる", 4, False, 0.35),
    ("Q18", "研修や自己啓発の機会が十分にある", 4, False, 0.00),
    ("Q19", "将来のキャリアの見通しを持てている", 4, False, -0.35),
    ("Q20", "人事評価の結果に納得している", 4, False, -0.05),
    ("Q_SAT", "総合的に見て、現在の職場に満足している", -1, False, 0.45),
    ("Q_PRIDE", f"{ORG_NAME}の職員として働くことに誇りを感じる", -1, False, 0.60),
    ("Q_STAY", f"今後も{ORG_NAME}で働き続けたい", -1, False, 0.75),
)
REWORDED = ("Q14", "Q14B", "必要なときに休暇や休業を取得しやすい職場である")

YEAR_EFFECT: dict[int, float] = {2019: -0.02, 2020: -0.08, 2021: -0.06, 2022: 0.0, 2023: 0.03, 2024: 0.05}
SAT_PATH: dict[int, float] = {2019: 0.475, 2020: 0.465, 2021: 0.47, 2022: 0.49, 2023: 0.50, 2024: 0.515}
"""Top-two-box share of Q_SAT by wave (FY2022 = Nishitokyo's 49.0 % baseline, rising slowly)."""
RESPONSE_RATE: dict[int, float] = {2019: 0.74, 2020: 0.72, 2021: 0.77, 2022: 0.79, 2023: 0.81, 2024: 0.83}
CUTS = np.array([-1.35, -0.45, 0.5, 1.4])
"""Latent thresholds between the five answers (1 = そう思わない … 5 = そう思う)."""
SKIP_RATE = 0.02
TINY_MAX_RESPONDENTS = 4


def wave_label(fy: int) -> str:
    return f"FY{fy}"


def wave_items(fy: int) -> list[tuple[str, str, int, bool, float]]:
    """The items asked in `fy`: Q14 is replaced by the reworded Q14B from FY2023."""
    old, new, text = REWORDED
    if fy < REWORDED_FY:
        return list(ITEMS)
    return [(new, text, d, r, b) if i == old else (i, t, d, r, b) for i, t, d, r, b in ITEMS]


def survey_items_frame() -> pl.DataFrame:
    """The canonical `survey_items` dataset (one row per item and wave)."""
    rows = [
        {
            "wave": wave_label(fy),
            "item_id": i,
            "text": t,
            "dimension": OUTCOME_DIMENSION if d < 0 else DIMENSIONS[d],
            "scale_points": 5,
            "reverse": r,
            "role": "outcome" if d < 0 else "driver",
            "equivalent_to": None,
        }
        for fy in FISCAL_YEARS
        for i, t, d, r, _ in wave_items(fy)
    ]
    return pl.DataFrame(
        rows,
        schema=SURVEY_ITEMS_SCHEMA,
    )


def _overtime_z(overtime: pl.DataFrame) -> pl.DataFrame:
    """Standardised overtime per staff of each division and FY: the survey's HR signal."""
    fy = fiscal_year_expr("month")
    per_unit = overtime.group_by(fy.alias("fy"), "unit_code").agg(
        (pl.col("hours").sum() / (pl.len() / 12)).alias("ot")
    )
    return per_unit.with_columns(
        ((pl.col("ot") - pl.col("ot").mean().over("fy")) / pl.col("ot").std().over("fy")).alias("z")
    ).select("fy", "unit_code", "z")


def survey_frame(staff: pl.DataFrame, overtime: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The canonical long `survey` dataset: wave, respondent_id, unit_code, item_id, value."""
    z = _overtime_z(overtime)
    unit_effect: dict[str, float] = {}
    waves: list[pl.DataFrame] = []
    for fy in FISCAL_YEARS:
        pop = (
            staff.filter(pl.col("as_of").dt.year() == fy)
            .select("unit_code")
            .join(z.filter(pl.col("fy") == fy), on="unit_code", how="left")
            .with_columns(pl.col("z").fill_null(0.0))
        )
        responds = rng.random(pop.height) < RESPONSE_RATE[fy]
        pop = pop.filter(pl.Series(responds))
        pop = _cap_tiny(pop, rng)
        waves.append(_answers(fy, pop, unit_effect, rng))
    return pl.concat(waves)


def _cap_tiny(pop: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Keep at most TINY_MAX_RESPONDENTS in the tiny office (its staff of five rarely all answer)."""
    key = pl.Series(rng.random(pop.height))
    return (
        pop.with_columns(key.alias("_k"))
        .filter(
            (pl.col("unit_code") != TINY_CODE)
            | (pl.col("_k").rank().over("unit_code") <= TINY_MAX_RESPONDENTS)
        )
        .drop("_k")
    )


def _answers(
    fy: int, pop: pl.DataFrame, unit_effect: dict[str, float], rng: np.random.Generator
) -> pl.DataFrame:
    """Answers of one wave's respondents to its items, as long rows (skips are null)."""
    units = pop["unit_code"].to_list()
    for code in sorted(set(units) - unit_effect.keys()):
        unit_effect[code] = float(rng.normal(0.0, 0.15))
    n = pop.height
    zu = pop["z"].to_numpy()
    theta = YEAR_EFFECT[fy] + np.array([unit_effect[c] for c in units]) - 0.15 * zu + rng.normal(0, 0.8, n)
    factors = 0.8 * theta[:, None] + 0.6 * rng.normal(0, 1, (n, len(DIMENSIONS)))
    factors[:, 3] -= 0.35 * zu  # work-life balance falls with the division's overtime
    items = wave_items(fy)
    latent = np.empty((n, len(items)))
    for j, (_, _, d, reverse, b) in enumerate(items):
        driver = factors[:, d] if d >= 0 else 0.75 * theta + 0.3 * factors[:, 3]
        latent[:, j] = (-driver if reverse else driver) + b + rng.normal(0, 0.75, n)
    sat = [i for i, *_ in items].index("Q_SAT")
    # place the satisfaction threshold so the wave's top-two-box share is SAT_PATH exactly
    # (before skips); who is satisfied still follows engagement and overtime
    latent[:, sat] += CUTS[2] - np.quantile(latent[:, sat], 1 - SAT_PATH[fy])
    values = 1 + (latent[:, :, None] > CUTS).sum(axis=2)
    skipped = rng.random(values.shape) < SKIP_RATE
    order = rng.permutation(n)
    respondent = np.char.add(str(fy), np.char.zfill((order + 1).astype(str), 4))
    k = len(items)
    return (
        pl.DataFrame(
            {
                "wave": np.full(n * k, wave_label(fy)),
                "respondent_id": np.repeat(respondent, k),
                "unit_code": np.repeat(np.array(units, dtype=object), k).astype(str),
                "item_id": np.tile(np.array([i for i, *_ in items]), n),
                "value": pl.Series(np.where(skipped, -1, values).ravel()).replace(-1, None),
            }
        )
        .with_columns(pl.col("value").cast(pl.Int64))
        .sort("respondent_id", maintain_order=True)
    )
