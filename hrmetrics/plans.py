"""Plan files (TOML): baseline, target, comparator and period per KPI, checked against the catalogue.

A plan is what a city has promised in its reform outline or 特定事業主行動計画. It is edited by
the personnel division, not by programmers, so every mistake must come back as a sentence that
names the file and the target (Japanese by default), and nothing may be guessed silently: an
unknown KPI, a target period not after the baseline, a comparator that contradicts the KPI's
direction or a missing field is an error, not a warning.

Periods accept the spellings the plans use: ``FY2022`` / ``令和4年度`` (fiscal year), an April-1
date ``2024-04-01`` (a snapshot, counted as that date's fiscal year), a month ``2024-03``
(counted as its fiscal year: March 2024 is FY2023), and a calendar year ``2023`` (leave years).
Everything is compared by its integer ``year``, which is the ``year`` column of the KPI table.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from hrmetrics.errors import MissingPath, UserError
from hrmetrics.jpcalendar import era_of, era_to_year, era_year_label, era_year_text, fiscal_year
from hrmetrics.kpis.catalog import KPIS, get_kpi
from hrmetrics.messages import MESSAGES, both, message
from hrmetrics.orgs import ORG_CODE
from hrmetrics.resources import list_resources, resource_path

Comparator = Literal[">=", "<="]
COMPARATORS: tuple[str, ...] = (">=", "<=")
RATINGS: tuple[str, ...] = ("S", "A", "B")
ORG_SCOPE = "organisation"


class PlanError(UserError):
    """A plan file that cannot be used; the message (registry keys `plan.*`) names the file and
    the target."""

    prefix = "plan."


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A period as the plan wrote it, plus the integer year it is compared at."""

    label: str
    year: int
    kind: Literal["fiscal_year", "april1", "month", "calendar"]

    def display(self, lang: str = "ja") -> str:
        """`FY2033（令和15年度）` in Japanese, `FY2033` in English: both forms users expect."""
        if lang != "ja":
            return self.label
        if self.kind == "fiscal_year":
            return f"FY{self.year}（{era_year_label(self.year)}年度）"
        if self.kind == "calendar":
            return f"{self.year}年（{era_year_label(self.year)}年）"
        parts = [int(p) for p in self.label.split("-")]
        era, n = era_of(dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1))
        day = f"{parts[2]}日" if self.kind != "month" else ""
        return f"{self.label}（{era}{era_year_text(n)}年{parts[1]}月{day}）"


