# ruff: noqa: E501  (Japanese labels of the statutory layouts read better unwrapped)
"""The statutory publication tables, read from the long KPI table (never recomputed).

* `disclosure_items` — 女性活躍推進法 §21 情報公表 (特定事業主, 内閣府令 第6条): the items of
  ① 職業生活に関する機会の提供 and ② 職業生活と家庭生活との両立 that the exports support;
* `pay_gap` — 職員の給与の男女の差異 in the municipal layout: 職員区分 (任期の定めのない常勤職員 /
  それ以外の職員 / 全職員), then 役職段階 and 勤続年数 for 任期の定めのない常勤職員;
* `plan_status` — 次世代法 §19 / 女性活躍推進法 §19 特定事業主行動計画 実施状況 in the columns of the
  national 見える化 site's CSV (目標項目 | 数値目標 | 時期 | 最新値 | 時期 | 目標設定時最新値 | 時期 |
  取組内容 | 公表年月), grouped ア採用 / イ両立 / ウ長時間勤務 / エ登用 / オその他, from the progress table.

Every row keeps its KPI id, breakdown and period, and the KPI row's value, numerator, denominator,
n and suppressed flag, so the companion sheet can show what each figure is made of and a test can
check every published cell against the KPI table.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from hrmetrics.config import Config
from hrmetrics.kpis.catalog import KPIS
from hrmetrics.kpis.pay import POST_ORDER, SERVICE_BANDS
from hrmetrics.orgs import ORG_CODE

ITEM_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(), "item": pl.String(), "detail": pl.String(), "value": pl.Float64(),
    "unit": pl.String(), "period": pl.String(), "numerator": pl.Float64(), "denominator": pl.Float64(),
    "n": pl.Int64(), "suppressed": pl.Boolean(), "note": pl.String(), "kpi": pl.String(),
    "breakdown": pl.String(),
}
"""One published figure: where it sits (group, item, detail) and the KPI row it comes from."""


@dataclass(frozen=True)
class Item:
    group: str
    item: str
    detail: str
    kpi: str
    breakdown: str | None = None


_G1 = "① 職業生活に関する機会の提供"
_G2 = "② 職業生活と家庭生活との両立"
_GRADE_LABELS = {"director": "部長級", "deputy_director": "次長級", "section_chief": "課長級",
                 "assistant_chief": "課長補佐級", "unit_chief": "係長級", "staff": "主事・主任等"}
_BANDS = {"lt_1w": "1週間未満", "1w_2w": "1週間以上2週間未満", "2w_1m": "2週間以上1か月未満",
          "1m_3m": "1か月以上3か月未満", "3m_6m": "3か月以上6か月未満", "6m_1y": "6か月以上1年未満",
          "1y_plus": "1年以上", "unknown": "期間不明"}

ITEMS: tuple[Item, ...] = (
    Item(_G1, "採用した職員に占める女性職員の割合", "全体", "female_hire_share"),
    Item(_G1, "採用した職員に占める女性職員の割合", "新卒", "female_hire_share", "new_graduate"),
    Item(_G1, "中途採用の男女別の実績（経験者採用に占める女性の割合）", "経験者・中途", "female_hire_share", "experienced"),
    Item(_G1, "採用試験の受験者の総数に占める女性の割合", "全試験", "female_applicant_share"),
    Item(_G1, "職員に占める女性職員の割合", "全職員", "female_staff_share"),
    Item(_G1, "管理的地位にある職員に占める女性職員の割合", "管理職", "female_manager_ratio"),
    *(Item(_G1, "各役職段階にある職員に占める女性職員の割合", _GRADE_LABELS[g], "female_share_grade", g)
      for g in ("director", "deputy_director", "section_chief", "assistant_chief", "unit_chief")),
    Item(_G2, "男女別の育児休業取得率", "男性", "male_childcare_leave_rate"),
    Item(_G2, "男女別の育児休業取得率", "女性", "female_childcare_leave_rate"),
    Item(_G2, "男性職員の育児休業取得率（取得期間別）", "1週間以上", "male_childcare_leave_1w_share"),
    Item(_G2, "男性職員の育児休業取得率（取得期間別）", "2週間以上", "male_childcare_leave_2w_share"),
    *(Item(_G2, "育児休業の取得期間の分布", f"{g_ja}・{label}", "childcare_leave_length_share", f"{g}|{b}")
      for g, g_ja in (("male", "男性"), ("female", "女性")) for b, label in _BANDS.items()),
    Item(_G2, "男性職員の配偶者出産休暇・育児参加のための休暇の取得率", "いずれか", "spouse_birth_leave_rate", "either"),
    Item(_G2, "男性職員の配偶者出産休暇・育児参加のための休暇の取得率", "配偶者出産休暇", "spouse_birth_leave_rate",
         "spouse_birth"),
    Item(_G2, "男性職員の配偶者出産休暇・育児参加のための休暇の取得率", "育児参加のための休暇", "spouse_birth_leave_rate",
         "childcare_participation"),
    Item(_G2, "離職率の男女の差異", "女性", "separation_rate", "female"),
    Item(_G2, "離職率の男女の差異", "男性", "separation_rate", "male"),
    Item(_G2, "離職率の男女の差異", "差異（女性−男性、ポイント）", "separation_rate_gap"),
    Item(_G2, "男女別の平均した継続勤務年数", "女性", "mean_service_years", "female"),
    Item(_G2, "男女別の平均した継続勤務年数", "男性", "mean_service_years", "male"),
    Item(_G2, "超過勤務の状況（職員一人一月当たり平均）", "全職員", "monthly_overtime_avg"),
    Item(_G2, "年次休暇の取得率", "全職員", "annual_leave_uptake_rate"),
)
"""The 情報公表 rows in publication order (groups, then the statute's order of items)."""

PAY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("職員区分", "任期の定めのない常勤職員", "permanent"),
    ("職員区分", "それ以外の職員（任期付・再任用・会計年度任用）", "other"),
    ("職員区分", "全職員", "all"),
    *(("任期の定めのない常勤職員・役職段階", label, f"permanent|{p}") for p, label in zip(POST_ORDER, (
        "本庁部局長・次長相当職", "本庁課長相当職", "本庁課長補佐相当職", "本庁係長相当職", "それ以外の職員"),
        strict=True)),
    *(("任期の定めのない常勤職員・勤続年数", _band_label, f"permanent|{b}") for b, _band_label in zip(
        SERVICE_BANDS, [f"{lo}〜{lo + 4}年" for lo in range(1, 32, 5)] + ["36年以上"], strict=True)),
)
"""(section, label, breakdown) of the 給与の男女の差異 table in the municipal layout."""

