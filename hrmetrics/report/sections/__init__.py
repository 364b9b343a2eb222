"""The report's sections, one module each; `reports/layout.toml` says which appear, in which order.

A section module defines

    IN_PACKS: bool                      # also shown in a division's manager pack?
    def build(inp: ReportInputs) -> Sequence[Block]

and is found by its layout entry: `id = "caps"` loads `hrmetrics.report.sections.caps`; an entry
may instead name any importable module with `module = "my_city.sections.extra"`. So adding a
section is one module plus one `[[sections]]` entry; no renderer changes.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from hrmetrics.report.model import Section
from hrmetrics.report.sections._base import ORG, ReportInputs
from hrmetrics.report.sections._projection import _projection_cell, projection_note

__all__ = ["ORG", "ReportInputs", "_projection_cell", "build_sections", "projection_note", "section_module"]


def section_module(entry: dict[str, Any]) -> ModuleType:
    """The module that builds a layout entry's section."""
    name = entry.get("module") or f"{__name__}.{entry['id']}"
    module = importlib.import_module(name)
    if not callable(getattr(module, "build", None)):
        raise TypeError(f"report section module {name} has no build(inp) function")
    return module


def build_sections(inp: ReportInputs) -> tuple[Section, ...]:
    """The layout's sections for the organisation report, or the pack subset for a division."""
    out = []
    for entry in inp.layout["sections"]:
        module = section_module(entry)
        if inp.in_pack and not getattr(module, "IN_PACKS", False):
            continue
        title = entry.get(f"title_{inp.lang}", entry.get("title_ja", entry["id"]))
        out.append(Section(entry["id"], title, tuple(module.build(inp))))
    return tuple(out)
