"""Headless Chromium opens the report and a manager pack from file:// with the network blocked.

Every chart placeholder must hold a rendered <svg>/<canvas>, the console must be free of errors and
no request may leave for anything but file:/data:.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_fixtures as fx

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (scripts/setup.sh --test)"
    ),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from hrmetrics.report import build_report

    out = tmp_path_factory.mktemp("browser")
    return build_report(
        out,
        fx.kpis(),
        fx.progress(),
        fx.survey(),
        fx.quality(),
        fx.rejects(),
        references=fx.references(),
        images=False,
    )


def _open(page_url: str, screenshot: Path | None = None) -> dict:
    """Load a page with all non-file requests aborted; return charts/errors/requests seen."""
    from playwright.sync_api import sync_playwright

    foreign: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def route(r):
                if r.request.url.startswith(("file:", "data:")):
                    r.continue_()
                else:
                    foreign.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on(
                "request", lambda r: None if r.url.startswith(("file:", "data:")) else foreign.append(r.url)
            )
            page.goto(page_url, wait_until="load")
            page.wait_for_function(
                "Array.from(document.querySelectorAll('[data-spec]'))"
                ".every(e => e.querySelector('svg, canvas'))",
                timeout=30_000,
            )
            result = page.evaluate(
                "Array.from(document.querySelectorAll('[data-spec]')).map(e => ({id: e.id, "
                "drawn: !!e.querySelector('svg, canvas'), "
                "marks: e.querySelectorAll('svg path, svg text').length}))"
            )
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"charts": result, "errors": errors, "foreign": foreign}


@pytest.mark.parametrize("which", ["index", "pack"])
def test_report_renders_offline(report, which, tmp_path):
    path = report.index if which == "index" else report.divisions["DIV-JINJI"]
    shot = (
        Path(os.environ["HRM_SCREENSHOT_DIR"]) / f"{which}.png"
        if os.environ.get("HRM_SCREENSHOT_DIR")
        else None
    )
    seen = _open(path.resolve().as_uri(), shot)
    assert seen["charts"], "no chart placeholders found"
    assert all(c["drawn"] and c["marks"] > 3 for c in seen["charts"]), seen["charts"]
    assert seen["errors"] == []
    assert seen["foreign"] == []
    if which == "index":
        assert {"trend-overtime_hours_per_staff", "survey-heat", "caps", "panel"} <= {
            c["id"] for c in seen["charts"]
        }


def test_html_has_no_external_references(report):
    """Belt and braces for the browser check: no http(s) URL in any src/href and one bundle per page."""
    import re

    for path in [report.index, *report.divisions.values()]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path
        assert text.count("window.vegaEmbed=") == 1, path