_FY = re.compile(r"^FY(\d{4})$", re.IGNORECASE)
_ERA_FY = re.compile(r"^(?:令和|R)(\d{1,2}|元)年度$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(value: Any) -> Period:
    """Read a plan period; raise ValueError when it is none of the accepted spellings.

    An April-1 date (or any date) counts as its fiscal year, because snapshot KPIs are plotted
    at the fiscal year their April-1 roster opens; a month counts as its fiscal year too.
    """
    if isinstance(value, dt.date):
        return Period(value.isoformat(), fiscal_year(value), "april1")
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
        return Period(str(value), value, "calendar")
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if m := _FY.match(text):
        return Period(f"FY{m[1]}", int(m[1]), "fiscal_year")
    if m := _ERA_FY.match(text):
        year = era_to_year("令和", m[1])
        return Period(f"FY{year}", year, "fiscal_year")
    if m := _DATE.match(text):
        date = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return parse_period(date)
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(value)
        return Period(f"{year}-{month:02d}", fiscal_year(dt.date(year, month, 1)), "month")
    if m := _YEAR.match(text):
        return Period(text, int(m[1]), "calendar")
    raise ValueError(value)


# --------------------------------------------------------------------------- plan model


@dataclass(frozen=True)
class Milestone:
    """An interim target or an extra published actual: a value at a period."""

    period: Period
    value: float


@dataclass(frozen=True)
class Override:
    """A rating decided by people (Kodaira rates programmes, not numbers); it wins over ours."""

    period: Period
    rating: str
    reason: str
    unit_code: str = ORG_CODE


@dataclass(frozen=True)
class Target:
    """One KPI target of a plan. Values keep the plan's own precision (49.0 stays 49.0)."""

    kpi: str
    source: str
    breakdown: str | None = None
    label: str | None = None
    status: Literal["set", "target_not_set"] = "set"
    baseline: float | None = None
    baseline_period: Period | None = None
    target: float | None = None
    target_period: Period | None = None
    comparator: Comparator | None = None
    interim: tuple[Milestone, ...] = ()
    observed: tuple[Milestone, ...] = ()
    scope: str = ORG_SCOPE
    apply_to_divisions: bool = False
    note: str | None = None
    overrides: tuple[Override, ...] = ()

    @property
    def has_target(self) -> bool:
        return self.status == "set"

    @property
    def unit_code(self) -> str:
        """The KPI-table unit code the target belongs to (`ORG` for the organisation)."""
        return ORG_CODE if self.scope == ORG_SCOPE else self.scope

    def knots(self) -> list[tuple[int, float]]:
        """(year, value) points of the planned path: baseline, interim targets, final target."""
        assert self.baseline_period and self.target_period and self.baseline is not None
        assert self.target is not None
        points = [(self.baseline_period.year, float(self.baseline))]
        points += sorted((m.period.year, float(m.value)) for m in self.interim)
        points.append((self.target_period.year, float(self.target)))
        return points


@dataclass(frozen=True)
class Plan:
    """A loaded, checked plan file."""

    name: str
    organisation: str
    source_document: str
    targets: tuple[Target, ...]
    period_start: Period | None = None
    period_end: Period | None = None
    name_en: str | None = None
    note: str | None = None
    path: Path | None = None

    def with_targets(self) -> tuple[Target, ...]:
        """Targets that have a number to compare against (not `target_not_set`)."""
        return tuple(t for t in self.targets if t.has_target)


# --------------------------------------------------------------------------- loading

_PLAN_FIELDS = {"name", "name_en", "organisation", "source_document", "period_start", "period_end", "note"}
_TARGET_FIELDS = {
    "kpi", "breakdown", "label", "status", "baseline", "baseline_period", "target", "target_period",
    "comparator", "interim", "observed", "source", "scope", "apply_to_divisions", "note", "override",
}
_SET_REQUIRED = ("baseline", "baseline_period", "target", "target_period", "comparator")


def list_presets(workspace: Path | None = None) -> list[str]:
    """Names of the plan presets (`plans/*.toml` except the national reference values)."""
    return [p.stem for p in list_resources("plans", "*.toml", workspace) if p.stem != "national_reference"]


def load_plan(path_or_preset: str | Path, workspace: Path | None = None) -> Plan:
    """Load and check a plan file; a bare name such as "kodaira" loads the preset `plans/kodaira.toml`."""
    path = _resolve(path_or_preset, workspace)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError("bad_toml", file=path.name, reason=str(exc)) from None
    return plan_from_dict(data, file=path.name, path=path)


def _resolve(path_or_preset: str | Path, workspace: Path | None) -> Path:
    """A file path if it is a file or looks like one, else a preset name looked up in plans/.

    `is_file`, not `exists`: a folder that happens to be called `demo` in the current directory
    must not shadow the `demo` preset.
    """
    p = Path(path_or_preset)
    if p.is_file() or p.suffix or len(p.parts) > 1:
        if not p.exists():
            raise MissingPath("path_missing", path=p)
        return p
    try:
        return resource_path("plans", f"{p.name}.toml", workspace)
    except FileNotFoundError:
        raise MissingPath("unknown_plan", name=p.name, presets=list_presets(workspace)) from None


def plan_from_dict(data: dict[str, Any], file: str = "<plan>", path: Path | None = None) -> Plan:
    """Build a Plan from parsed TOML, raising PlanError on the first problem found."""
    meta = data.get("plan")
    if not isinstance(meta, dict):
        raise PlanError("no_plan_section", file=file)
    _check_fields(meta, _PLAN_FIELDS, file, "[plan]")
    for key in ("name", "organisation", "source_document"):
        if not meta.get(key):
            raise PlanError("missing_field", file=file, where="[plan]", field=key)
    raw_targets = data.get("targets")
    if not raw_targets:
        raise PlanError("no_targets", file=file)
    targets = tuple(_target(raw, file, i) for i, raw in enumerate(raw_targets, start=1))
    return Plan(
        name=meta["name"],
        organisation=meta["organisation"],
        source_document=meta["source_document"],
        targets=targets,
        period_start=_period(meta, "period_start", file, "[plan]", required=False),
        period_end=_period(meta, "period_end", file, "[plan]", required=False),
        name_en=meta.get("name_en"),
        note=meta.get("note"),
        path=path,
    )


def _check_fields(raw: dict[str, Any], allowed: set[str], file: str, where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise PlanError("unknown_field", file=file, where=where, field=key)


def _period(raw: dict[str, Any], key: str, file: str, where: str, required: bool = True) -> Period | None:
    if key not in raw:
        if required:
            raise PlanError("missing_field", file=file, where=where, field=key)
        return None
    try:
        return parse_period(raw[key])
    except ValueError:
        raise PlanError("bad_period", file=file, where=where, value=raw[key]) from None


def _number(raw: dict[str, Any], key: str, file: str, where: str, required: bool = True) -> float | None:
    if key not in raw:
        if required:
            raise PlanError("missing_field", file=file, where=where, field=key)
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError("bad_number", file=file, where=where, field=key, value=value)
    return value


def _target(raw: dict[str, Any], file: str, index: int) -> Target:
    """One [[targets]] entry, checked in the order an editor would fix things."""
    kpi_id = raw.get("kpi")
    where = f"目標 #{index}（{kpi_id or '?'}）"
    _check_fields(raw, _TARGET_FIELDS, file, where)
    for key in ("kpi", "source"):
        if not raw.get(key):
            raise PlanError("missing_field", file=file, where=where, field=key)
    if kpi_id not in KPIS:
        raise PlanError("unknown_kpi", file=file, where=where, kpi=kpi_id)
    status = raw.get("status", "set")
    if status not in ("set", "target_not_set"):
        raise PlanError("bad_status", file=file, where=where, value=status)
    required = status == "set"
    if required:
        for key in _SET_REQUIRED:
            if key not in raw:
                raise PlanError("missing_field", file=file, where=where, field=key)
    comparator = raw.get("comparator")
    if comparator is not None:
        _check_comparator(comparator, kpi_id, file, where)
    baseline_period = _period(raw, "baseline_period", file, where, required=False)
    target_period = _period(raw, "target_period", file, where, required=False)
    if baseline_period and target_period and target_period.year <= baseline_period.year:
        raise PlanError("target_before_baseline", file=file, where=where,
                        target_period=target_period.label, baseline_period=baseline_period.label)
    interim = _milestones(raw.get("interim", []), file, where)
    if required:
        assert baseline_period and target_period
        for m in interim:
            if not baseline_period.year < m.period.year < target_period.year:
                raise PlanError("interim_outside", file=file, where=where, period=m.period.label)
    apply = raw.get("apply_to_divisions", False)
    if not isinstance(apply, bool):
        raise PlanError("bad_bool", file=file, where=where, field="apply_to_divisions")
    return Target(
        kpi=kpi_id,
        source=raw["source"],
        breakdown=raw.get("breakdown"),
        label=raw.get("label"),
        status=status,
        baseline=_number(raw, "baseline", file, where, required=False),
        baseline_period=baseline_period,
        target=_number(raw, "target", file, where, required=False),
        target_period=target_period,
        comparator=comparator,
        interim=interim,
        observed=_milestones(raw.get("observed", []), file, where),
        scope=str(raw.get("scope", ORG_SCOPE)),
        apply_to_divisions=apply,
        note=raw.get("note"),
        overrides=_overrides(raw.get("override", []), raw.get("scope", ORG_SCOPE), file, where),
    )


def _check_comparator(comparator: Any, kpi_id: str, file: str, where: str) -> None:
    """`<=` on a higher-is-better KPI (or `>=` on lower-is-better) is almost surely a typo."""
    if comparator not in COMPARATORS:
        raise PlanError("bad_comparator", file=file, where=where, value=comparator)
    direction = get_kpi(kpi_id).direction
    if (direction == "higher" and comparator == "<=") or (direction == "lower" and comparator == ">="):
        raise PlanError("comparator_direction", file=file, where=where, comparator=comparator,
                        kpi=kpi_id, direction=both(f"direction.{direction}"))


def _milestones(items: list[dict[str, Any]], file: str, where: str) -> tuple[Milestone, ...]:
    out = []
    for item in items:
        _check_fields(item, {"period", "value", "note"}, file, where)
        period = _period(item, "period", file, where)
        value = _number(item, "value", file, where)
        assert period is not None and value is not None
        out.append(Milestone(period, value))
    return tuple(sorted(out, key=lambda m: m.period.year))


def _overrides(items: list[dict[str, Any]], scope: str, file: str, where: str) -> tuple[Override, ...]:
    out = []
    default_unit = ORG_CODE if scope == ORG_SCOPE else scope
    for item in items:
        _check_fields(item, {"period", "rating", "reason", "unit_code"}, file, where)
        period = _period(item, "period", file, where)
        assert period is not None
        if item.get("rating") not in RATINGS:
            raise PlanError("bad_rating", file=file, where=where, value=item.get("rating"))
        if not item.get("reason"):
            raise PlanError("missing_field", file=file, where=where, field="override.reason")
        out.append(Override(period, item["rating"], item["reason"], item.get("unit_code", default_unit)))
    return tuple(out)


# --------------------------------------------------------------------------- display


def _value_text(value: float, unit: str, lang: str) -> str:
    """The value as the plan wrote it (49.0 stays 49.0, 120 stays 120) with its unit."""
    unit_text = message(f"unit.{unit}", lang) if f"unit.{unit}" in MESSAGES else unit
    return f"{value}{unit_text}" if unit_text == "%" else f"{value} {unit_text}"


def format_plan(plan: Plan, lang: str = "ja") -> str:
    """A readable listing of the plan: each KPI with baseline, target, comparator and source."""
    name = plan.name if lang == "ja" or not plan.name_en else plan.name_en
    lines = [f"{_label('plan', lang)}: {name}",
             f"{_label('organisation', lang)}: {plan.organisation}",
             f"{_label('source', lang)}: {plan.source_document}"]
    if plan.period_start and plan.period_end:
        lines.append(f"{_label('period', lang)}: {plan.period_start.display(lang)} 〜 "
                     f"{plan.period_end.display(lang)}")
    for t in plan.targets:
        lines.append("")
        lines.extend(_format_target(t, lang))
    return "\n".join(lines)


def _label(key: str, lang: str) -> str:
    return message(f"plan_label.{key}", lang)


def _format_target(t: Target, lang: str) -> list[str]:
    kpi = get_kpi(t.kpi)
    head = f"■ {kpi.label(lang)} [{t.kpi}{'/' + t.breakdown if t.breakdown else ''}]"
    out = [head]
    if t.label:
        out.append(f"  {_label('as_written', lang)}: {t.label}")
    if t.scope != ORG_SCOPE or t.apply_to_divisions:
        scope = t.scope if t.scope != ORG_SCOPE else _label("whole_organisation", lang)
        extra = _label("every_division", lang) if t.apply_to_divisions else ""
        out.append(f"  {_label('scope', lang)}: {scope}{extra}")
    if t.baseline is not None and t.baseline_period is not None:
        out.append(f"  {_label('baseline', lang)}: {_value_text(t.baseline, kpi.unit, lang)} "
                   f"({t.baseline_period.display(lang)})")
    for m in t.observed:
        out.append(f"  {_label('published_actual', lang)}: "
                   f"{_value_text(m.value, kpi.unit, lang)} ({m.period.display(lang)})")
    if not t.has_target:
        out.append(f"  {_label('target', lang)}: {_label('target_not_set', lang)}")
    else:
        assert t.target is not None and t.target_period is not None and t.comparator is not None
        for m in t.interim:
            out.append(f"  {_label('interim', lang)}: {_value_text(m.value, kpi.unit, lang)} "
                       f"({m.period.display(lang)})")
        comparator = _label("at_least" if t.comparator == ">=" else "at_most", lang)
        out.append(f"  {_label('target', lang)}: {_value_text(t.target, kpi.unit, lang)} "
                   f"{comparator} [{t.comparator}] ({t.target_period.display(lang)})")
    for o in t.overrides:
        out.append(f"  {_label('rating_override', lang)}: {o.period.display(lang)} {o.rating} — {o.reason}")
    out.append(f"  {_label('source', lang)}: {t.source}")
    if t.note:
        out.append(f"  {_label('note', lang)}: {t.note}")
    return out


# --------------------------------------------------------------------------- national reference


@dataclass(frozen=True)
class Reference:
    """A national average shown beside a KPI: context only, never a target, never used to rate."""

    kpi: str
    value: float
    period: Period
    scope_ja: str
    scope_en: str
    definition_ja: str
    definition_en: str
    source: str
    breakdown: str | None = None
    note: str | None = None

    def label(self, lang: str = "ja") -> str:
        """Short legend text such as `全国参考値（市区町村, FY2023）: 130.0`."""
        if lang == "ja":
            return f"全国参考値（{self.scope_ja}, {self.period.label}）: {self.value}"
        return f"National reference ({self.scope_en}, {self.period.label}): {self.value}"


REFERENCE_FILE = "national_reference.toml"
_REFERENCE_FIELDS = {"kpi", "breakdown", "value", "period", "scope_ja", "scope_en", "definition_ja",
                     "definition_en", "source", "note"}


def load_references(workspace: Path | None = None) -> tuple[Reference, ...]:
    """Every national reference value, checked like a plan (unknown KPI or field is an error)."""
    path = resource_path("plans", REFERENCE_FILE, workspace)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out = []
    for i, raw in enumerate(data.get("reference", []), start=1):
        where = f"参考値 #{i}（{raw.get('kpi', '?')}）"
        _check_fields(raw, _REFERENCE_FIELDS, path.name, where)
        for key in sorted(_REFERENCE_FIELDS - {"breakdown", "note"}):
            if key not in raw:
                raise PlanError("missing_field", file=path.name, where=where, field=key)
        if raw["kpi"] not in KPIS:
            raise PlanError("unknown_kpi", file=path.name, where=where, kpi=raw["kpi"])
        period = _period(raw, "period", path.name, where)
        value = _number(raw, "value", path.name, where)
        assert period is not None and value is not None
        out.append(Reference(
            kpi=raw["kpi"], value=value, period=period,
            scope_ja=raw["scope_ja"], scope_en=raw["scope_en"], definition_ja=raw["definition_ja"],
            definition_en=raw["definition_en"], source=raw["source"], breakdown=raw.get("breakdown"),
            note=raw.get("note"),
        ))
    return tuple(out)


def national_reference(
    kpi: str, breakdown: str | None = None, workspace: Path | None = None
) -> list[Reference]:
    """National reference values for a KPI (and breakdown), municipal values first as filed."""
    return [r for r in load_references(workspace) if r.kpi == kpi and r.breakdown == breakdown]


def references_frame(workspace: Path | None = None, lang: str = "ja") -> pl.DataFrame:
    """All national reference values as a table for charts (kpi, breakdown, year, value, ...)."""
    refs = load_references(workspace)
    return pl.DataFrame(
        {"kpi": [r.kpi for r in refs], "breakdown": [r.breakdown for r in refs],
         "period": [r.period.label for r in refs], "year": [r.period.year for r in refs],
         "value": [float(r.value) for r in refs],
         "scope": [r.scope_ja if lang == "ja" else r.scope_en for r in refs],
         "label": [r.label(lang) for r in refs], "source": [r.source for r in refs]},
        schema={"kpi": pl.String, "breakdown": pl.String, "period": pl.String, "year": pl.Int64,
                "value": pl.Float64, "scope": pl.String, "label": pl.String, "source": pl.String},
    )
