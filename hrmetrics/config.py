"""Workspace configuration (`hrmetrics.toml`).

Everything an organisation may reasonably disagree with the defaults about lives here, so
that code never hard-codes a policy choice (which grades are managers, how small a group may be
shown, whether leave is counted by calendar or fiscal year).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from hrmetrics.errors import UserError

GRADES: tuple[str, ...] = (
    "staff",
    "unit_chief",
    "assistant_chief",
    "section_chief",
    "deputy_director",
    "director",
)
"""Grades lowest to highest (DESIGN.md §2)."""

CONFIG_FILE = "hrmetrics.toml"


@dataclass(frozen=True)
class Config:
    """Resolved settings for one workspace. Immutable so that a run cannot change policy midway."""

    organisation_name: str = "デモ市"
    organisation_name_en: str = "Demo City"
    leave_year: Literal["calendar", "fiscal"] = "calendar"
    manager_grades: tuple[str, ...] = ("section_chief", "deputy_director", "director")
    min_group_hr: int = 3
    min_group_survey: int = 5
    min_respondents_drivers: int = 20
    survey_overall_item: str | None = None
    """The overall-satisfaction question (its text or item id) of an export read without a
    設問マスタ; unset, a question reading as overall satisfaction (総合的に…満足) is taken."""
    survey_unit_column: str | None = None
    """Which column of a survey attributes file or form holds the unit (code or name); unset,
    Department / 所属 / 所属名 / 部署 … are tried in turn."""
    publish_small_organisation: bool = True
    """Show the organisation's HR figures even for fewer than `min_group_hr` people: they are
    the statutory publications (女性活躍推進法 §21, 次世代法 §19). Suppression then works below."""
    protection_width: int = 2
    """How uncertain a hidden count must stay for the disclosure audit: its feasible range must
    span at least this many people (and never prove "none" or "all" of the group)."""
    lang: Literal["ja", "en"] = "ja"
    pseudonym_key: str | None = None
    keep_raw_survey: bool = False
    """Keep a byte copy of survey exports in `store/raw/` (off: they hold names, e-mails and
    comments that the analysis never uses)."""
    rating_tolerance: float = 0.05
    """Relative band around the trajectory counted as "A" (on plan): 0.05 = ±5% of the
    baseline-to-target distance."""
    quota: dict[str, int] = field(default_factory=dict)
    """Staff quota (職員定数) by unit code; the key "organisation" holds the whole organisation's."""
    national_reference: bool = True
    projection_from: str = "baseline"
    """Which yearly values the trend line is fitted to: ``"baseline"`` (the plan's baseline year
    on: the trend of the effort the plan measures), ``"all"`` (all history loaded), or a fiscal
    year (``"FY2020"``, ``"令和2年度"``: that year on). Every chart states the window used."""
    first_year: int = 1989
    """Earliest year a month, date, year or fiscal year in an export may name (平成元年)."""
    last_year: int | None = None
    """Latest such year; None = next calendar year at run time. Values outside are row rejects:
    `9999/12` or an Excel serial like `99999` (= 2173) must not become a KPI period."""
    pay_basis: Literal["headcount", "hours"] = "headcount"
    """How `gender_pay_ratio` divides pay: per head, or per full-time equivalent (short-hours staff
    count as scheduled_hours ÷ full_time_weekly_hours, at most 1; rows without hours count 1)."""
    full_time_weekly_hours: float = 38.75
    """Weekly hours of a full-time post (7 h 45 min × 5 days), for the hours basis."""
    pay_explanation: str = ""
    """説明欄 of the 職員の給与の男女の差異 table (the organisation's own words)."""
    publication_remarks: str = ""
    """備考 of the 情報公表 table."""
    workspace: Path | None = None

    def __post_init__(self) -> None:
        unknown = [g for g in self.manager_grades if g not in GRADES]
        if unknown:
            raise UserError("config_bad_grades", unknown=unknown, accepted=list(GRADES))
        if self.min_group_survey < 3:
            raise UserError("config_min_group_survey", value=self.min_group_survey)
        if self.min_group_hr < 1:
            raise UserError("config_min_group_hr", value=self.min_group_hr)
        if self.protection_width < 1:
            raise UserError("config_protection_width", value=self.protection_width)
        object.__setattr__(self, "projection_from", normalise_projection_from(self.projection_from))
        if self.pay_basis not in ("headcount", "hours"):
            raise ValueError(
                f"[publication] pay_basis は \"headcount\" か \"hours\" です: {self.pay_basis!r}")
        if not self.full_time_weekly_hours > 0:
            raise ValueError("[publication] full_time_weekly_hours は 0 より大きくしてください")
        if self.last_year is not None and self.last_year < self.first_year:
            raise UserError("config_year_window", first=self.first_year, last=self.last_year)

    def year_window(self) -> tuple[int, int]:
        """(first, last) year accepted in period columns; last defaults to next year."""
        return self.first_year, self.last_year if self.last_year is not None else date.today().year + 1

    def resolved_pseudonym_key(self) -> bytes:
        """The key for staff-id pseudonymisation: config, then $HRMETRICS_PSEUDONYM_KEY."""
        key = self.pseudonym_key or os.environ.get("HRMETRICS_PSEUDONYM_KEY")
        if not key:
            raise UserError("config_no_pseudonym_key")
        return key.encode("utf-8")


