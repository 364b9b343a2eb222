"""Display texts: KPI labels, periods as 令和6年度 (FY2024), numbers with one decimal.

Kept apart from the charts so tables, charts, Excel and HTML format a value identically.
"""

from __future__ import annotations

import re

from hrmetrics.jpcalendar import ERAS, era_of_year
from hrmetrics.jpcalendar import format_period as jp_format_period
from hrmetrics.kpis.catalog import KPIS

HIDDEN = {"ja": "非表示", "en": "Hidden"}
MISSING = "—"

_ERA_ABBR = {name: abbr for name, abbr, _start in ERAS}

_UNIT_SUFFIX = {
    "ja": {"h": "時間", "days": "日", "%": "%", "people": "人", "count": "件", "score": "点"},
    "en": {"h": " h", "days": " days", "%": "%", "people": "", "count": "", "score": ""},
}


def era(year: int, lang: str = "ja") -> str:
    """Japanese era year: 2019 → 令和元年 (R1 in English), 2018 → 平成30年 (H30)."""
    name, n = era_of_year(year)
    if lang != "ja":
        return f"{_ERA_ABBR[name]}{n}"
    return f"{name}{'元' if n == 1 else n}年"


def format_period(period: str | None, lang: str = "ja") -> str:
    """`FY2024` → 令和6年度 (FY2024); `2024` → 2024年 (令和6年); `2024-04` → 令和6年4月 (2024-04).

    Japanese labels come from `jpcalendar.format_period` (one era table for the whole package);
    English adds the short era, `FY2024 (R6)`, because Japanese readers of an English report
    still think in 令和 years.
    """
    if period is None:
        return MISSING
    p = str(period)
    if lang == "ja":
        return jp_format_period(p, lang="ja")
    if m := re.fullmatch(r"FY(\d{4})", p):
        return f"{p} ({era(int(m.group(1)), 'en')})"
    if re.fullmatch(r"\d{4}", p):
        return f"{p} ({era(int(p), 'en')})"
    return p


def fy_label(year: int | None, lang: str = "ja") -> str:
    """A fiscal-year number as a label (targets and baselines are stored as plain years)."""
    return MISSING if year is None else format_period(f"FY{int(year)}", lang)


def kpi_label(kpi_id: str, lang: str = "ja") -> str:
    """Catalogue label; an unknown id is shown as is rather than failing the whole report."""
    k = KPIS.get(kpi_id)
    return k.label(lang) if k else kpi_id


def kpi_unit(kpi_id: str, default: str = "") -> str:
    k = KPIS.get(kpi_id)
    return k.unit if k else default


def decimals(unit: str) -> int:
    """Hours, days, %, scores: one decimal; people and counts: whole numbers."""
    return 0 if unit in ("people", "count") else 1


def format_value(value: float | None, unit: str, lang: str = "ja", suppressed: bool = False) -> str:
    """A number with its unit, e.g. 12.3時間, 45.6%, 1,234人; suppressed → 非表示."""
    if suppressed:
        return HIDDEN.get(lang, HIDDEN["en"])
    if value is None:
        return MISSING
    d = decimals(unit)
    return f"{value:,.{d}f}{_UNIT_SUFFIX.get(lang, _UNIT_SUFFIX['en']).get(unit, '')}"


def format_pct(value: float | None) -> str:
    """A probability or share already in 0–100."""
    return MISSING if value is None else f"{value:.1f}%"


def t(lang: str, ja: str, en: str) -> str:
    """Pick the text of the report's language."""
    return ja if lang == "ja" else en
