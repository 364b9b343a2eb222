"""指標別の推移: one headline and trend chart per KPI (actual, organisation, plan trajectory, target,
projection band, national reference)."""

from __future__ import annotations

import polars as pl

from hrmetrics.kpis.catalog import KPIS
from hrmetrics.report import charts, data
from hrmetrics.report.labels import format_period, format_value, fy_label, kpi_label, kpi_unit, t
from hrmetrics.report.model import Block, Headline
from hrmetrics.report.sections._base import ORG, ReportInputs, chart
from hrmetrics.report.sections._projection import projection_note

IN_PACKS = True


def _trajectory(prog: pl.DataFrame, kpi: str) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """(trajectory line incl. the target point, target point) from the progress rows of one KPI."""
    rows = prog.filter(pl.col("kpi") == kpi) if not prog.is_empty() else prog
    if rows.is_empty():
        return None, None
    last = rows.row(rows.height - 1, named=True)
    target = pl.DataFrame({"year": [int(last["target_year"])], "value": [float(last["target"])]})
    line = (
        pl.concat(
            [
                pl.DataFrame({"year": [int(last["baseline_year"])], "value": [float(last["baseline"])]}),
                rows.select(
                    pl.col("year").cast(pl.Int64), pl.col("trajectory").cast(pl.Float64).alias("value")
                ),
                target,
            ]
        )
        .unique("year", keep="first")
        .sort("year")
    )
    return line, target


def _band(inp: ReportInputs, prog: pl.DataFrame, kpi: str, unit_code: str) -> pl.DataFrame | None:
    """Projection band: the projections table if given, else a fan from the latest actual to the
    interval at the target year taken from the progress table."""
    cols = ["year", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
    if inp.projections is not None and not inp.projections.is_empty():
        p = inp.projections.filter((pl.col("kpi") == kpi) & (pl.col("unit_code") == unit_code))
        if "breakdown" in p.columns:
            p = p.filter(pl.col("breakdown").is_null())
        return p.select(cols).sort("year") if p.height else None
    rows = prog.filter(pl.col("kpi") == kpi) if not prog.is_empty() else prog
    if rows.is_empty() or rows["pi95_low"].null_count() == rows.height:
        return None
    last = rows.row(rows.height - 1, named=True)
    if last["actual"] is None or last["pi95_low"] is None or last["target_year"] <= last["year"]:
        return None
    a = float(last["actual"])
    return pl.DataFrame(
        {
            "year": [int(last["year"]), int(last["target_year"])],
            "pi80_low": [a, last["pi80_low"]],
            "pi80_high": [a, last["pi80_high"]],
            "pi95_low": [a, last["pi95_low"]],
            "pi95_high": [a, last["pi95_high"]],
        },
        schema={c: pl.Float64 if c != "year" else pl.Int64 for c in cols},
    )


def _reference(inp: ReportInputs, kpi: str, years: list[int]) -> tuple[pl.DataFrame, dict] | None:
    """The national reference as a flat dashed line across the chart's years, plus its facts.

    A reference is a benchmark from one survey year, not a series: drawing it at its own year
    would stretch the x-axis back to e.g. FY2016 and show a dot, so it is drawn across the
    years the chart covers and its own year goes into the caption. Where several scopes exist,
    the municipal one (the peer group of a city) is preferred.
    """
    ref = inp.references
    if ref is None or ref.is_empty() or not inp.config.national_reference or not years:
        return None
    rows = ref.filter(pl.col("kpi") == kpi)
    if "breakdown" in rows.columns:
        rows = rows.filter(pl.col("breakdown").is_null())
    if rows.is_empty():
        return None
    if "scope" in rows.columns:
        rows = rows.sort(pl.col("scope").str.contains("市区町村|Municipalities").not_())
    pick = rows.row(0, named=True)
    line = pl.DataFrame(
        {"year": [min(years), max(years)], "value": [float(pick["value"])] * 2},
        schema={"year": pl.Int64, "value": pl.Float64},
    )
    return line, pick


def _reference_caption(pick: dict, unit: str, lang: str) -> str:
    scope = pick.get("scope") or ""
    when = format_period(str(pick.get("period") or pick["year"]), lang)
    value = format_value(float(pick["value"]), unit, lang)
    return t(
        lang,
        f"　灰色の破線は参考値（全国・{scope} {when}：{value}）で、目標ではありません。",
        f"  The grey dashed line is a national reference ({scope}, {when}: {value}), not a target.",
    )


def build(inp: ReportInputs) -> list[Block]:
    """One headline and trend chart per KPI of the layout's `trend_kpis`."""
    lang = inp.lang
    blocks: list[Block] = []
    focus = inp.focus
    own_prog = data.progress_rows(inp.progress, focus)
    org_prog = data.progress_rows(inp.progress, ORG)
    for kpi in inp.layout["report"]["trend_kpis"]:
        s = data.series(inp.kpis, kpi, focus)
        if s.is_empty():
            continue
        unit = kpi_unit(kpi, "")
        prog = own_prog if not own_prog.is_empty() and kpi in own_prog["kpi"].to_list() else org_prog
        traj, target = _trajectory(prog, kpi)
        compare = data.series(inp.kpis, kpi, ORG).drop("period") if focus != ORG else None
        band = _band(inp, prog, kpi, focus) if prog is own_prog or focus == ORG else None
        last = s.row(s.height - 1, named=True)
        facts = [
            (
                t(lang, "最新値", "Latest"),
                f"{format_value(last['value'], unit, lang, last['suppressed'])}"
                f"（{format_period(last['period'], lang)}）",
            )
        ]
        if focus != ORG and compare is not None and compare.height:
            c = compare.row(compare.height - 1, named=True)
            facts.append(
                (t(lang, "組織全体", "Organisation"), format_value(c["value"], unit, lang, c["suppressed"]))
            )
        if target is not None:
            whose = "" if prog is own_prog and focus != ORG else t(lang, "（組織全体）", " (organisation)")
            facts.append(
                (
                    t(lang, "目標", "Target") + (whose if focus != ORG else ""),
                    f"{format_value(target['value'][0], unit, lang)}（{fy_label(target['year'][0], lang)}）",
                )
            )
        k = KPIS.get(kpi)
        blocks.append(Headline(f"kpi-{kpi}", kpi_label(kpi, lang), tuple(facts)))
        actual = s.filter(~pl.col("suppressed").fill_null(False)).select("year", "value")
        span = [*actual["year"].to_list(), *(target["year"].to_list() if target is not None else [])]
        reference = _reference(inp, kpi, span)
        trend = charts.trend_chart(
            actual,
            unit,
            lang,
            compare=compare,
            trajectory=traj,
            target=target,
            band=band,
            reference=reference[0] if reference else None,
            title=kpi_label(kpi, lang),
            focus_label=None if focus == ORG else t(lang, "この所属", "This division"),
        )
        caption = (k.definition_ja if lang == "ja" else k.definition_en) if k else ""
        if band is not None:
            caption += t(lang, "　帯：見通しの80%・95%予測区間。", "  Band: 80%/95% prediction interval.")
            own = (
                prog.filter((pl.col("kpi") == kpi) & pl.col("fit_from").is_not_null())
                if "fit_from" in prog.columns
                else prog.clear()
            )
            if own.height:
                caption += projection_note(own.row(own.height - 1, named=True), unit, lang)
        if reference:
            caption += _reference_caption(reference[1], unit, lang)
        blocks.append(chart(f"trend-{kpi}", trend, kpi_label(kpi, lang), caption))
    return blocks
