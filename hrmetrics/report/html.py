"""Render a page model to one self-contained HTML file with jinja2 (autoescape on).

The Vega bundle is inlined once per page and every chart spec sits in its own JSON script
element, so the file opens from file:// with no request to any host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrmetrics.report import render, theme
from hrmetrics.report.labels import t
from hrmetrics.resources import resource_path


@dataclass
class Page:
    """What a template needs: texts, sections of blocks, chart specs."""

    lang: str
    title: str
    subtitle: str
    org_name: str
    footer: str
    notice: str = ""
    sections: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)

    def add_chart(self, chart_id: str, spec: dict[str, Any]) -> None:
        self.charts.append({"id": chart_id, "json": render.spec_json(spec)})


def _environment(workspace: Path | None) -> Any:
    import jinja2

    folder = resource_path("reports", "templates", workspace)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def render_page(page: Page, path: Path, workspace: Path | None = None) -> Path:
    """Write the page; the chart bundle and the locale are embedded only if there are charts."""
    env = _environment(workspace)
    css = (Path(env.loader.searchpath[0]) / "report.css").read_text(encoding="utf-8")
    fmt, tfmt = theme.locales() if page.charts else ({}, {})
    locale = {
        "format": fmt,
        "time": tfmt,
        "error": t(page.lang, "グラフを表示できません", "The chart could not be drawn"),
    }
    locale_json = json.dumps(locale, ensure_ascii=False).replace("<", "\\u003c")
    html = env.get_template("report.html.j2").render(
        page={
            **page.__dict__,
            "toc_label": t(page.lang, "目次", "Contents"),
            "locale_json": locale_json,
            "bundle": render.js_bundle() if page.charts else "",
        },
        css=css,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
