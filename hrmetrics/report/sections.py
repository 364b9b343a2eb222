"""Page models for the organisation report and the manager packs, section by section.

Each `*_section` returns a list of blocks (text, facts, table, chart) and registers the charts
it draws on the page; the layout file decides which sections appear and in which order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hrmetrics.config import Config
from hrmetrics.kpis.catalog import KPIS
from hrmetrics.orgs import ORG_CODE as ORG
from hrmetrics.report import charts, data
from hrmetrics.report.html import Page
from hrmetrics.report.labels import (
    HIDDEN,
    MISSING,
    format_pct,
    format_period,
    format_value,
    fy_label,
    kpi_label,
    kpi_unit,
    t,
)
from hrmetrics.report.render import to_spec


@dataclass
class Inputs:
    """Everything a page may read, already scrubbed (and, for a pack, already scoped)."""

    kpis: pl.DataFrame
    progress: pl.DataFrame | None
    survey: dict[str, Any]
    quality: pl.DataFrame | None
    rejects: pl.DataFrame | None
    references: pl.DataFrame | None
    projections: pl.DataFrame | None
    config: Config
    lang: str
    layout: dict[str, Any]
    focus: str = ORG
    """ORG for the organisation report, a division code for a manager pack."""
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Chart id → spec, kept so the organisation charts can also be saved as PNG/SVG."""
    disclosure: Any = None
    """The disclosure audit's account (`hrmetrics.disclosure.protect.Protection`), if any."""


def _num(value: float | None, unit: str, lang: str, hidden: bool = False) -> dict[str, str]:
    text = format_value(value, unit, lang, suppressed=hidden)
    return {"text": text, "cls": "hidden" if hidden else "num"}


def _chart(page: Page, inp: Inputs, chart_id: str, chart: Any, alt_text: str, caption: str = "") -> dict:
    spec = to_spec(chart)
    page.add_chart(chart_id, spec)
    inp.specs[chart_id] = spec
    return {"kind": "chart", "id": chart_id, "alt": alt_text, "caption": caption}


def _probability(p: float | None) -> str:
    """Progress tables may hold probability as 0–1 or 0–100; show it as a percentage."""
    if p is None:
        return MISSING
    return format_pct(p * 100 if p <= 1 else p)


def _rating(row: dict[str, Any], lang: str) -> dict[str, str]:
    if row.get("achieved"):
        return {"text": t(lang, "達成", "Achieved"), "cls": "rating rating-done"}
    r = row.get("rating") or MISSING
    return {"text": r, "cls": f"rating rating-{r}"}


def scorecard_block(inp: Inputs, unit_code: str, caption: str) -> list[dict]:
    """KPI, baseline, latest, target, rating, projection (80% interval), probability."""
    rows = data.latest_progress(inp.progress, unit_code)
    if rows.is_empty():
        return []
    order = {k: i for i, k in enumerate(inp.layout["report"]["trend_kpis"])}
    rows = rows.with_columns(pl.col("kpi").replace_strict(order, default=len(order)).alias("_o")).sort(
        "_o", "kpi"
    )
    lang = inp.lang
    headers = [
        t(lang, "指標", "Indicator"),
        t(lang, "基準値", "Baseline"),
        t(lang, "最新値", "Latest"),
        t(lang, "目標", "Target"),
        t(lang, "評価", "Rating"),
        t(lang, "目標年度の見通し（80%区間）", "Projection at target year (80% interval)"),
        t(lang, "達成確率", "Probability"),
    ]
    body = []
    for r in rows.iter_rows(named=True):
        unit = kpi_unit(r["kpi"], "")
        proj, proj_sub = _projection_cell(r, unit, lang)
        body.append(
            [
                kpi_label(r["kpi"], lang),
                {
                    "text": format_value(r["baseline"], unit, lang),
                    "sub": fy_label(r.get("baseline_year"), lang),
                    "cls": "num",
                },
                {
                    "text": format_value(r["actual"], unit, lang),
                    "sub": format_period(r["period"], lang),
                    "cls": "num",
                },
                {
                    "text": format_value(r["target"], unit, lang),
                    "sub": fy_label(r.get("target_year"), lang),
                    "cls": "num",
                },
                _rating(r, lang),
                {"text": proj, "sub": proj_sub, "cls": "num"},
                {"text": _probability(r.get("probability")), "cls": "num"},
            ]
        )
    return [{"kind": "table", "headers": headers, "rows": body, "caption": caption, "cls": "scorecard"}]


