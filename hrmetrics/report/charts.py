"""Chart builders. Each takes small, already aggregated polars frames and returns a themed Vega-Lite
spec (a dict).

No chart computes a KPI: values come from the KPI/progress/survey tables as they are. Every frame
is reduced to the columns a chart draws before it is handed to altair, because altair embeds
its data in the chart (and so in the HTML and SVG).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import polars as pl

from hrmetrics.jpcalendar import era_short_label_js
from hrmetrics.report import theme
from hrmetrics.report.labels import HIDDEN, decimals, t
from hrmetrics.report.render import to_spec


def _fy_axis(lang: str) -> dict[str, Any]:
    """Year axis labelled FY2024 (en) or R6 (ja, short enough for ticks)."""
    # Reiwa from FY2019 (R1), Heisei before it (FY2018 = H30); 元年 written as 1 to keep ticks short.
    expr = era_short_label_js() if lang == "ja" else "'FY' + datum.value"
    return {"format": "d", "labelExpr": expr, "tickMinStep": 1, "title": None, "grid": False}


def _fmt(unit: str) -> str:
    return f",.{decimals(unit)}f"


def trend_chart(
    actual: pl.DataFrame,
    unit: str,
    lang: str = "ja",
    *,
    compare: pl.DataFrame | None = None,
    trajectory: pl.DataFrame | None = None,
    target: pl.DataFrame | None = None,
    band: pl.DataFrame | None = None,
    reference: pl.DataFrame | None = None,
    title: str = "",
    focus_label: str | None = None,
) -> dict[str, Any]:
    """Line of the unit in focus with, when given, the organisation line, the plan trajectory,
    the target point, the 80/95% projection band and the national reference (dashed grey, 参考値).

    `actual`, `compare`, `trajectory`, `reference`: columns year, value. `target`: year, value.
    `band`: year, pi80_low, pi80_high, pi95_low, pi95_high.

    The spec is the cached template of its unit and language (`_trend_template`, built once
    through altair) filled with this unit's data: a report with 300 manager packs builds seven
    templates, not 2,000 altair charts. Layers without data (no band, no target) stay in the
    spec with an empty dataset and draw nothing.
    """
    names = [focus_label or t(lang, "実績", "Actual")]
    lines: list[pl.DataFrame] = [
        actual.select("year", "value").with_columns(pl.lit(names[0]).alias("series"))
    ]
    styles = {names[0]: (theme.ACTUAL, [1, 0])}
    for frame, label, color, dash in (
        (compare, t(lang, "組織全体", "Organisation"), theme.ORG_COMPARE, [1, 0]),
        (trajectory, t(lang, "計画の経路", "Plan trajectory"), theme.TARGET, [2, 3]),
        (reference, t(lang, "参考値（全国）", "Reference (national)"), theme.REFERENCE, [6, 4]),
    ):
        if frame is not None and frame.height:
            lines.append(frame.select("year", "value").with_columns(pl.lit(label).alias("series")))
            styles[label] = (color, dash)
    data = pl.concat(lines, how="vertical_relaxed").drop_nulls("value")
    domain = list(styles)
    spec = json.loads(_trend_template(unit, lang))
    line = spec["layer"][_LINE]
    line["encoding"]["color"]["scale"] = {"domain": domain, "range": [styles[d][0] for d in domain]}
    line["encoding"]["strokeDash"]["scale"] = {"domain": domain, "range": [styles[d][1] for d in domain]}
    spec["title"] = title
    empty: list[dict[str, Any]] = []
    ref_label = (
        reference.sort("year")
        .tail(1)
        .select("year", "value")
        .with_columns(pl.lit(t(lang, "参考値", "Reference")).alias("label"))
        .to_dicts()
        if reference is not None and reference.height
        else empty
    )
    spec["datasets"] = {
        "band": band.select(_BAND_COLS).to_dicts() if band is not None and band.height else empty,
        "lines": data.to_dicts(),
        "focus": data.filter(pl.col("series") == names[0]).select("year", "value").to_dicts(),
        "reference": ref_label,
        "target": (
            target.select("year", "value")
            .with_columns(pl.lit(t(lang, "目標", "Target")).alias("label"))
            .to_dicts()
            if target is not None and target.height
            else empty
        ),
    }
    return spec


_BAND_COLS = ["year", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
_LINE = 2
"""Index of the line layer in the trend template (after the two band layers)."""


@functools.cache
def _trend_template(unit: str, lang: str) -> str:
    """The themed trend spec of one unit and language, every dataset by name (filled per chart)."""
    import altair as alt

    x = alt.X("year:Q", axis=alt.Axis(**_fy_axis(lang)))
    y_title = {"h": t(lang, "時間", "hours"), "days": t(lang, "日", "days")}.get(unit, unit)
    layers: list[Any] = [
        alt.Chart(alt.NamedData("band"))
        .mark_area(color=fill, opacity=0.8)
        .encode(x=x, y=alt.Y(f"{lo}:Q"), y2=f"{hi}:Q")
        for lo, hi, fill in (("pi95_low", "pi95_high", theme.BAND95), ("pi80_low", "pi80_high", theme.BAND80))
    ]
    layers.append(
        alt.Chart(alt.NamedData("lines"))
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", scale=alt.Scale(domain=[], range=[]), legend=alt.Legend(title=None)),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=[], range=[]), legend=None),
            tooltip=[
                alt.Tooltip("series:N", title=t(lang, "系列", "series")),
                alt.Tooltip("year:Q", title=t(lang, "年度", "year")),
                alt.Tooltip("value:Q", format=_fmt(unit), title=t(lang, "値", "value")),
            ],
        )
    )
    layers.append(
        alt.Chart(alt.NamedData("focus"))
        .mark_point(filled=True, size=36, color=theme.ACTUAL)
        .encode(x=x, y="value:Q")
    )
    layers.append(
        alt.Chart(alt.NamedData("reference"))
        .mark_text(align="left", dx=6, dy=-6, color=theme.REFERENCE)
        .encode(x=x, y="value:Q", text="label:N")
    )
    target = alt.Chart(alt.NamedData("target"))
    layers.append(
        target.mark_point(shape="diamond", size=140, filled=True, color=theme.TARGET).encode(
            x=x,
            y="value:Q",
            tooltip=[alt.Tooltip("value:Q", format=_fmt(unit), title=t(lang, "目標", "target"))],
        )
    )
    layers.append(
        target.mark_text(align="left", dx=9, color=theme.TARGET, fontWeight="bold").encode(
            x=x, y="value:Q", text="label:N"
        )
    )
    spec = to_spec(alt.layer(*layers).properties(width=560, height=240))
    assert spec["layer"][_LINE]["mark"]["type"] == "line"
    return json.dumps(spec, ensure_ascii=False)


def ranked_bars(
    latest: pl.DataFrame,
    unit: str,
    org_value: float | None,
    lang: str = "ja",
    title: str = "",
    higher_is_better: bool = True,
) -> dict[str, Any]:
    """Divisions ranked for the latest year, organisation value as a rule; suppressed → 非表示.

    `latest`: columns unit_name, value (null when suppressed), suppressed.
    """
    import altair as alt

    data = latest.select("unit_name", "value", "suppressed").with_columns(
        pl.when(pl.col("suppressed"))
        .then(pl.lit(HIDDEN.get(lang, "Hidden")))
        .otherwise(pl.lit(""))
        .alias("note")
    )
    order = data.sort("value", descending=higher_is_better, nulls_last=True)["unit_name"].to_list()
    y = alt.Y("unit_name:N", sort=order, title=None)
    bars = (
        alt.Chart(data)
        .mark_bar(color=theme.ACTUAL, height={"band": 0.7})
        .encode(
            x=alt.X("value:Q", title=None),
            y=y,
            tooltip=[
                alt.Tooltip("unit_name:N", title=t(lang, "所属", "unit")),
                alt.Tooltip("value:Q", format=_fmt(unit), title=t(lang, "値", "value")),
            ],
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=4)
        .encode(x=alt.X("value:Q"), y=y, text=alt.Text("value:Q", format=_fmt(unit)))
    )
    hidden = (
        alt.Chart(data.filter(pl.col("suppressed")))
        .mark_text(align="left", color=theme.MUTED)
        .encode(x=alt.datum(0), y=y, text="note:N")
    )
    layers = [bars, labels, hidden]
    if org_value is not None:
        rule = pl.DataFrame({"value": [org_value], "label": [t(lang, "組織全体", "Organisation")]})
        layers.append(alt.Chart(rule).mark_rule(color=theme.INK, strokeDash=[4, 3]).encode(x="value:Q"))
        layers.append(
            alt.Chart(rule)
            .mark_text(align="left", dx=3, baseline="top", color=theme.INK)
            .encode(x="value:Q", y=alt.value(-14), text="label:N")
        )
    return to_spec(alt.layer(*layers).properties(title=title, width=480, height=max(80, 26 * len(order))))


MAX_GRID_WIDTH = 720
"""Widest heatmap grid in px: the report's text column, so nothing runs off a printed page."""


