"""職員意識調査: favourable % by division × dimension (▲/▼ where the wave change is significant after
BH), the drivers of overall satisfaction and each dimension's reliability."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from hrmetrics.report import charts, data
from hrmetrics.report.labels import HIDDEN, MISSING, format_pct, format_period, format_value, t
from hrmetrics.report.model import Block, Cell, Note, Table
from hrmetrics.report.sections._base import ORG, ReportInputs, chart, num

IN_PACKS = True


def build(inp: ReportInputs) -> list[Block]:
    """Favourable % by division × dimension, ▲/▼ where the wave change is significant after BH."""
    lang = inp.lang
    units = None if inp.focus == ORG else [inp.focus, ORG]
    if _latest_wave_without_master(inp):
        return item_view_blocks(inp, units)
    cells, period = data.survey_cells(inp.kpis, inp.survey.get("changes"), units)
    if cells.is_empty():
        return [Note(t(lang, "意識調査のデータがありません。", "No survey data."))]
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
            row = [Cell(d)]
            for code in (inp.focus, ORG):
                r = cells.filter((pl.col("unit_code") == code) & (pl.col("dimension") == d))
                if not r.height:
                    row.append(Cell(MISSING))
                    continue
                cell = num(r["value"][0], "%", lang, bool(r["suppressed"][0]))
                row.append(replace(cell, text=cell.text + r["mark"][0]))
            rows.append(tuple(row))
        headers = (
            t(lang, "領域", "Dimension"),
            t(lang, "この所属", "This division"),
            t(lang, "組織全体", "Organisation"),
        )
        return [Note(legend), Table(headers, tuple(rows)), *drivers_blocks(inp)]
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
    heatmap = charts.heatmap(
        heat,
        "%",
        lang,
        title=t(lang, "領域別 肯定的回答率", "Favourable by dimension"),
        x_sort=dims,
        y_sort=y_sort,
    )
    return [
        Note(legend),
        chart("survey-heat", heatmap, t(lang, "意識調査ヒートマップ", "Survey heatmap")),
        *drivers_blocks(inp),
        *reliability_blocks(inp),
    ]


def _latest_wave_without_master(inp: ReportInputs) -> bool:
    """Whether the latest wave's items were derived from the export (no dimensions to show)."""
    items = inp.survey.get("items")
    if items is None or items.is_empty() or "derived" not in items.columns:
        return False
    fav = inp.kpis.filter(pl.col("kpi") == "item_favourable")
    if fav.is_empty():
        return False
    latest = fav.sort("year", "period")["period"][-1]
    return bool(items.filter(pl.col("wave") == latest)["derived"].all())


ITEM_LABEL_CHARS = 16
"""Question texts are long; the heatmap shows the item number and the text's opening."""


def _item_note(inp: ReportInputs, period: str) -> str:
    lang = inp.lang
    hidden = HIDDEN.get(lang, "Hidden")
    return t(
        lang,
        f"{format_period(period, lang)}の設問ごとの肯定的回答率（%）。"
        "この調査回には設問マスタ（survey_items）がないため、"
        "設問と尺度は回答ファイルの見出し（設問文）と選択肢から推定しました。"
        "領域別の集計、エンゲージメント指数、総合満足度の要因分析と信頼性係数には、"
        "設問ごとの領域と役割を記した設問マスタが必要です。"
        "取込時に書き出した survey_items.draft.csv の「領域」などを補い、data フォルダに置いてください。"
        f"「{hidden}」は匿名性を守るため表示しない項目です。"
        "▲▼は前回からの変化が有意なもの（Benjamini–Hochberg法、この表の設問×所属の比較を一つの族として補正）。",
        f"Favourable share (%) per item in {format_period(period, lang)}. This wave has no item master "
        "(survey_items), so items and their scales were derived from the export's question headers and "
        "answer labels. Dimensions, the engagement index, the drivers of overall satisfaction and "
        "reliability need a master giving each item's dimension and role: complete the "
        "survey_items.draft.csv written at intake and put it in the data folder. "
        f"'{hidden}': not shown to protect anonymity. ▲▼: significant change since the previous wave "
        "(Benjamini–Hochberg over this table's item × unit comparisons).",
    )