def normalise_projection_from(value: object) -> str:
    """`"baseline"`, `"all"` or `"FY2020"` (from `FY2020`, `2020`, `令和2年度`); else UserError."""
    text = str(value).strip()
    if text.lower() in ("baseline", "all"):
        return text.lower()
    from hrmetrics.jpformat import parse_fiscal_year

    year = parse_fiscal_year(text)
    if year is None:
        raise UserError("config_projection_from", value=text)
    return f"FY{year}"


_TOML_MAP: dict[tuple[str, str], str] = {
    ("organisation", "name"): "organisation_name",
    ("organisation", "name_en"): "organisation_name_en",
    ("calendar", "leave_year"): "leave_year",
    ("workforce", "manager_grades"): "manager_grades",
    ("workforce", "quota"): "quota",
    ("privacy", "min_group_hr"): "min_group_hr",
    ("privacy", "min_group_survey"): "min_group_survey",
    ("privacy", "pseudonym_key"): "pseudonym_key",
    ("privacy", "keep_raw_survey"): "keep_raw_survey",
    ("privacy", "protection_width"): "protection_width",
    ("privacy", "publish_small_organisation"): "publish_small_organisation",
    ("survey", "min_respondents_drivers"): "min_respondents_drivers",
    ("survey", "overall_item"): "survey_overall_item",
    ("survey", "unit_column"): "survey_unit_column",
    ("report", "lang"): "lang",
    ("report", "national_reference"): "national_reference",
    ("progress", "rating_tolerance"): "rating_tolerance",
    ("projection", "from"): "projection_from",
    ("intake", "first_year"): "first_year",
    ("intake", "last_year"): "last_year",
    ("publication", "pay_basis"): "pay_basis",
    ("publication", "full_time_weekly_hours"): "full_time_weekly_hours",
    ("publication", "pay_explanation"): "pay_explanation",
    ("publication", "remarks"): "publication_remarks",
}


def config_from_dict(data: dict[str, Any], workspace: Path | None = None) -> Config:
    """Build a Config from parsed TOML; unknown keys are an error so typos do not pass silently."""
    kwargs: dict[str, Any] = {}
    for section, body in data.items():
        if not isinstance(body, dict):
            raise UserError("config_not_table", file=CONFIG_FILE, section=section)
        for key, value in body.items():
            target = _TOML_MAP.get((section, key))
            if target is None:
                raise UserError("config_unknown_key", file=CONFIG_FILE, section=section, key=key,
                                known=[k for s, k in _TOML_MAP if s == section])
            kwargs[target] = tuple(value) if target == "manager_grades" else value
    return Config(workspace=workspace, **kwargs)


def load_config(path: str | Path | None = None) -> Config:
    """Read `hrmetrics.toml` from a file or a workspace folder; defaults when there is none."""
    if path is None:
        return Config()
    p = Path(path)
    if p.is_dir():
        workspace, p = p, p / CONFIG_FILE
        if not p.exists():
            return Config(workspace=workspace)
    else:
        workspace = p.parent
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:  # name the file: the parser does not
        raise UserError("config_bad_toml", file=p.name, reason=str(exc)) from exc
    return config_from_dict(data, workspace=workspace)


def find_config(data_dir: str | Path) -> Config:
    """The workspace config for a data folder: `hrmetrics.toml` in it or in the folder above.

    `hrmetrics init` puts data in `<workspace>/data` and the config in `<workspace>`, so both
    places are looked at; with neither, the defaults apply.
    """
    data_dir = Path(data_dir)
    for candidate in (data_dir, data_dir.parent):
        if (candidate / CONFIG_FILE).exists():
            return load_config(candidate)
    return Config()


def with_overrides(config: Config, **changes: Any) -> Config:
    """A copy with some settings changed, ignoring None (so CLI options can pass through)."""
    valid = {f.name for f in fields(Config)}
    return replace(config, **{k: v for k, v in changes.items() if v is not None and k in valid})
