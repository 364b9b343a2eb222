"""The user guide must keep up with the code it documents."""

from __future__ import annotations

from pathlib import Path

from hrmetrics.kpis.catalog import CATALOG
from hrmetrics.plans import list_presets

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_defines_every_kpi_of_the_catalogue() -> None:
    missing = [k.id for k in CATALOG if f"`{k.id}`" not in README]
    assert missing == []


def test_readme_names_every_preset() -> None:
    missing = [p for p in list_presets() if f"`{p}`" not in README]
    assert missing == []


def test_readme_first_section_gives_the_two_commands() -> None:
    setup = README.split("## Set up (two commands)")[1].split("\n## ")[0]
    assert "bash scripts/setup.sh && .venv/bin/hrmetrics demo" in setup
    assert "bash scripts/test.sh" in setup
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


def test_the_extending_guide_names_only_files_that_exist() -> None:
    """docs/extending.md: each step names the files to touch; a renamed or removed file fails here."""
    import re

    root = Path(__file__).resolve().parents[1]
    guide = (root / "docs" / "extending.md").read_text(encoding="utf-8")
    paths = {p for p in re.findall(r"`([\w./-]+\.(?:py|toml|json|md))`", guide) if "<" not in p}
    assert len(paths) >= 15
    assert sorted(p for p in paths if not (root / p).exists()) == []
    for heading in ("## Add a KPI", "## Add a dataset", "## Add a report section"):
        assert heading in guide
    # the names the KPI recipe relies on are still there
    from hrmetrics.kpis import engine, overtime, workforce

    assert all(hasattr(m, n) for m, n in ((engine, "HR_DEFS"), (engine, "check_registry"),
                                          (overtime, "DEFS"), (overtime, "staff_fy"),
                                          (overtime, "unit_months"), (workforce, "DERIVED")))


def test_readme_has_a_bring_your_survey_section() -> None:
    section = README.split("#### Bring your survey")[1].split("\n### ")[0]
    for words in ("Viva Glint", "attributes file", "Microsoft Forms", "Google Forms",
                  "survey_items.draft.csv", "[survey]", "unit_column", "overall_item"):
        assert words in section, words