HIDDEN_NOTE = "非表示（少人数のため、または開示監査による）"
ABSENT_NOTE = "該当者なし・データなし"


def _period_of(kpi: str, year: int, config: Config) -> str:
    """The KPI's period for publication year FY`year`: the FY itself, its April-1 snapshot, or
    the leave year it mostly covers (calendar year `year` when leave is counted per calendar year)."""
    if KPIS[kpi].period_type == "leave_year" and config.leave_year == "calendar":
        return str(year)
    return f"FY{year}"


def _org_rows(kpis: pl.DataFrame) -> pl.DataFrame:
    return kpis.filter((pl.col("unit_code") == ORG_CODE) & (pl.col("level") == "organisation"))


def _lookup(org: pl.DataFrame, kpi: str, breakdown: str | None, period: str) -> dict | None:
    f = org.filter((pl.col("kpi") == kpi) & (pl.col("period") == period)
                   & (pl.col("breakdown").is_null() if breakdown is None else pl.col("breakdown") == breakdown))
    return f.row(0, named=True) if f.height else None


def _row(org: pl.DataFrame, kpi: str, breakdown: str | None, period: str, **place: str) -> dict:
    found = _lookup(org, kpi, breakdown, period)
    numbers = {k: (found or {}).get(k) for k in ("value", "numerator", "denominator", "n")}
    hidden = bool(found and found["suppressed"])
    note = HIDDEN_NOTE if hidden else (ABSENT_NOTE if found is None or numbers["value"] is None else "")
    return {**place, **numbers, "unit": KPIS[kpi].unit, "period": period, "suppressed": hidden,
            "note": note, "kpi": kpi, "breakdown": breakdown}


def disclosure_items(kpis: pl.DataFrame, year: int, config: Config) -> pl.DataFrame:
    """情報公表 rows for FY`year`: every item, shown, hidden or without data (said so in `note`).

    Items whose dataset was never supplied (no row in any period) are left out, so the table
    lists what the organisation can publish; an item with data in other years but none this
    year stays, marked 該当者なし・データなし."""
    org = _org_rows(kpis)
    present = set(org["kpi"].unique().to_list())
    rows = [_row(org, it.kpi, it.breakdown, _period_of(it.kpi, year, config),
                 group=it.group, item=it.item, detail=it.detail)
            for it in ITEMS if it.kpi in present]
    return pl.DataFrame(rows, schema=ITEM_SCHEMA).select(list(ITEM_SCHEMA))