def _projection_cell(r: dict[str, Any], unit: str, lang: str) -> tuple[str, str]:
    """(value, 80% interval) of a projection; past the KPI's range it "reaches the limit".

    A clipped line would otherwise print a zero-width interval such as 「100.0%〜100.0%」.
    """
    low, high = r.get("pi80_low"), r.get("pi80_high")
    sub = ""
    if low is not None and high is not None and low != high:
        sub = f"{format_value(low, unit, lang)}〜{format_value(high, unit, lang)}"
    if r.get("limit") is not None:
        bound = format_value(r["limit"], unit, lang)
        return t(lang, f"上限（{bound}）に到達", f"reaches the limit ({bound})"), sub
    mark = " ※" if r.get("fits_disagree") else ""
    return format_value(r.get("projection"), unit, lang) + mark, sub


def _window_label(window: str | None, lang: str) -> str:
    if window == "baseline":
        return t(lang, "計画の基準年度から", "from the plan's baseline year")
    if window == "all":
        return t(lang, "全期間", "all history")
    if window and window.startswith("FY"):
        return t(lang, f"{fy_label(int(window[2:]), lang)}から", f"from {fy_label(int(window[2:]), lang)}")
    return MISSING


def projection_note(r: dict[str, Any], unit: str, lang: str) -> str:
    """The fit window of a projection, and what a reader must know about it, as sentences.

    Said on every chart with a projection (the window changes the answer), plus a warning when
    the baseline-window and all-history fits disagree by more than the 80% interval, and a note
    when the line reaches the KPI's limit.
    """
    if r.get("fit_from") is None:
        return ""
    span = f"{fy_label(r['fit_from'], lang)}〜{fy_label(r['fit_to'], lang)}"
    window = _window_label(r.get("fit_window"), lang)
    text = t(lang, f"　見通しの直線は{span}の値に当てはめています（当てはめ期間の設定：{window}）。",
             f"  The projection is a straight line fitted to {span} (fit window: {window}).")
    if r.get("fit_note"):
        text += t(lang, f"{r['fit_note']}。", f" {r['fit_note']}.")
    if r.get("fits_disagree") and r.get("alt_projection") is not None:
        alt_span = f"{fy_label(r['alt_from'], lang)}〜{fy_label(r['fit_to'], lang)}"
        alt = format_value(r["alt_projection"], unit, lang)
        p_alt = _probability(r.get("alt_probability"))
        proj = format_value(r.get("projection"), unit, lang)
        p_own = _probability(r.get("probability"))
        text += t(
            lang,
            f"※{span}の傾向では{proj}（達成確率{p_own}）ですが、{alt_span}の傾向では{alt}（同{p_alt}）で、"
            "両者は80%予測区間を超えて食い違います。どの期間の傾向が続くかで見通しが変わるため、"
            "幅をもって読んでください。",
            f" ※ The {span} trend gives {proj} (probability {p_own}) but the {alt_span} trend gives "
            f"{alt} ({p_alt}): they disagree by more than the 80% interval, so the outlook depends "
            "on which trend continues.",
        )
    if r.get("limit") is not None:
        bound = format_value(r["limit"], unit, lang)
        text += t(lang, f"見通しは目標年度までに上限（{bound}）に達するため、線と帯は{bound}で止めています。",
                  f" The line reaches the limit ({bound}) before the target year, so line and band "
                  "stop there.")
    return text


def _disagreement_notes(inp: Inputs, unit_code: str) -> list[dict]:
    """One note per KPI whose two fits disagree (under the scorecard, where ※ points)."""
    rows = data.latest_progress(inp.progress, unit_code)
    if rows.is_empty() or "fits_disagree" not in rows.columns:
        return []
    hit = rows.filter(pl.col("fits_disagree").fill_null(False))
    return [
        {"kind": "text", "cls": "note",
         "text": f"{kpi_label(r['kpi'], inp.lang)}: "
                 + projection_note(r, kpi_unit(r["kpi"], ""), inp.lang).strip()}
        for r in hit.iter_rows(named=True)
    ]


def _summary_text(inp: Inputs, unit_code: str) -> str:
    rows = data.latest_progress(inp.progress, unit_code)
    lang = inp.lang
    if rows.is_empty():
        return t(lang, "計画目標が設定された指標はありません。", "No indicator has a plan target.")
    achieved = int(rows["achieved"].fill_null(False).sum()) if "achieved" in rows.columns else 0
    counts = {k: int((rows["rating"] == k).sum()) for k in ("S", "A", "B")}
    return t(
        lang,
        f"計画目標のある{rows.height}指標のうち、目標達成 {achieved}、S（計画を上回る）{counts['S']}、"
        f"A（計画どおり）{counts['A']}、B（計画を下回る）{counts['B']}です。",
        f"Of {rows.height} indicators with a plan target: {achieved} achieved, S (ahead) {counts['S']}, "
        f"A (on plan) {counts['A']}, B (behind) {counts['B']}.",
    )


