"""Open a page in headless Chromium from file:// with the network cut off, for the browser tests.

Every request that is not file: or data: is aborted and recorded, so a test can assert that a
report never reaches out (municipal networks are closed) and that its charts still draw.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def open_offline(page_url: str, screenshot: Path | None = None, timeout_ms: int = 60_000) -> dict:
    """Load a page; return the chart placeholders seen, console errors and outside requests."""
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
            page.on("request",
                    lambda r: None if r.url.startswith(("file:", "data:")) else foreign.append(r.url))
            page.goto(page_url, wait_until="load")
            page.wait_for_function(
                "Array.from(document.querySelectorAll('[data-spec]'))"
                ".every(e => e.querySelector('svg, canvas'))",
                timeout=timeout_ms,
            )
            charts = page.evaluate(
                "Array.from(document.querySelectorAll('[data-spec]')).map(e => ({id: e.id, "
                "drawn: !!e.querySelector('svg, canvas'), "
                "marks: e.querySelectorAll('svg path, svg text').length}))"
            )
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"charts": charts, "errors": errors, "foreign": foreign}