def heatmap(
    cells: pl.DataFrame,
    unit: str,
    lang: str = "ja",
    title: str = "",
    x_title: str | None = None,
    x_sort: list[str] | None = None,
    y_sort: list[str] | None = None,
) -> dict[str, Any]:
    """Generic labelled heatmap. `cells`: row, col, value (null when hidden), text, mark.

    Hidden cells are drawn grey with their `text` (非表示); the colour never encodes them.
    """
    import altair as alt

    data = cells.select("row", "col", "value", "text", "mark")
    lo, hi = data["value"].min(), data["value"].max()
    cut = None if lo is None else lo + 0.55 * ((hi or lo) - lo)
    data = data.with_columns(
        (pl.col("value") > cut).fill_null(False).alias("dark")
        if cut is not None and hi != lo
        else pl.lit(False).alias("dark")
    )
    n_cols = data["col"].n_unique()
    longest = max((len(str(c)) for c in data["col"].unique().to_list()), default=4)
    # Japanese labels are ~11 px per character at 11 pt. Keep the grid within the page (720 px);
    # when the labels would not fit their columns, slant them rather than cut them off.
    col_width = min(max(78, 12 * longest + 12), max(60, MAX_GRID_WIDTH // max(n_cols, 1)))
    fits = 12 * longest + 12 <= col_width
    axis = (
        alt.Axis(labelAngle=0, orient="top")
        if fits
        else alt.Axis(labelAngle=-30, orient="top", labelAlign="left", labelLimit=240)
    )
    x = alt.X("col:N", sort=x_sort, title=x_title, axis=axis)
    y = alt.Y("row:N", sort=y_sort, title=None)
    base = alt.Chart(data)
    shown = (
        base.transform_filter("isValid(datum.value)")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color("value:Q", scale=alt.Scale(scheme=theme.SEQUENTIAL), legend=None),
            tooltip=[
                alt.Tooltip("row:N", title=" "),
                alt.Tooltip("col:N", title=" "),
                alt.Tooltip("text:N", title=t(lang, "値", "value")),
            ],
        )
    )
    hidden = (
        base.transform_filter("!isValid(datum.value)")
        .mark_rect(color=theme.SUPPRESSED, stroke="white", strokeWidth=2)
        .encode(x=x, y=y)
    )
    text = base.mark_text(fontSize=11).encode(
        x=x,
        y=y,
        text=alt.Text("text:N"),
        color=alt.condition("datum.dark", alt.value("white"), alt.value(theme.INK)),
    )
    n_rows = data["row"].n_unique()
    return to_spec(
        alt.layer(shown, hidden, text).properties(
            title=title, width=max(240, col_width * n_cols), height=max(60, 28 * n_rows)
        )
    )


def scatter_panel(
    points: pl.DataFrame, x_title: str, y_title: str, lang: str = "ja", title: str = "", subtitle: str = ""
) -> dict[str, Any]:
    """Division engagement (y) against overtime (x), one labelled point per division."""
    import altair as alt

    data = points.select("unit_name", "x", "y")
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
    )
    dots = base.mark_circle(size=80, color=theme.ACTUAL, opacity=0.85).encode(
        tooltip=[
            alt.Tooltip("unit_name:N", title=t(lang, "所属", "unit")),
            alt.Tooltip("x:Q", format=",.1f", title=x_title),
            alt.Tooltip("y:Q", format=",.1f", title=y_title),
        ]
    )
    labels = base.mark_text(align="left", dx=7, color=theme.INK).encode(text="unit_name:N")
    return to_spec(
        alt.layer(dots, labels).properties(
            title={"text": title, "subtitle": subtitle} if subtitle else title, width=480, height=280
        )
    )
