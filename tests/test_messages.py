"""The one message registry: every entry speaks both languages with the same template fields,
and every module's texts are in it (nothing registered at import time is left out)."""

from __future__ import annotations

import importlib
import pkgutil
import string

import pytest

import hrmetrics
from hrmetrics.errors import UserError
from hrmetrics.messages import LANGS, MESSAGES, both, message


def _all_modules() -> list[str]:
    """Every module of the package, so entries registered at import time are counted too."""
    names = [m.name for m in pkgutil.walk_packages(hrmetrics.__path__, "hrmetrics.")]
    for name in names:
        importlib.import_module(name)
    return names


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_message_has_every_language_with_the_same_fields() -> None:
    assert len(_all_modules()) > 40
    assert len(MESSAGES) > 100
    problems = []
    for code, entry in MESSAGES.items():
        missing = [lang for lang in LANGS if not str(entry.get(lang, "")).strip()]
        if missing:
            problems.append(f"{code}: no {missing}")
        elif len({frozenset(_fields(entry[lang])) for lang in LANGS}) != 1:
            problems.append(f"{code}: fields differ {[sorted(_fields(entry[lang])) for lang in LANGS]}")
    assert problems == []


def test_a_message_is_rendered_in_the_asked_language() -> None:
    assert message("path_missing", "en", path="x.csv") == "'x.csv' does not exist"
    assert message("path_missing", "ja", path="x.csv") == "「x.csv」が見つかりません"
    assert both("direction.lower") == {"ja": "低いほど良い", "en": "lower is better"}
    assert message("kpi_group.total", "en") == "Total"


@pytest.mark.parametrize("lang", LANGS)
def test_a_user_error_renders_a_field_given_in_both_languages(lang: str) -> None:
    from hrmetrics.plans import PlanError

    err = PlanError("comparator_direction", file="p.toml", where="[[targets]] 1", comparator=">=",
                    kpi="overtime_hours_per_staff", direction=both("direction.lower"))
    assert isinstance(err, UserError) and err.code == "comparator_direction"
    expected = {"ja": "p.toml: [[targets]] 1: comparator「>=」は KPI「overtime_hours_per_staff」の方向"
                      "（低いほど良い）と矛盾します",
                "en": "p.toml: [[targets]] 1: comparator '>=' contradicts the direction of KPI "
                      "'overtime_hours_per_staff' (lower is better)"}
    assert err.message(lang) == expected[lang]