def summary_section(page: Page, inp: Inputs) -> list[dict]:
    lang = inp.lang
    blocks: list[dict] = []
    if inp.focus != ORG:
        own = scorecard_block(
            inp, inp.focus,
            t(lang, "この所属の計画目標（組織全体の目標を所属に当てはめたものを含む。"
                    "基準値・目標は計画の値）",
              "This division against the plan (including organisation targets applied to divisions; "
              "baseline and target as in the plan)"),
        )
        if own:
            blocks.append({"kind": "text", "text": _summary_text(inp, inp.focus)})
        else:
            blocks.append(
                {
                    "kind": "text",
                    "text": t(
                        lang,
                        "この所属に個別の計画目標はありません。組織全体の目標と比べて示します。",
                        "This division has no targets of its own; it is shown against the organisation's.",
                    ),
                }
            )
        blocks.append(division_table_block(inp))
        blocks += own
        blocks += _disagreement_notes(inp, inp.focus)
    blocks.append({"kind": "text", "text": _summary_text(inp, ORG)})
    blocks += scorecard_block(inp, ORG, t(lang, "組織全体の計画目標", "Organisation plan targets"))
    blocks += _disagreement_notes(inp, ORG)
    blocks.append(
        {
            "kind": "text",
            "cls": "note",
            "text": t(
                lang,
                "評価：S＝計画の経路を上回る、A＝計画どおり（許容幅内）、B＝計画を下回る。"
                "見通しは過去の傾向の延長であり、"
                "達成確率はその不確実性を表します。",
                "Rating: S = ahead of the plan trajectory, A = on plan (within tolerance), B = behind. "
                "Projections extend the past trend; the probability expresses its uncertainty.",
            ),
        }
    )
    return blocks


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


def _band(inp: Inputs, prog: pl.DataFrame, kpi: str, unit_code: str) -> pl.DataFrame | None:
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


def _reference(inp: Inputs, kpi: str, years: list[int]) -> tuple[pl.DataFrame, dict] | None:
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
    line = pl.DataFrame({"year": [min(years), max(years)], "value": [float(pick["value"])] * 2},
                        schema={"year": pl.Int64, "value": pl.Float64})
    return line, pick


def _reference_caption(pick: dict, unit: str, lang: str) -> str:
    scope = pick.get("scope") or ""
    when = format_period(str(pick.get("period") or pick["year"]), lang)
    value = format_value(float(pick["value"]), unit, lang)
    return t(lang, f"　灰色の破線は参考値（全国・{scope} {when}：{value}）で、目標ではありません。",
             f"  The grey dashed line is a national reference ({scope}, {when}: {value}), not a target.")