def item_view_blocks(inp: ReportInputs, units: list[str] | None) -> list[Block]:
    """Favourable % by unit × item for a wave read without an item master, with what the
    master would add. ▲▼ and the BH family are those of the item comparisons (same units)."""
    lang = inp.lang
    fav = inp.kpis.filter(
        (pl.col("kpi") == "item_favourable") & pl.col("level").is_in(["organisation", "division"])
    )
    if units is not None:
        fav = fav.filter(pl.col("unit_code").is_in(units))
    if fav.is_empty():
        return [Note(t(lang, "意識調査のデータがありません。", "No survey data."))]
    period = fav.sort("year", "period")["period"][-1]
    more = pl.when(pl.col("text").str.len_chars() > ITEM_LABEL_CHARS).then(pl.lit("…")).otherwise(pl.lit(""))
    items = inp.survey["items"].filter(pl.col("wave") == period).with_row_index("_i", offset=1)
    items = items.with_columns(
        col=pl.format("{}. {}", "_i", pl.col("text").str.slice(0, ITEM_LABEL_CHARS)) + more
    )
    cells = fav.filter(pl.col("period") == period).join(
        items.select(breakdown="item_id", col="col", _i="_i"), on="breakdown", how="inner")
    ch = inp.survey.get("changes")
    if ch is not None and not ch.is_empty():
        sig = pl.col("significant").fill_null(False) & ~pl.col("suppressed").fill_null(False)
        arrow = pl.when(pl.col("diff") > 0).then(pl.lit("▲")).otherwise(pl.lit("▼"))
        marks = ch.filter((pl.col("scope") == "item") & (pl.col("wave_to") == period)).select(
            "unit_code", breakdown="key", mark=pl.when(sig).then(arrow).otherwise(pl.lit("")))
        cells = cells.join(marks, on=["unit_code", "breakdown"], how="left")
    else:
        cells = cells.with_columns(mark=pl.lit(""))
    cells = cells.with_columns(pl.col("mark").fill_null(""), pl.col("suppressed").fill_null(False))
    org_name = t(lang, "組織全体", "Organisation")
    heat = cells.with_columns(
        row=pl.when(pl.col("unit_code") == ORG).then(pl.lit(org_name)).otherwise("unit_name"),
        text=pl.struct("value", "suppressed", "mark").map_elements(
            lambda r: format_value(r["value"], "%", lang, r["suppressed"]) + (r["mark"] or ""),
            return_dtype=pl.String),
    )
    note = _item_note(inp, period)
    if inp.focus != ORG:
        rows = []
        for c in items["col"].to_list():
            row = [Cell(c)]
            for code in (inp.focus, ORG):
                r = heat.filter((pl.col("unit_code") == code) & (pl.col("col") == c))
                row.append(Cell(r["text"][0], cls="num") if r.height else Cell(MISSING))
            rows.append(tuple(row))
        headers = (t(lang, "設問", "Item"), t(lang, "この所属", "This division"),
                   t(lang, "組織全体", "Organisation"))
        return [Note(note), Table(headers, tuple(rows))]
    y_sort = [org_name, *heat.filter(pl.col("unit_code") != ORG).sort("unit_code")["row"]
              .unique(maintain_order=True).to_list()]
    heatmap = charts.heatmap(heat.select("row", "col", "value", "text", "mark"), "%", lang,
                             title=t(lang, "設問別 肯定的回答率", "Favourable by item"),
                             x_sort=items["col"].to_list(), y_sort=y_sort)
    return [Note(note), chart("survey-heat", heatmap,
                              t(lang, "意識調査ヒートマップ（設問別）", "Survey heatmap (items)"))]


def bh_family_sentence(inp: ReportInputs, period: str | None) -> str:
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


def drivers_blocks(inp: ReportInputs) -> list[Table]:
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
    hidden = inp.in_pack and rows.is_empty() and _survey_hidden(inp, str(latest["wave"][0]))
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
        caption += t(
            lang,
            " 重要度を推定できなかったため、相関の大きい順に示します。",
            " Importance could not be estimated, so items are ranked by correlation.",
        )
    if hidden:
        caption += t(
            lang,
            " この所属の回答は小さな集団を守るために非表示としているので、組織全体の結果を示します。",
            " This division's answers are hidden to protect small groups, so the "
            "organisation's drivers are shown.",
        )
    elif fallback:
        caption += t(
            lang,
            f" この所属は回答者が{inp.config.min_respondents_drivers}人未満のため、"
            "組織全体の結果を示します。",
            f" This division has fewer than {inp.config.min_respondents_drivers} respondents, so the "
            "organisation's drivers are shown.",
        )
    body = tuple(
        (
            Cell(r["text"]),
            Cell(r["dimension"]),
            Cell(f"{r['correlation']:.2f}", cls="num", value=r["correlation"]),
            Cell(format_pct(r["importance"]), cls="num", value=r["importance"], unit="%"),
        )
        for r in top.iter_rows(named=True)
    )
    headers = (
        t(lang, "設問", "Item"),
        t(lang, "領域", "Dimension"),
        t(lang, "相関", "Correlation"),
        t(lang, "重要度", "Importance"),
    )
    return [Table(headers, body, caption)]


def _survey_hidden(inp: ReportInputs, wave: str) -> bool:
    """Whether any survey cell of the focus unit is hidden in the wave."""
    k = inp.kpis
    return (
        k.filter(
            (pl.col("unit_code") == inp.focus)
            & (pl.col("period") == wave)
            & pl.col("kpi").str.starts_with("item_")
            & pl.col("suppressed")
        ).height
        > 0
    )


def reliability_blocks(inp: ReportInputs) -> list[Table]:
    """Cronbach's alpha of each dimension in the latest wave; a dimension below 0.7 is flagged,
    because its favourable share mixes items that do not measure one thing."""
    lang = inp.lang
    rel = inp.survey.get("reliability")
    if rel is None or rel.is_empty():
        return []
    latest = rel.filter(pl.col("wave") == pl.col("wave").max()).sort("dimension")
    body = tuple(
        (
            Cell(r["dimension"]),
            Cell(f"{r['k_items']}", cls="num", value=r["k_items"]),
            Cell(MISSING if r["alpha"] is None else f"{r['alpha']:.2f}", cls="num", value=r["alpha"]),
            Cell(t(lang, "要確認（0.7未満）", "check (< 0.7)") if r["flag"] else t(lang, "良好", "good")),
        )
        for r in latest.iter_rows(named=True)
    )
    caption = t(
        lang,
        "領域ごとの信頼性係数（クロンバックのα）。0.7未満の領域は設問のまとまりを見直してください。",
        "Reliability of each dimension (Cronbach's alpha); below 0.7 the items may not measure one thing.",
    )
    headers = (t(lang, "領域", "Dimension"), t(lang, "設問数", "Items"), "α", t(lang, "判定", "Check"))
    return [Table(headers, body, caption)]
