"""Render a `Report` to one HTML file with jinja2 (autoescape on).

Every chart spec sits in its own JSON script element. The Vega bundle is either loaded from the
report's shared `assets/` folder by relative path (the organisation report and the manager packs:
one ~1 MB copy for the whole report) or inlined (a page meant to travel alone). Either way the
page opens from file:// with no request to any host.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from hrmetrics.report import render, theme
from hrmetrics.report.labels import t
from hrmetrics.report.model import Report
from hrmetrics.resources import resource_path


def _environment(workspace: Path | None) -> Any:
    return _environment_at(str(resource_path("reports", "templates", workspace)))


@functools.cache
def _environment_at(folder: str) -> Any:
    """One environment per template folder and process, so the template is compiled once, not
    once per manager pack (compiling cost ~50 ms a page: 15 s of a 310-pack report)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def render_html(report: Report, workspace: Path | None = None, assets: str | None = None) -> str:
    """The page's HTML; the chart bundle and the locale are included only if there are charts.

    `assets`: relative URL of the folder holding `render.BUNDLE_FILE` (e.g. `"../assets/"`);
    None inlines the bundle instead.
    """
    env = _environment(workspace)
    css = (Path(env.loader.searchpath[0]) / "report.css").read_text(encoding="utf-8")
    charts = [{"id": c.id, "json": render.spec_json(c.spec)} for c in report.charts()]
    fmt, tfmt = theme.locales() if charts else ({}, {})
    locale = {
        "format": fmt,
        "time": tfmt,
        "error": t(report.lang, "グラフを表示できません", "The chart could not be drawn"),
        "missing": t(
            report.lang,
            "グラフを表示できません（このファイルと同じ階層の assets フォルダが必要です）",
            "The chart could not be drawn (the report's assets folder must sit next to this file's folder)",
        ),
    }
    locale_json = json.dumps(locale, ensure_ascii=False).replace("<", "\\u003c")
    return env.get_template("report.html.j2").render(
        report=report,
        charts=charts,
        toc_label=t(report.lang, "目次", "Contents"),
        locale_json=locale_json,
        bundle=render.js_bundle() if charts and assets is None else "",
        bundle_src=f"{assets}{render.BUNDLE_FILE}" if charts and assets is not None else "",
        css=css,
    )


def write_html(report: Report, path: Path, workspace: Path | None = None, assets: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, workspace, assets), encoding="utf-8")
    return path
