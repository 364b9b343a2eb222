# ruff: noqa: E501  (bilingual one-line definitions read better unwrapped; Japanese is double-width)
"""Every KPI declared once: id, names, unit, direction, period type and exact definition.

The plan layer checks plan files against this catalogue, reports take labels from it, and the
engine looks up how to compute each id (see `hrmetrics.kpis.engine`). Adding a KPI means adding
one `KPI(...)` here and its computation in the domain module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

Direction = Literal["higher", "lower", "none"]
PeriodType = Literal["fiscal_year", "leave_year", "month", "snapshot", "wave"]


@dataclass(frozen=True)
class KPI:
    id: str
    name_ja: str
    name_en: str
    unit: str
    direction: Direction
    period_type: PeriodType
    dataset: str
    definition_ja: str
    definition_en: str
    additive: bool = True
    """True when numerator and denominator are sums over people/records, so a parent's value is
    the denominator-weighted combination of its children's (checked by a property test)."""
    levels: tuple[str, ...] = ("organisation", "department", "division")
    """The levels the KPI is published at. Women's share per single grade is published for the
    organisation only: below it a grade holds one or two people (one 課長 per division), so the
    rows would be almost all hidden, and beside "grade and above" they give each grade away by
    subtraction (the disclosure audit measured it). Divisions and departments get the ladder.
    Likewise the female manager ratio stops at departments: a division's managers are its 課長,
    one person, so the ratio would only ever say whether that person is a woman; a division's
    ladder stops below the manager grades for the same reason (`unpublished`)."""

    def label(self, lang: str = "ja") -> str:
        return self.name_ja if lang == "ja" else self.name_en


