"""What one statutory publication holds: the tables for one fiscal year and the organisation's
own words (説明欄, 備考), taken from the workspace configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from hrmetrics.config import Config


@dataclass(frozen=True)
class Publication:
    """The 情報公表 items, the 給与の男女の差異 table and the 実施状況 rows for FY `year`."""

    organisation: str
    year: int
    items: pl.DataFrame
    pay: pl.DataFrame
    plan: pl.DataFrame
    explanation: str
    remarks: str
    basis_note: str

    @property
    def period_label(self) -> str:
        from hrmetrics.jpcalendar import format_fiscal_year

        return f"{format_fiscal_year(self.year, 'ja')}・FY{self.year}"


def parse_year(text: str, lang: str = "ja") -> int:
    """The fiscal year of `FY2024`, `令和6年度`, `R6`, `2024` (the spellings exports use)."""
    from hrmetrics.jpformat import parse_fiscal_year_expr

    year = pl.select(parse_fiscal_year_expr(pl.lit(str(text)))).item()
    if year is None:
        ja = f"--year の値「{text}」を年度として読めません（例: FY2024、令和6年度）"
        en = f"--year: '{text}' is not a fiscal year (e.g. FY2024, 令和6年度)"
        raise ValueError(ja if lang != "en" else en)
    return int(year)


def basis_note(config: Config) -> str:
    """How the pay means were taken, stated next to the table (the statute leaves it to the employer)."""
    if config.pay_basis == "hours":
        how = (f"短時間勤務の職員は週所定勤務時間 ÷ {config.full_time_weekly_hours:g} 時間で人数を換算"
               "（上限1人、時間不明は1人）")
    else:
        how = "人数は実人員（短時間勤務の職員も1人）"
    return ("平均給与は年間の支給総額（退職手当・通勤手当を除く）を人数で割ったもの。"
            f"{how}。勤続年数は採用年度を1年目とする。"
            f"女性または男性が{config.min_group_hr}人未満の区分、および差し引きでそれが分かる区分は非表示。")


def build_publication(kpis: pl.DataFrame, year: int, config: Config,
                      progress: pl.DataFrame | None = None, published: str | None = None) -> Publication:
    """The publication for FY`year` from the (audited) long KPI table and, if given, progress."""
    from hrmetrics.publish.tables import disclosure_items, pay_gap, plan_status

    published = published or date.today().strftime("%Y年%m月")
    return Publication(
        organisation=config.organisation_name, year=year,
        items=disclosure_items(kpis, year, config), pay=pay_gap(kpis, year),
        plan=plan_status(progress, year, published),
        explanation=config.pay_explanation, remarks=config.publication_remarks,
        basis_note=basis_note(config))
