"""Turning altair charts into Vega-Lite specs (for the HTML) and PNG/SVG files (for slides/print).

vl-convert renders without a browser; the bundled font is registered first so Japanese labels
are real glyphs, and the ja-JP locale gives 1,234 and 1月 formats.
"""

from __future__ import annotations

import json
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


def save_images(spec: dict[str, Any], stem: Path, lang: str = "ja") -> tuple[Path, Path]:
    """Write `<stem>.svg` and `<stem>.png` (2× scale) with Japanese glyphs and locale."""
    import vl_convert as vlc

    theme.register_fonts()
    fmt, tfmt = theme.locales()
    svg = vlc.vegalite_to_svg(spec, format_locale=fmt, time_format_locale=tfmt)
    png = vlc.svg_to_png(svg, scale=2)  # rasterise the SVG: one Vega run per chart, not two
    svg_path, png_path = stem.with_suffix(".svg"), stem.with_suffix(".png")
    svg_path.write_text(svg, encoding="utf-8")
    png_path.write_bytes(png)
    return svg_path, png_path


_BUNDLE: str | None = None

BUNDLE_FILE = "vega-bundle.js"
"""The Vega + Vega-Lite + vega-embed bundle in the report's shared `assets/` folder."""


def js_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one script (built once per process, ~900 KB)."""
    global _BUNDLE
    if _BUNDLE is None:
        import vl_convert as vlc

        _BUNDLE = vlc.javascript_bundle().replace("</script", "<\\/script")
    return _BUNDLE


def write_assets(folder: Path) -> Path:
    """Write the chart bundle once into `folder` (the report's `assets/`), for every page of the
    report to load by relative path: offline, from file://, with no copy per manager pack."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUNDLE_FILE
    path.write_text(js_bundle(), encoding="utf-8")
    return path