_K = KPI
CATALOG: tuple[KPI, ...] = (
    # --- overtime (fiscal year) ---
    _K("overtime_hours_per_staff", "職員一人当たり年間時間外勤務時間", "Overtime hours per staff per year",
       "h", "lower", "fiscal_year", "overtime",
       "年度内の時間外勤務時間の合計 ÷ 対象職員数（各職員を当該所属の実績行がある月数/12 人として数える。0時間の行を含む）",
       "Overtime hours in the FY ÷ staff in scope, each counted as (months with an overtime row in "
       "that unit, 0-hour rows included) / 12"),
    _K("overtime_hours_per_staff_month", "職員一人当たり月間時間外勤務時間", "Overtime hours per staff per month",
       "h", "lower", "month", "overtime",
       "当月の時間外勤務時間の合計 ÷ 当月に実績行のある職員数",
       "Overtime hours in the month ÷ staff with an overtime row that month"),
    _K("overtime_over_45h_month_staff", "月45時間超の職員の割合", "Staff over 45 h in any month",
       "%", "lower", "fiscal_year", "overtime",
       "年度内にいずれかの月で45時間を超えた職員数 ÷ 対象職員数",
       "Staff with any month over 45 h in the FY ÷ staff with overtime rows"),
    _K("overtime_over_100h_month_staff", "月100時間以上の職員の割合", "Staff at 100 h or more in any month",
       "%", "lower", "fiscal_year", "overtime",
       "年度内にいずれかの月で100時間以上となった職員数 ÷ 対象職員数",
       "Staff with any month of 100 h or more in the FY ÷ staff with overtime rows"),
    _K("overtime_over_360h_year_staff", "年360時間超の職員の割合", "Staff over 360 h in the year",
       "%", "lower", "fiscal_year", "overtime",
       "年度の時間外勤務が360時間を超えた職員数 ÷ 対象職員数",
       "Staff whose FY overtime exceeds 360 h ÷ staff with overtime rows"),
    _K("overtime_over_720h_year_staff", "年720時間超の職員の割合", "Staff over 720 h in the year",
       "%", "lower", "fiscal_year", "overtime",
       "年度の時間外勤務が720時間を超えた職員数 ÷ 対象職員数",
       "Staff whose FY overtime exceeds 720 h ÷ staff with overtime rows"),
    _K("overtime_over_80h_avg_staff", "2〜6か月平均80時間超の職員の割合", "Staff over 80 h on a 2–6-month average",
       "%", "lower", "fiscal_year", "overtime",
       "年度内に連続する2〜6か月のいずれかの平均が80時間を超えた職員数 ÷ 対象職員数",
       "Staff with any 2–6 consecutive-month average over 80 h in the FY ÷ staff with overtime rows"),
    _K("overtime_over_45h_7plus_months_staff", "月45時間超が年7か月以上の職員の割合",
       "Staff over 45 h in more than 6 months", "%", "lower", "fiscal_year", "overtime",
       "年度内に45時間を超えた月が6か月を超えた職員数 ÷ 対象職員数",
       "Staff with more than 6 months over 45 h in the FY ÷ staff with overtime rows"),
    _K("overtime_top10_share", "上位10%の職員が占める時間外勤務の割合", "Share of overtime worked by the top 10% of staff",
       "%", "lower", "fiscal_year", "overtime",
       "年度の時間外勤務時間が多い上位10%（切り上げ人数）の職員の合計 ÷ 全体の合計",
       "Hours of the top 10% of staff by FY overtime (rounded up) ÷ all overtime hours", additive=False),
    # --- leave (leave year) ---
    _K("annual_leave_days_per_staff", "職員一人当たり年次休暇取得日数", "Annual leave days per staff",
       "days", "higher", "leave_year", "leave",
       "休暇年の年次休暇取得日数の合計 ÷ 年次休暇の実績行がある職員数",
       "Annual leave days taken in the leave year ÷ staff with an annual-leave row"),
    _K("annual_leave_under5_share", "年次休暇取得5日未満の職員の割合", "Staff taking fewer than 5 days",
       "%", "lower", "leave_year", "leave",
       "年次休暇取得が5日未満の職員数 ÷ 年次休暇の実績行がある職員数",
       "Staff taking fewer than 5 days of annual leave ÷ staff with an annual-leave row"),
    _K("annual_leave_under10_share", "年次休暇取得10日未満の職員の割合", "Staff taking fewer than 10 days",
       "%", "lower", "leave_year", "leave",
       "年次休暇取得が10日未満の職員数 ÷ 年次休暇の実績行がある職員数",
       "Staff taking fewer than 10 days of annual leave ÷ staff with an annual-leave row"),
    _K("annual_leave_uptake_rate", "年次休暇取得率", "Annual leave uptake rate",
       "%", "higher", "leave_year", "leave",
       "付与日数のある職員の年次休暇取得日数の合計 ÷ 付与日数の合計（付与日数が空欄の行は両方から除外）",
       "Annual leave days taken ÷ days granted, over staff whose granted days are given (rows without "
       "granted days are left out of both sides and counted in annual_leave_uptake_excluded)"),
    _K("annual_leave_uptake_excluded", "取得率の計算から除外した職員数（付与日数なし）",
       "Staff left out of the uptake rate (no granted days)", "people", "none", "leave_year", "leave",
       "年次休暇の実績行のうち付与日数が空欄の職員数", "Staff with an annual-leave row but no granted days"),
    # --- workforce (April-1 snapshot) ---
    _K("headcount", "職員数", "Headcount", "people", "none", "snapshot", "staff",
       "4月1日時点の在籍職員数", "Staff on the April-1 roster"),
    _K("headcount_vs_quota", "職員定数に対する職員数", "Headcount against quota", "%", "none", "snapshot", "staff",
       "4月1日時点の職員数 ÷ 職員定数", "April-1 headcount ÷ staff quota", additive=False),
    _K("female_manager_ratio", "管理職に占める女性職員の割合", "Women among managers", "%", "higher",
       "snapshot", "staff",
       "4月1日時点の管理職（既定は課長級以上）のうち女性の人数 ÷ 管理職の人数",
       "Women among managers (section chief and above by default) on April 1 ÷ managers",
       levels=("organisation", "department")),
    _K("female_share_grade", "職位別の女性職員の割合", "Women's share at each grade", "%", "higher",
       "snapshot", "staff",
       "4月1日時点の当該職位の女性職員数 ÷ 当該職位の職員数（breakdown = 職位）",
       "Women at the grade on April 1 ÷ staff at the grade (breakdown = grade)",
       levels=("organisation",)),
    _K("female_share_grade_and_above", "職位以上の女性職員の割合", "Women's share at grade X and above", "%",
       "higher", "snapshot", "staff",
       "4月1日時点の当該職位以上の女性職員数 ÷ 当該職位以上の職員数（breakdown = 職位）",
       "Women at grade X and above on April 1 ÷ staff at grade X and above (breakdown = grade)"),
    # --- childcare (fiscal year) ---
    _K("male_childcare_leave_rate", "男性職員の育児休業取得率", "Men's childcare leave rate", "%", "higher",
       "fiscal_year", "childcare",
       "年度内に育児休業を開始した男性職員数 ÷ 年度内に子が生まれた男性職員数（100%を超えることがある）",
       "Men whose childcare leave started in the FY ÷ men whose child was born in the FY (can exceed 100%)"),
    _K("female_childcare_leave_rate", "女性職員の育児休業取得率", "Women's childcare leave rate", "%", "higher",
       "fiscal_year", "childcare",
       "年度内に育児休業を開始した女性職員数 ÷ 年度内に子が生まれた女性職員数",
       "Women whose childcare leave started in the FY ÷ women whose child was born in the FY"),
    _K("male_childcare_leave_1w_share", "男性職員の育児休業取得率（1週間以上）", "Men taking childcare leave of 1 week or more",
       "%", "higher", "fiscal_year", "childcare",
       "年度内に開始した育児休業の日数の合計が7日以上の男性職員数 ÷ 年度内に子が生まれた男性職員数（こども未来戦略の目標: 2025年85%）",
       "Men whose childcare leave started in the FY lasted 7 days or more in total ÷ men whose child was born in the FY",
       levels=("organisation", "department")),
    _K("male_childcare_leave_2w_share", "男性職員の育児休業取得率（2週間以上）", "Men taking childcare leave of 2 weeks or more",
       "%", "higher", "fiscal_year", "childcare",
       "年度内に開始した育児休業の日数の合計が14日以上の男性職員数 ÷ 年度内に子が生まれた男性職員数（こども未来戦略の目標: 2030年85%）",
       "Men whose childcare leave started in the FY lasted 14 days or more in total ÷ men whose child was born in the FY",
       levels=("organisation", "department")),
    _K("childcare_leave_length_share", "育児休業の取得期間の分布", "Distribution of childcare leave length", "%", "none",
       "fiscal_year", "childcare",
       "年度内に育児休業を開始した当該性別の職員のうち、取得期間（年度内に開始した休業日数の合計）が区分（breakdown = 性別|区分: 1週間未満 <7日, 1週間以上2週間未満, 2週間以上1か月(30日)未満, 1か月以上3か月(90日)未満, 3か月以上6か月(180日)未満, 6か月以上1年(365日)未満, 1年以上, 日数不明）に当たる職員の割合",
       "Staff of the gender whose childcare leave started in the FY, by total length of those leaves (breakdown = gender|band: <7 days, 7–13, 14–29, 30–89, 90–179, 180–364, 365+, unknown) ÷ all of them",
       levels=("organisation",)),
    _K("spouse_birth_leave_rate", "男性職員の配偶者出産休暇・育児参加休暇の取得率", "Men taking spouse-birth / childcare-participation leave",
       "%", "higher", "fiscal_year", "childcare",
       "年度内に子が生まれた男性職員のうち、出生日の属する休暇年またはその翌休暇年に当該休暇を1日以上取得した職員数 ÷ 年度内に子が生まれた男性職員数（breakdown = spouse_birth 配偶者出産休暇 / childcare_participation 育児参加休暇 / either いずれか）",
       "Men whose child was born in the FY who took the leave (1 day or more) in the leave year of the birth or the next ÷ men whose child was born in the FY (breakdown = spouse_birth / childcare_participation / either)",
       levels=("organisation", "department")),
    # --- statutory publication (女性活躍推進法 §21, fiscal year / April 1) ---
    _K("female_hire_share", "採用した職員に占める女性職員の割合", "Women among hires", "%", "higher", "fiscal_year", "hires",
       "年度内の採用日の採用者のうち女性の人数 ÷ 採用者数（breakdown なし = 全体、new_graduate 新卒 / experienced 経験者・中途）",
       "Women hired in the FY ÷ all hires in the FY (no breakdown = all; new_graduate / experienced)",
       levels=("organisation",)),
    _K("female_applicant_share", "採用試験の受験者に占める女性の割合", "Women among exam applicants", "%", "higher",
       "fiscal_year", "exam_applicants",
       "年度の採用試験の女性受験者数 ÷ 受験者の総数（breakdown なし = 全試験、exam:試験区分）",
       "Women applicants in the FY's exams ÷ all applicants (no breakdown = all exams; exam:<name>)",
       levels=("organisation",)),
    _K("female_staff_share", "職員に占める女性職員の割合", "Women among staff", "%", "higher", "snapshot", "staff",
       "4月1日時点の女性職員数 ÷ 職員数", "Women on the April-1 roster ÷ staff on it"),
    _K("separation_rate", "離職率（男女別）", "Separation rate by gender", "%", "lower", "fiscal_year", "separations",
       "年度内に離職した当該性別の職員数（3月31日の離職は当該年度） ÷ 当該年度4月1日時点の当該性別の職員数（breakdown = female / male）",
       "Staff of the gender who separated in the FY (a March-31 separation belongs to that FY) ÷ that gender's April-1 headcount (breakdown = female / male)",
       levels=("organisation",)),
    _K("separation_rate_gap", "離職率の男女の差異", "Separation rate gap (women − men)", "points", "none", "fiscal_year",
       "separations", "女性の離職率 − 男性の離職率（ポイント）", "Women's separation rate − men's (percentage points)",
       additive=False, levels=("organisation",)),
    _K("mean_service_years", "平均した継続勤務年数（男女別）", "Mean years of service by gender", "years", "none", "snapshot", "staff",
       "4月1日時点の任期の定めのない職員（任期区分が空欄の職員を含む）のうち採用日のある職員の、採用日から基準日までの年数（日数÷365.25）の平均（breakdown = female / male）",
       "Mean of (April 1 − hire date) in years (days ÷ 365.25) over permanent staff with a hire date (class blank counts) (breakdown = female / male)",
       additive=False, levels=("organisation",)),
    _K("monthly_overtime_avg", "超過勤務の状況（職員一人一月当たり平均）", "Overtime per staff per month (FY average)", "h",
       "lower", "fiscal_year", "overtime",
       "年度内の時間外勤務時間の合計 ÷ 年度内の実績行の延べ月数（職員×月）",
       "Overtime hours in the FY ÷ staff-months with an overtime row in the FY"),
    _K("gender_pay_ratio", "職員の給与の男女の差異（男性の給与に対する女性の給与の割合）",
       "Women's pay as a share of men's", "%", "higher", "fiscal_year", "pay",
       "女性の平均年間給与額 ÷ 男性の平均年間給与額 × 100（退職手当・通勤手当を除く。breakdown = permanent 任期の定めのない常勤職員 / other それ以外の職員 / all 全職員 / permanent|役職段階 / permanent|service_勤続年数区分（採用年度を1年目））。平均は人数（設定により勤務時間換算）で割る",
       "Women's mean annual pay ÷ men's × 100 (excluding retirement and commuting allowances; breakdown = permanent / other / all / permanent|<post level> / permanent|service_<band>, the year of hire is year 1); means per head, or per full-time equivalent where configured",
       additive=False, levels=("organisation",)),
    _K("pay_mean_female", "女性の平均年間給与額", "Women's mean annual pay", "yen", "none", "fiscal_year", "pay",
       "女性の年間給与額の合計 ÷ 女性の人数（勤務時間換算の設定では換算人数）（breakdown は gender_pay_ratio と同じ）",
       "Women's total annual pay ÷ women (full-time equivalents where configured); breakdown as gender_pay_ratio",
       levels=("organisation",)),
    _K("pay_mean_male", "男性の平均年間給与額", "Men's mean annual pay", "yen", "none", "fiscal_year", "pay",
       "男性の年間給与額の合計 ÷ 男性の人数（勤務時間換算の設定では換算人数）（breakdown は gender_pay_ratio と同じ）",
       "Men's total annual pay ÷ men (full-time equivalents where configured); breakdown as gender_pay_ratio",
       levels=("organisation",)),
    # --- approvals ---
    _K("e_approval_rate", "電子決裁率", "E-approval rate", "%", "higher", "fiscal_year", "approvals",
       "年度の電子決裁件数 ÷（電子決裁件数 + 紙決裁件数）", "Electronic ÷ (electronic + paper) approvals in the FY"),
    _K("e_approval_rate_month", "電子決裁率（月次）", "E-approval rate (month)", "%", "higher", "month", "approvals",
       "当月の電子決裁件数 ÷（電子決裁件数 + 紙決裁件数）", "Electronic ÷ (electronic + paper) approvals in the month"),
    # --- survey (wave) ---
    _K("staff_satisfaction_rate", "総合的に満足している職員の割合", "Staff satisfied overall", "%", "higher",
       "wave", "survey",
       "総合満足度の設問に回答した職員のうち、上位2つの選択肢を選んだ職員の割合",
       "Share of those answering the overall-satisfaction item who chose one of its top two boxes"),
    _K("engagement_index", "エンゲージメント指数", "Engagement index", "score", "higher", "wave", "survey",
       "回答者ごとの結果設問の平均を (x−1)/(k−1)×100 で0〜100に換算し、その平均",
       "Each respondent's mean over the outcome items rescaled to 0–100, averaged", additive=False),
    _K("survey_response_rate", "職員意識調査の回答率", "Survey response rate", "%", "higher", "wave", "survey",
       "回答者数 ÷ 調査年度4月1日時点の職員数", "Respondents ÷ staff on the wave's April-1 roster"),
    _K("item_favourable", "設問別 肯定的回答率", "Item favourable share", "%", "higher", "wave", "survey",
       "設問（breakdown）の上位2選択肢（逆転項目は反転後）の回答割合", "Top-two-box share of the item (reversed first)"),
    _K("item_neutral", "設問別 中間回答率", "Item neutral share", "%", "none", "wave", "survey",
       "設問の中間選択肢の回答割合", "Middle-box share of the item"),
    _K("item_unfavourable", "設問別 否定的回答率", "Item unfavourable share", "%", "lower", "wave", "survey",
       "設問の下位2選択肢の回答割合", "Bottom-two-box share of the item"),
    _K("item_mean", "設問別 平均値", "Item mean", "score", "higher", "wave", "survey",
       "設問の回答の平均（逆転項目は反転後）", "Mean answer (reversed first)", additive=False),
    _K("item_sd", "設問別 標準偏差", "Item standard deviation", "score", "none", "wave", "survey",
       "設問の回答の標準偏差", "Standard deviation of the answers", additive=False),
    _K("item_score", "設問別 スコア(0-100)", "Item score (0–100)", "score", "higher", "wave", "survey",
       "(平均−1)/(k−1)×100", "(mean − 1)/(k − 1) × 100", additive=False),
    _K("dimension_favourable", "領域別 肯定的回答率", "Dimension favourable share", "%", "higher", "wave", "survey",
       "領域（breakdown）に属する設問の回答全体のうち上位2選択肢の割合", "Top-two-box share over the dimension's answers"),
    _K("dimension_score", "領域別 スコア(0-100)", "Dimension score (0–100)", "score", "higher", "wave", "survey",
       "領域に属する設問の回答を0〜100に換算した平均", "Mean of the dimension's answers rescaled to 0–100",
       additive=False),
)

