"""One visual language for every chart: fonts, palette, sizes, Japanese number/date locale.

Charts never set their own fonts or base colours; they call `apply_theme` so the HTML report,
the manager packs and the PNG/SVG copies all look the same.
"""

from __future__ import annotations

from typing import Any

FONT_FAMILY = (
    "IPAexGothic, 'IPAexゴシック', 'Noto Sans CJK JP', 'Noto Sans JP', 'Yu Gothic', YuGothic, "
    "Meiryo, 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', sans-serif"
)
"""Bundled font first (used by vl-convert for PNG/SVG), then the usual Windows/macOS fonts."""

INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACTUAL = "#1f4e79"  # organisation / the unit in focus: deep navy
ORG_COMPARE = "#8a9bb0"  # organisation line when a division is in focus
TARGET = "#b45309"  # target and trajectory: muted amber, never grey
REFERENCE = "#7f7f7f"  # national reference: grey, dashed
BAND80 = "#9db7d5"
BAND95 = "#d6e2ef"
UP = "#1a7f37"
DOWN = "#b42318"
SUPPRESSED = "#d1d5db"
SEQUENTIAL = "blues"

_REGISTERED = False


def register_fonts() -> None:
    """Register the bundled Japanese font with vl-convert once per process.

    vl-convert renders PNG/SVG without a browser and so without the viewer's fonts; without this
    call a machine lacking Japanese fonts produces tofu boxes.
    """
    global _REGISTERED
    if _REGISTERED:
        return
    import vl_convert as vlc

    from hrmetrics.resources import font_dir

    vlc.register_font_directory(str(font_dir()))
    _REGISTERED = True


def theme_config() -> dict[str, Any]:
    """The Vega-Lite `config` block shared by all charts."""
    return {
        "font": FONT_FAMILY,
        "background": "white",
        "padding": 8,
        "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 240},
        "title": {
            "fontSize": 14,
            "fontWeight": "bold",
            "color": INK,
            "anchor": "start",
            "offset": 10,
            "subtitleFontSize": 11,
            "subtitleColor": MUTED,
        },
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleColor": MUTED,
            "labelColor": INK,
            "gridColor": GRID,
            "domainColor": "#9ca3af",
            "tickColor": "#9ca3af",
            "titleFontWeight": "normal",
        },
        "legend": {
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleColor": MUTED,
            "orient": "bottom",
            "titleFontWeight": "normal",
        },
        "header": {"labelFontSize": 11, "titleFontSize": 11},
        "text": {"fontSize": 11, "color": INK},
        "line": {"strokeWidth": 2},
        "range": {"category": [ACTUAL, TARGET, "#4b7f52", "#7c5c99", "#a05a2c", "#3b8ea5"]},
    }


def apply_theme(chart: Any) -> Any:
    """Attach the shared config to a top-level altair chart (layer/concat/single)."""
    return chart.configure(**theme_config())


def locales() -> tuple[dict[str, Any], dict[str, Any]]:
    """d3 number and time locales for Japanese (thousands separator, 1月 ... 12月)."""
    import vl_convert as vlc

    return vlc.get_format_locale("ja-JP"), vlc.get_time_format_locale("ja-JP")