def pay_gap(kpis: pl.DataFrame, year: int) -> pl.DataFrame:
    """給与の男女の差異 rows for FY`year` (`value` = 男性の給与に対する女性の給与の割合, %;
    numerator/denominator = women's and men's mean annual pay), in the municipal layout. The
    service-band rows stop at the last band with anyone in it."""
    org = _org_rows(kpis)
    period = f"FY{year}"
    rows = [_row(org, "gender_pay_ratio", bd, period, group=section, item=label, detail="")
            for section, label, bd in PAY_ROWS]
    out = pl.DataFrame(rows, schema=ITEM_SCHEMA).select(list(ITEM_SCHEMA))
    counts = _counts(org, period)
    return out.join(counts, on="breakdown", how="left", maintain_order="left")


def _counts(org: pl.DataFrame, period: str) -> pl.DataFrame:
    """Women's and men's counts and mean pay per pay cell (null where hidden)."""
    def one(kpi: str, prefix: str) -> pl.DataFrame:
        return org.filter((pl.col("kpi") == kpi) & (pl.col("period") == period)).select(
            "breakdown", pl.col("value").alias(f"{prefix}_mean"), pl.col("n").alias(f"{prefix}_n"),
            pl.col("denominator").alias(f"{prefix}_divisor"))
    women, men = one("pay_mean_female", "women"), one("pay_mean_male", "men")
    return women.join(men, on="breakdown", how="full", coalesce=True)


GROUPS: dict[str, str] = {
    "hires": "ア 採用", "exam_applicants": "ア 採用", "childcare": "イ 両立", "leave": "イ 両立",
    "overtime": "ウ 長時間勤務", "staff": "エ 登用", "pay": "オ その他", "separations": "オ その他",
}
"""見える化 site's grouping of 実施状況 rows by the KPI's dataset (other datasets: オ その他)."""

PLAN_SCHEMA: dict[str, pl.DataType] = {
    "区分": pl.String(), "目標項目": pl.String(), "数値目標": pl.Float64(), "時期": pl.String(),
    "最新値": pl.Float64(), "最新値の時期": pl.String(), "目標設定時最新値": pl.Float64(),
    "目標設定時最新値の時期": pl.String(), "取組内容": pl.String(), "公表年月": pl.String(),
    "kpi": pl.String(), "breakdown": pl.String(), "rating": pl.String(),
}


def plan_status(progress: pl.DataFrame | None, year: int, published: str, plan_notes: dict | None = None) -> pl.DataFrame:
    """実施状況 rows (organisation targets) for FY`year`: the latest actual at or before `year`,
    in the 見える化 CSV columns. `plan_notes` maps (kpi, breakdown) → 取組内容 (≤ 100 characters)."""
    if progress is None or progress.is_empty():
        return pl.DataFrame(schema=PLAN_SCHEMA)
    org = progress.filter((pl.col("level") == "organisation") & (pl.col("year") <= year)
                          & pl.col("actual").is_not_null())
    latest = org.sort("year").group_by(["kpi", "breakdown"], maintain_order=True).last()
    rows = []
    for r in latest.sort(["kpi", "breakdown"], nulls_last=False).iter_rows(named=True):
        kpi = KPIS.get(r["kpi"])
        label = kpi.name_ja if kpi else r["kpi"]
        if r["breakdown"]:
            label = f"{label}（{_GRADE_LABELS.get(r['breakdown'], r['breakdown'])}）"
        note = (plan_notes or {}).get((r["kpi"], r["breakdown"]), "")
        rows.append({
            "区分": GROUPS.get(kpi.dataset if kpi else "", "オ その他"), "目標項目": label,
            "数値目標": r["target"], "時期": _fy(r["target_year"]), "最新値": r["actual"],
            "最新値の時期": r["period"], "目標設定時最新値": r["baseline"],
            "目標設定時最新値の時期": _fy(r["baseline_year"]), "取組内容": str(note)[:100],
            "公表年月": published, "kpi": r["kpi"], "breakdown": r["breakdown"], "rating": r["rating"]})
    return pl.DataFrame(rows, schema=PLAN_SCHEMA).sort(["区分", "目標項目"])


def _fy(year: int | None) -> str | None:
    return None if year is None else f"FY{year}"
