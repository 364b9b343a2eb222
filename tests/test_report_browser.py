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
from offline_browser import CHROMIUM, open_offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (scripts/setup.sh --test)"
    ),
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


@pytest.mark.parametrize("which", ["index", "pack"])
def test_report_renders_offline(report, which, tmp_path):
    path = report.index if which == "index" else report.divisions["DIV-JINJI"]
    shot = (
        Path(os.environ["HRM_SCREENSHOT_DIR"]) / f"{which}.png"
        if os.environ.get("HRM_SCREENSHOT_DIR")
        else None
    )
    seen = open_offline(path.resolve().as_uri(), shot)
    assert seen["charts"], "no chart placeholders found"
    assert all(c["drawn"] and c["marks"] > 3 for c in seen["charts"]), seen["charts"]
    assert seen["errors"] == []
    assert seen["foreign"] == []
    if which == "index":
        assert {"trend-overtime_hours_per_staff", "survey-heat", "caps", "panel"} <= {
            c["id"] for c in seen["charts"]
        }


def test_html_has_no_external_references(report):
    """Belt and braces for the browser check: no http(s) URL in any src/href; every page loads the
    one shared bundle by relative path and inlines none."""
    import re

    bundle = report.index.parent / "assets" / "vega-bundle.js"
    assert bundle.read_text(encoding="utf-8").count("window.vegaEmbed=") == 1
    for path in [report.index, *report.divisions.values()]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path
        assert "window.vegaEmbed=" not in text, path
        srcs = re.findall(r'<script src="([^"]+)"', text)
        assert srcs == (["assets/vega-bundle.js"] if path == report.index else ["../assets/vega-bundle.js"])
        assert (path.parent / srcs[0]).resolve() == bundle.resolve()


def test_pack_copied_alone_with_the_assets_renders_offline(report, tmp_path):
    """A manager pack mailed to its division as a folder (the pack + assets/) draws every chart with
    no network; without assets/ it says what is missing instead of failing silently."""
    import shutil

    pack = report.divisions["DIV-JINJI"]
    copy = tmp_path / "for-jinji"
    (copy / "divisions").mkdir(parents=True)
    shutil.copy(pack, copy / "divisions" / pack.name)
    shutil.copytree(report.index.parent / "assets", copy / "assets")
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == [
        "assets/vega-bundle.js", f"divisions/{pack.name}"]
    seen = open_offline((copy / "divisions" / pack.name).resolve().as_uri())
    assert seen["charts"] and all(c["drawn"] and c["marks"] > 3 for c in seen["charts"]), seen["charts"]
    assert seen["errors"] == [] and seen["foreign"] == []