def trends_section(page: Page, inp: Inputs) -> list[dict]:
    """One block per KPI: headline facts and the trend chart."""
    lang = inp.lang
    blocks: list[dict] = []
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
        blocks.append({"kind": "h3", "id": f"kpi-{kpi}", "text": kpi_label(kpi, lang)})
        blocks.append({"kind": "facts", "items": facts})
        actual = s.filter(~pl.col("suppressed").fill_null(False)).select("year", "value")
        span = [*actual["year"].to_list(), *(target["year"].to_list() if target is not None else [])]
        reference = _reference(inp, kpi, span)
        chart = charts.trend_chart(
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
            own = prog.filter((pl.col("kpi") == kpi) & pl.col("fit_from").is_not_null()) \
                if "fit_from" in prog.columns else prog.clear()
            if own.height:
                caption += projection_note(own.row(own.height - 1, named=True), unit, lang)
        if reference:
            caption += _reference_caption(reference[1], unit, lang)
        blocks.append(_chart(page, inp, f"trend-{kpi}", chart, kpi_label(kpi, lang), caption))
    return blocks


def division_table_block(inp: Inputs) -> dict:
    """Latest value of the layout's division-table KPIs, organisation first; hidden → 非表示."""
    lang = inp.lang
    kpi_ids = inp.layout["report"]["division_table_kpis"]
    table = data.division_table(inp.kpis, kpi_ids)
    shown = [k for k in kpi_ids if k in table.columns]
    rows = []
    for r in table.iter_rows(named=True):
        name = t(lang, "組織全体", "Organisation") if r["unit_code"] == ORG else r["unit_name"]
        rows.append([name, *[_num(r[k], kpi_unit(k, ""), lang, bool(r[f"{k}__hidden"])) for k in shown]])
    return {
        "kind": "table",
        "headers": [t(lang, "所属", "Unit"), *[kpi_label(k, lang) for k in shown]],
        "rows": rows,
        "caption": t(lang, "各指標の最新値", "Latest value of each indicator"),
    }


def divisions_section(page: Page, inp: Inputs) -> list[dict]:
    """Ranked bars for the latest year and a division × year heatmap per KPI, plus a table."""
    lang = inp.lang
    blocks: list[dict] = [division_table_block(inp)]
    for kpi in inp.layout["report"]["division_kpis"]:
        year = data.latest_year(inp.kpis, kpi)
        if year is None:
            continue
        unit = kpi_unit(kpi, "")
        latest = data.latest_by_division(inp.kpis, kpi, year)
        if latest.is_empty():
            continue
        org = data.series(inp.kpis, kpi, ORG).filter(pl.col("year") == year)
        org_value = org["value"][0] if org.height else None
        period = data.headline(inp.kpis, kpi).filter(pl.col("year") == year)["period"][0]
        higher = KPIS[kpi].direction != "lower" if kpi in KPIS else True
        blocks.append({"kind": "h3", "id": f"div-{kpi}", "text": kpi_label(kpi, lang)})
        blocks.append(
            _chart(
                page,
                inp,
                f"div-bars-{kpi}",
                charts.ranked_bars(
                    latest,
                    unit,
                    org_value,
                    lang,
                    title=f"{kpi_label(kpi, lang)}　{format_period(period, lang)}",
                    higher_is_better=higher,
                ),
                kpi_label(kpi, lang),
                t(lang, "破線は組織全体の値。上ほど望ましい順。", "Dashed rule: organisation. Best first."),
            )
        )
        hist = (
            data.headline(inp.kpis, kpi)
            .filter(pl.col("level") == "division")
            .select(
                pl.col("unit_name").alias("row"),
                pl.col("period").alias("col"),
                "value",
                pl.col("suppressed").fill_null(False),
                "year",
            )
        )
        cells = hist.with_columns(
            pl.struct("value", "suppressed")
            .map_elements(
                lambda r, u=unit: format_value(r["value"], u, lang, r["suppressed"]), return_dtype=pl.String
            )
            .alias("text"),
            pl.lit("").alias("mark"),
        )
        cols = hist.sort("year")["col"].unique(maintain_order=True).to_list()
        blocks.append(
            _chart(
                page,
                inp,
                f"div-heat-{kpi}",
                charts.heatmap(
                    cells,
                    unit,
                    lang,
                    title=t(lang, "所属 × 年度", "Division × year"),
                    x_sort=cols,
                    y_sort=latest.sort("unit_code")["unit_name"].to_list(),
                ),
                kpi_label(kpi, lang),
            )
        )
    return blocks


def _cap_labels(inp: Inputs) -> dict[str, str]:
    return {c[0]: (c[1] if inp.lang == "ja" else c[2]) for c in inp.layout["report"]["caps"]}


def caps_section(page: Page, inp: Inputs) -> list[dict]:
    """Counts of staff over each cap rule by division (organisation report: heatmap; pack: table)."""
    lang = inp.lang
    labels = _cap_labels(inp)
    units = None if inp.focus == ORG else [inp.focus, ORG]
    counts, year = data.cap_counts(inp.kpis, list(labels), units)
    if counts.is_empty():
        return [{"kind": "text", "text": t(lang, "データがありません。", "No data.")}]
    intro = {
        "kind": "text",
        "text": t(
            lang,
            f"{fy_label(year, lang)}に各上限を超えた職員の人数です（個人は特定しません）。",
            f"Number of staff over each cap in {fy_label(year, lang)} (no individual is identified).",
        ),
    }
    order = [k for k in labels if k in counts["kpi"].to_list()]
    if inp.focus != ORG:
        rows = []
        for k in order:
            cell = {}
            for code in (inp.focus, ORG):
                r = counts.filter((pl.col("unit_code") == code) & (pl.col("kpi") == k))
                cell[code] = (
                    _num(r["count"][0], "people", lang, bool(r["suppressed"][0])) if r.height else MISSING
                )
            rows.append([labels[k], cell[inp.focus], cell[ORG]])
        return [
            intro,
            {
                "kind": "table",
                "headers": [
                    t(lang, "上限", "Cap"),
                    t(lang, "この所属", "This division"),
                    t(lang, "組織全体", "Organisation"),
                ],
                "rows": rows,
            },
        ]
    cells = counts.filter(pl.col("unit_code") != ORG).select(
        pl.col("unit_name").alias("row"),
        pl.col("kpi").replace_strict(labels, default=None).alias("col"),
        pl.col("count").alias("value"),
        "suppressed",
        pl.col("unit_code"),
    )
    cells = cells.with_columns(
        pl.struct("value", "suppressed")
        .map_elements(
            lambda r: format_value(r["value"], "people", lang, r["suppressed"]), return_dtype=pl.String
        )
        .alias("text"),
        pl.lit("").alias("mark"),
    )
    chart = charts.heatmap(
        cells,
        "people",
        lang,
        title=t(lang, "上限超過の人数（所属別）", "Staff over caps"),
        x_sort=[labels[k] for k in order],
        y_sort=cells.sort("unit_code")["row"].unique(maintain_order=True).to_list(),
    )
    return [intro, _chart(page, inp, "caps", chart, t(lang, "上限規制の状況", "Overtime caps"))]


def survey_section(page: Page, inp: Inputs) -> list[dict]:
    """Favourable % by division × dimension, ▲/▼ where the wave change is significant after BH."""
    lang = inp.lang
    units = None if inp.focus == ORG else [inp.focus, ORG]
    cells, period = data.survey_cells(inp.kpis, inp.survey.get("changes"), units)
    if cells.is_empty():
        return [{"kind": "text", "text": t(lang, "意識調査のデータがありません。", "No survey data.")}]
    hidden = HIDDEN.get(lang, "Hidden")
    legend = t(
        lang,
        f"{format_period(period, lang)}の肯定的回答率（%）。▲▼は前回調査からの変化が統計的に有意"
        f"（多重比較補正後）なもの。「{hidden}」は回答者が{inp.config.min_group_survey}人未満などで匿名性を"
        "守るため表示しない項目です。",
        f"Favourable share (%) in {format_period(period, lang)}. ▲▼: change since the previous wave is "
        f"significant after BH correction. '{hidden}': not shown to protect anonymity (fewer than "
        f"{inp.config.min_group_survey} respondents or complementary suppression).",
    )
    legend += bh_family_sentence(inp, period)
    dims = cells["dimension"].unique(maintain_order=True).to_list()
    if inp.focus != ORG:
        rows = []
        for d in dims:
            row = [d]
            for code in (inp.focus, ORG):
                r = cells.filter((pl.col("unit_code") == code) & (pl.col("dimension") == d))
                if not r.height:
                    row.append(MISSING)
                    continue
                cell = _num(r["value"][0], "%", lang, bool(r["suppressed"][0]))
                cell["text"] += r["mark"][0]
                row.append(cell)
            rows.append(row)
        return [
            {"kind": "text", "text": legend},
            {
                "kind": "table",
                "rows": rows,
                "headers": [
                    t(lang, "領域", "Dimension"),
                    t(lang, "この所属", "This division"),
                    t(lang, "組織全体", "Organisation"),
                ],
            },
            *drivers_blocks(inp),
        ]
    org_name = t(lang, "組織全体", "Organisation")
    heat = cells.with_columns(
        pl.when(pl.col("unit_code") == ORG).then(pl.lit(org_name)).otherwise("unit_name").alias("row"),
        pl.col("dimension").alias("col"),
        pl.struct("value", "suppressed", "mark")
        .map_elements(
            lambda r: format_value(r["value"], "%", lang, r["suppressed"]) + (r["mark"] or ""),
            return_dtype=pl.String,
        )
        .alias("text"),
    )
    y_sort = [
        org_name,
        *heat.filter(pl.col("unit_code") != ORG)
        .sort("unit_code")["row"]
        .unique(maintain_order=True)
        .to_list(),
    ]
    chart = charts.heatmap(
        heat,
        "%",
        lang,
        title=t(lang, "領域別 肯定的回答率", "Favourable by dimension"),
        x_sort=dims,
        y_sort=y_sort,
    )
    return [
        {"kind": "text", "text": legend},
        _chart(page, inp, "survey-heat", chart, t(lang, "意識調査ヒートマップ", "Survey heatmap")),
        *drivers_blocks(inp),
        *reliability_blocks(inp),
    ]


def bh_family_sentence(inp: Inputs, period: str | None) -> str:
    """What ▲▼ test and which comparisons the Benjamini–Hochberg correction counts as one family.

    The family is the heatmap's comparisons (survey.change.FAMILY_HEATMAP); its size is given in
    the organisation report only (a pack sees no other division's cells).
    """
    from hrmetrics.survey.change import FAMILY_HEATMAP

    lang = inp.lang
    ch = inp.survey.get("changes")
    if ch is None or ch.is_empty() or "family" not in ch.columns:
        return ""
    fam = ch.filter((pl.col("family") == FAMILY_HEATMAP) & (pl.col("wave_to") == period))
    if fam.is_empty():
        return ""
    w0, w1 = format_period(str(fam["wave_from"][0]), lang), format_period(str(fam["wave_to"][0]), lang)
    size_ja = size_en = ""
    if inp.focus == ORG:
        m = fam.filter(pl.col("p_value").is_not_null()).height
        size_ja, size_en = f"、計{m}件", f": {m} comparisons"
    return t(
        lang,
        f"変化の検定は回答者を単位とします（領域の肯定的回答率の差をウェルチ検定）。多重比較の補正は"
        f"Benjamini–Hochberg法で、このヒートマップに示す比較（{w0}→{w1}、組織全体と各課×各領域"
        f"{size_ja}）を一つの族として行い、q＜0.05を有意としています。",
        f" Changes are tested with the respondent as the unit (Welch test on the dimension's "
        f"favourable share); the Benjamini–Hochberg correction treats the comparisons this heatmap "
        f"shows ({w0}→{w1}, the organisation and each division × each dimension{size_en}) as one "
        f"family, significant at q < 0.05.",
    )


TOP_DRIVERS = 5


def drivers_blocks(inp: Inputs) -> list[dict]:
    """What moves overall satisfaction: the top items of the latest wave by relative importance.

    A pack shows its division's own drivers when it had enough respondents, otherwise the
    organisation's, and says which. Respondent counts are shown for the organisation only: a
    division's count could undo the complementary suppression of its siblings.
    """
    lang = inp.lang
    drivers = inp.survey.get("drivers")
    if drivers is None or drivers.is_empty():
        return []
    latest = drivers.filter(pl.col("wave") == pl.col("wave").max())
    rows = latest.filter(pl.col("unit_code") == inp.focus)
    hidden = inp.focus != ORG and rows.is_empty() and _survey_hidden(inp, str(latest["wave"][0]))
    if rows.is_empty():
        rows = latest.filter(pl.col("unit_code") == ORG)
    if rows.is_empty():
        return []
    ranked = rows["importance"].is_not_null().any()
    key = "importance" if ranked else "correlation"
    top = rows.sort(key, descending=True, nulls_last=True).head(TOP_DRIVERS)
    fallback = inp.focus != ORG and bool(top["fallback"].any() or top["unit_code"][0] == ORG)
    n = int(top["n"][0]) if inp.focus == ORG or fallback else None
    own = inp.focus != ORG and not fallback
    whose = t(lang, "この所属", "this division") if own else t(lang, "組織全体", "organisation")
    wave = format_period(str(top["wave"][0]), lang)
    caption = t(
        lang,
        f"総合満足度に影響する要因（{whose}・{wave}、上位{TOP_DRIVERS}項目）。"
        "相関は各項目と総合満足度の相関係数、重要度は回帰分析（Pratt法）による寄与の割合です。",
        f"What moves overall satisfaction ({whose}, {wave}, top "
        f"{TOP_DRIVERS}): correlation with overall satisfaction and relative importance from a "
        "regression (Pratt).",
    )
    if n is not None:
        caption += t(lang, f" 回答者 {n:,}人。", f" {n:,} respondents.")
    if not ranked:
        caption += t(lang, " 重要度を推定できなかったため、相関の大きい順に示します。",
                     " Importance could not be estimated, so items are ranked by correlation.")
    if hidden:
        caption += t(lang, " この所属の回答は小さな集団を守るために非表示としているので、"
                           "組織全体の結果を示します。",
                     " This division's answers are hidden to protect small groups, so the "
                     "organisation's drivers are shown.")
    elif fallback:
        caption += t(
            lang,
            f" この所属は回答者が{inp.config.min_respondents_drivers}人未満のため、"
            "組織全体の結果を示します。",
            f" This division has fewer than {inp.config.min_respondents_drivers} respondents, so the "
            "organisation's drivers are shown.",
        )
    body = [
        [r["text"], r["dimension"], {"text": f"{r['correlation']:.2f}", "cls": "num"},
         {"text": format_pct(r["importance"]), "cls": "num"}]
        for r in top.iter_rows(named=True)
    ]
    headers = [t(lang, "設問", "Item"), t(lang, "領域", "Dimension"), t(lang, "相関", "Correlation"),
               t(lang, "重要度", "Importance")]
    return [{"kind": "table", "headers": headers, "rows": body, "caption": caption}]


def _survey_hidden(inp: Inputs, wave: str) -> bool:
    """Whether any survey cell of the focus unit is hidden in the wave."""
    k = inp.kpis
    return k.filter((pl.col("unit_code") == inp.focus) & (pl.col("period") == wave)
                    & pl.col("kpi").str.starts_with("item_") & pl.col("suppressed")).height > 0


def reliability_blocks(inp: Inputs) -> list[dict]:
    """Cronbach's alpha of each dimension in the latest wave; a dimension below 0.7 is flagged,
    because its favourable share mixes items that do not measure one thing."""
    lang = inp.lang
    rel = inp.survey.get("reliability")
    if rel is None or rel.is_empty():
        return []
    latest = rel.filter(pl.col("wave") == pl.col("wave").max()).sort("dimension")
    body = [
        [r["dimension"], {"text": f"{r['k_items']}", "cls": "num"},
         {"text": MISSING if r["alpha"] is None else f"{r['alpha']:.2f}", "cls": "num"},
         t(lang, "要確認（0.7未満）", "check (< 0.7)") if r["flag"] else t(lang, "良好", "good")]
        for r in latest.iter_rows(named=True)
    ]
    caption = t(lang,
                "領域ごとの信頼性係数（クロンバックのα）。0.7未満の領域は設問のまとまりを見直してください。",
                "Reliability of each dimension (Cronbach's alpha); below 0.7 the items may not measure "
                "one thing.")
    headers = [t(lang, "領域", "Dimension"), t(lang, "設問数", "Items"), "α", t(lang, "判定", "Check")]
    return [{"kind": "table", "headers": headers, "rows": body, "caption": caption}]


def panel_section(page: Page, inp: Inputs) -> list[dict]:
    """Division engagement against overtime with the association and its ecological caution."""
    lang = inp.lang
    panel, assoc = inp.survey.get("panel"), inp.survey.get("association") or {}
    x_col, y_col = assoc.get("x", "overtime_hours_per_staff"), assoc.get("y", "engagement_index")
    if panel is None or panel.is_empty() or x_col not in panel.columns or y_col not in panel.columns:
        return [{"kind": "text", "text": t(lang, "データがありません。", "No data.")}]
    pts = panel.filter(pl.col(x_col).is_not_null() & pl.col(y_col).is_not_null())
    if pts.is_empty():
        return [{"kind": "text", "text": t(lang, "データがありません。", "No data.")}]
    year = int(pts["year"].max())
    pts = pts.filter(pl.col("year") == year).select(
        "unit_name", pl.col(x_col).alias("x"), pl.col(y_col).alias("y")
    )
    stat = ""
    if assoc.get("r") is not None:
        stat = t(
            lang,
            f"相関係数 r = {assoc['r']:.2f}（95%信頼区間 {assoc['r_low']:.2f}〜{assoc['r_high']:.2f}、"
            f"所属数 {assoc['n_units']}）",
            f"r = {assoc['r']:.2f} (95% CI {assoc['r_low']:.2f} to {assoc['r_high']:.2f}, "
            f"{assoc['n_units']} units)",
        )
    chart = charts.scatter_panel(
        pts,
        kpi_label(x_col, lang),
        kpi_label(y_col, lang),
        lang,
        title=f"{kpi_label(y_col, lang)} × {kpi_label(x_col, lang)}　{fy_label(year, lang)}",
        subtitle=stat,
    )
    note = assoc.get("note_ja" if lang == "ja" else "note_en") or t(
        lang,
        "所属単位の関係であり、個々の職員について何かを示すものではありません。",
        "A unit-level association; it says nothing about individual staff.",
    )
    return [
        _chart(page, inp, "panel", chart, t(lang, "散布図", "Scatter")),
        {"kind": "facts", "items": [(t(lang, "関連", "Association"), stat or MISSING)]},
        {"kind": "text", "cls": "note", "text": note},
    ]


def quality_section(page: Page, inp: Inputs) -> list[dict]:
    """Per input file: rows read/accepted/rejected/warned, status, link to its rejects CSV."""
    from hrmetrics.report.privacy import safe_filename

    lang = inp.lang
    q = inp.quality
    if q is None or q.is_empty():
        return [{"kind": "text", "text": t(lang, "取込結果の情報がありません。", "No intake summary.")}]
    headers = [
        t(lang, "ファイル", "File"),
        t(lang, "データ", "Dataset"),
        t(lang, "読込行数", "Read"),
        t(lang, "採用", "Accepted"),
        t(lang, "却下", "Rejected"),
        t(lang, "警告", "Warned"),
        t(lang, "状態", "Status"),
        t(lang, "却下・警告の詳細", "Details"),
    ]
    rows = []
    for r in q.iter_rows(named=True):
        bad = (r.get("rows_rejected") or 0) + (r.get("rows_warned") or 0) > 0 or r.get("status") == "refused"
        link = (
            {"text": f"{r['dataset']}.csv", "href": f"../rejects/{safe_filename(str(r['dataset']))}.csv"}
            if bad and r.get("dataset")
            else MISSING
        )
        rows.append(
            [
                r.get("file") or MISSING,
                r.get("dataset") or MISSING,
                *[
                    _num(r.get(c), "count", lang)
                    for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_warned")
                ],
                {"text": r.get("status") or MISSING, "cls": f"status-{r.get('status')}"},
                link,
            ]
        )
    return [
        {
            "kind": "text",
            "text": t(
                lang,
                "入力ファイルごとの取込結果です。却下行の内容はリンク先のCSVを参照してください。",
                "Intake result per input file; rejected rows are listed in the linked CSV.",
            ),
        },
        {"kind": "table", "headers": headers, "rows": rows},
        *disclosure_blocks(inp),
    ]


def disclosure_blocks(inp: Inputs) -> list[dict]:
    """The protection rule and the audit's result, in one sentence."""
    acc = inp.disclosure
    if acc is None:
        return []
    res = acc.results
    cells = res.filter(~pl.col("remainder"))["cell"].n_unique() if res.height else 0
    groups = res.filter(pl.col("remainder"))["cell"].n_unique() if res.height else 0
    cfg = inp.config
    width = int(getattr(cfg, "protection_width", 2))
    text = t(
        inp.lang,
        f"公表する数値は、{cfg.min_group_hr}人未満（職員意識調査は{cfg.min_group_survey}人未満）の集団を"
        "非表示とし、公表値どうしの関係（組織の階層、職位の積み上げ、共通の分子、行がないこと）から"
        f"復元できないよう追加で非表示にしています。公表値すべてを整数計画で解く監査の結果、非表示の{cells:,}セルは"
        f"いずれも人数が{width}人以上の幅で定まらず、「全員」「誰も」も確定しません（差し引きで求まる未公表の"
        f"残余{groups:,}集団も同じ基準を満たすか表示できる人数以上。"
        f"監査による追加の非表示 {len(acc.added):,}セル）。",
        f"Groups under {cfg.min_group_hr} people ({cfg.min_group_survey} for the staff survey) are hidden, "
        "and further cells are hidden so that no relation between published numbers (the unit "
        "hierarchy, grade ladders, shared numerators, absent rows) brings them back. An audit that "
        f"solves every published number as an integer program finds none of the {cells:,} hidden "
        f"cells known to within {width} people, and none provably all or none (the {groups:,} "
        "unpublished remainders a subtraction gives meet the same test or are large enough to show; "
        f"{len(acc.added):,} cells hidden by the audit).",
    )
    return [{"kind": "text", "text": text}]


SECTIONS = {
    "summary": summary_section,
    "trends": trends_section,
    "divisions": divisions_section,
    "caps": caps_section,
    "survey": survey_section,
    "panel": panel_section,
    "quality": quality_section,
}
PACK_SECTIONS = ("summary", "trends", "caps", "survey")
"""A manager pack: no cross-division comparison, no panel of all divisions, no intake appendix."""


def build_page(inp: Inputs, page: Page) -> Page:
    """Fill `page` with the layout's sections (the pack subset when a division is in focus)."""
    for sec in inp.layout["sections"]:
        sid = sec["id"]
        if sid not in SECTIONS or (inp.focus != ORG and sid not in PACK_SECTIONS):
            continue
        blocks = SECTIONS[sid](page, inp)
        page.sections.append(
            {"id": sid, "title": sec.get(f"title_{inp.lang}", sec.get("title_ja", sid)), "blocks": blocks}
        )
    return page