KPIS: dict[str, KPI] = {k.id: k for k in CATALOG}


def get_kpi(kpi_id: str) -> KPI:
    """The catalogue entry, with an error that lists the known ids."""
    try:
        return KPIS[kpi_id]
    except KeyError:
        raise KeyError(f"不明なKPI: {kpi_id!r}。使用可能: {', '.join(sorted(KPIS))}") from None


def unpublished(manager_grades: tuple[str, ...]) -> pl.DataFrame:
    """`kpi, level, breakdown` combinations never published (breakdown null = any): each KPI
    outside its catalogue levels; a division's grade ladder from the grade below the managers
    up (its 課長補佐 are one to three people, its 課長 one), so a division shows women among all
    its staff and among 係長級以上; a department's ladder above the lowest manager grade (its 部長
    and 次長, one or two people). Each of these rungs was hidden in nearly every unit of the demo
    city once the audit ran, so publishing them only cost suppressions elsewhere. The engine
    drops these rows and the disclosure audit reads their absence as "not published", not as
    "nobody"."""
    rows: list[tuple[str, str, str | None]] = [(k.id, lvl, None) for k in CATALOG for lvl in ("organisation", "department", "division")
            if lvl not in k.levels]
    from hrmetrics.config import GRADES

    first = min(GRADES.index(g) for g in manager_grades) if manager_grades else len(GRADES)
    rows += [("female_share_grade_and_above", "division", g) for g in GRADES[max(first - 1, 1):]]
    rows += [("female_share_grade_and_above", "department", g) for g in GRADES[first + 1:]]
    return pl.DataFrame(rows, schema={"kpi": pl.String, "level": pl.String, "breakdown": pl.String},
                        orient="row")
