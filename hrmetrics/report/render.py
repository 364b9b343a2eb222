"""Turning altair charts into Vega-Lite specs (for the HTML) and PNG/SVG files (for slides/print).

vl-convert renders without a browser; the bundled font is registered first so Japanese labels
are real glyphs, and the ja-JP locale gives 1,234 and 1月 formats.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from hrmetrics.report import theme


def to_spec(chart: Any) -> dict[str, Any]:
    """Themed Vega-Lite spec as a plain dict (data inlined, already aggregated).

    Schema validation is skipped: it costs about a second per chart (most of the report's build
    time) and the specs are produced by our own chart builders, whose tests render them.
    """
    return theme.apply_theme(chart).to_dict(validate=False)


def spec_json(spec: dict[str, Any]) -> str:
    """JSON safe to place inside a <script type="application/json"> element.

    `<`, `>` and `&` are escaped as \\u003c etc., so no input string can close the script tag.
    """
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PNG_MAX_HEIGHT = 2400
"""Tallest chart, in CSS px, also written as PNG. A division chart of a large city (340 rows:
8,000 px) is no slide or printed page; its PNG took 2–6 s and 5–12 MB each. Such a chart is
written as SVG only, which scales to any page and opens in Office 2016+, LibreOffice and browsers."""


def save_images(spec: dict[str, Any], stem: Path, lang: str = "ja") -> list[Path]:
    """Write `<stem>.svg`, and `<stem>.png` (2× scale) unless the chart is taller than
    PNG_MAX_HEIGHT, with Japanese glyphs and locale. Returns the files written."""
    import vl_convert as vlc

    theme.register_fonts()
    fmt, tfmt = theme.locales()
    svg = vlc.vegalite_to_svg(spec, format_locale=fmt, time_format_locale=tfmt)
    svg_path = stem.with_suffix(".svg")
    svg_path.write_text(svg, encoding="utf-8")
    if svg_height(svg) > PNG_MAX_HEIGHT:
        return [svg_path]
    png_path = stem.with_suffix(".png")
    png_path.write_bytes(vlc.svg_to_png(svg, scale=2))  # rasterise the SVG: one Vega run, not two
    return [svg_path, png_path]


def svg_height(svg: str) -> float:
    """The root element's height in px (vl-convert writes `height="305"` on <svg>)."""
    match = re.search(r'<svg\b[^>]*?\sheight="([0-9.]+)', svg)
    return float(match.group(1)) if match else 0.0


_BUNDLE: str | None = None

BUNDLE_FILE = "vega-bundle.js"
"""The Vega + Vega-Lite + vega-embed bundle in the report's shared `assets/` folder."""


def js_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one script (~900 KB). vl-convert takes ~3 s to build it,
    so it is built once per vl-convert version and kept in the user's cache folder."""
    global _BUNDLE
    if _BUNDLE is None:
        import vl_convert as vlc

        cached = _cache_dir() / f"vega-bundle-{vlc.__version__}.js"
        if cached.is_file():
            _BUNDLE = cached.read_text(encoding="utf-8")
        else:
            _BUNDLE = vlc.javascript_bundle().replace("</script", "<\\/script")
            _write_atomically(cached, _BUNDLE)
    return _BUNDLE


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrmetrics"


def _write_atomically(path: Path, text: str) -> None:
    """A cache is a convenience: a folder we cannot write is skipped, and a half-written file is
    never seen (written beside, then renamed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def write_assets(folder: Path) -> Path:
    """Write the chart bundle once into `folder` (the report's `assets/`), for every page of the
    report to load by relative path: offline, from file://, with no copy per manager pack."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUNDLE_FILE
    path.write_text(js_bundle(), encoding="utf-8")
    return path
