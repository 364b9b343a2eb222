# ruff: noqa: E501  (Japanese labels of the statutory layouts read better unwrapped)
"""Write the statutory publication: an Excel workbook, CSVs (UTF-8 with BOM) and one HTML page.

The workbook's figure cells hold the KPI table's values unrounded (the cell format shows one
decimal), so what is pasted into the municipal website or the national 見える化 site is the KPI
table's number; the CSVs round to one decimal as websites show them. The companion sheet
計算根拠 lists every figure's numerator, denominator and n. Hidden figures are blank with the
reason in 備考; nothing hidden is written anywhere, including the HTML.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from hrmetrics.publish.model import Publication
from hrmetrics.spreadsheet_safety import neutralise_frame, neutralise_text

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

ITEM_COLUMNS = {"group": "区分", "item": "項目", "detail": "内訳", "value": "値", "unit": "単位",
                "period": "時点", "note": "備考"}
PAY_COLUMNS = {"group": "区分", "item": "項目", "value": "男性の給与に対する女性の給与の割合（%）", "note": "備考"}
BASIS_COLUMNS = {"sheet": "表", "item": "項目", "detail": "内訳", "kpi": "KPI", "breakdown": "breakdown",
                 "period": "時点", "value": "値", "numerator": "分子", "denominator": "分母", "n": "人数(n)",
                 "suppressed": "非表示", "note": "備考"}
UNIT_JA = {"%": "%", "h": "時間", "days": "日", "years": "年", "yen": "円", "people": "人", "points": "ポイント"}
FILES = {"items": "情報公表.csv", "pay": "給与の男女の差異.csv", "plan": "実施状況.csv", "basis": "計算根拠.csv",
         "xlsx": "publication.xlsx", "html": "publication.html"}


def _display(df: pl.DataFrame, columns: dict[str, str], decimals: int | None = 1) -> pl.DataFrame:
    out = df.with_columns(pl.col("unit").replace_strict(UNIT_JA, default=pl.col("unit"))) \
        if "unit" in df.columns else df
    if decimals is not None:
        out = out.with_columns(pl.col("value").round(decimals))
    return out.select([pl.col(c).alias(name) for c, name in columns.items()])


def basis(pub: Publication) -> pl.DataFrame:
    """計算根拠: every figure of both tables with the KPI row's numbers."""
    cols = ["item", "detail", "kpi", "breakdown", "period", "value", "numerator", "denominator", "n",
            "suppressed", "note"]
    return pl.concat([pub.items.select(pl.lit("情報公表").alias("sheet"), *cols),
                      pub.pay.select(pl.lit("給与の男女の差異").alias("sheet"), *cols)])


def write_csvs(pub: Publication, out_dir: Path) -> list[Path]:
    """The tables as CSV, UTF-8 with BOM (Excel in Japan opens them as they are)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {"items": _display(pub.items, ITEM_COLUMNS), "pay": _display(pub.pay, PAY_COLUMNS),
              "basis": _display(basis(pub), BASIS_COLUMNS, decimals=None)}
    if not pub.plan.is_empty():
        tables["plan"] = pub.plan.drop("kpi", "breakdown", "rating").with_columns(
            pl.col("数値目標", "最新値", "目標設定時最新値").round(1))
    paths = []
    for key, df in tables.items():
        path = out_dir / FILES[key]
        neutralise_frame(df).write_csv(path, include_bom=True)
        paths.append(path)
    return paths


def write_workbook(pub: Publication, path: Path) -> Path:
    """publication.xlsx: 情報公表, 給与の男女の差異 (+ 説明欄), 実施状況, 計算根拠."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    one = wb.add_format({"num_format": "0.0", "border": 1})
    text = wb.add_format({"border": 1, "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 13})

    def sheet(name: str, heading: str, df: pl.DataFrame, numeric: set[str]) -> Worksheet:
        ws = wb.add_worksheet(name)
        ws.write(0, 0, heading, title)
        for j, col in enumerate(df.columns):
            ws.write(2, j, col, head)
            ws.set_column(j, j, 14 if col in numeric else 28)
        for i, row in enumerate(df.iter_rows(), start=3):
            for j, v in enumerate(row):
                if v is None:
                    ws.write_blank(i, j, None, text)
                elif df.columns[j] in numeric and isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, j, float(v), one)
                else:
                    ws.write(i, j, neutralise_text(str(v) if isinstance(v, bool) else v), text)
        return ws

    org = pub.organisation
    sheet("情報公表", f"{org} 女性活躍推進法第21条に基づく情報公表（{pub.period_label}）",
          _display(pub.items, ITEM_COLUMNS, decimals=None), {"値"})
    ws = sheet("給与の男女の差異", f"{org} 職員の給与の男女の差異（{pub.period_label}）",
               _display(pub.pay, PAY_COLUMNS, decimals=None), {PAY_COLUMNS["value"]})
    below = pub.pay.height + 4
    ws.write(below, 0, "説明欄", head)
    ws.merge_range(below, 1, below + 3, 3, neutralise_text(pub.explanation), text)
    ws.write(below + 5, 0, neutralise_text(pub.basis_note), text)
    if not pub.plan.is_empty():
        sheet("実施状況", f"{org} 特定事業主行動計画の実施状況（{pub.period_label}）",
              pub.plan.drop("kpi", "breakdown", "rating"), {"数値目標", "最新値", "目標設定時最新値"})
    sheet("計算根拠", "各数値の分子・分母（KPI表の値）", _display(basis(pub), BASIS_COLUMNS, decimals=None),
          {"値", "分子", "分母", "人数(n)"})
    wb.close()
    return path


def _html_table(df: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    body = []
    for row in df.iter_rows():
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(f'<td class="num">{v:,.1f}</td>')
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:"IPAexGothic","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;max-width:70em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #999;padding:.3em .6em;vertical-align:top}}
th{{background:#ddebf7}}td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.note{{white-space:pre-wrap;border:1px solid #999;padding:.6em;background:#fafafa}}
</style></head><body>
<h1>{title}</h1>
<p>{intro}</p>
<h2>職員の給与の男女の差異</h2>
{pay}
<h3>説明欄</h3><div class="note">{explanation}</div>
<p>{basis_note}</p>
<h2>女性活躍推進法第21条に基づく情報公表</h2>
{items}
{plan}
<p>{remarks}</p>
</body></html>
"""


def write_html(pub: Publication, path: Path) -> Path:
    """One self-contained page (no scripts, no external resources): both tables and 説明欄."""
    path.parent.mkdir(parents=True, exist_ok=True)
    plan = ""
    if not pub.plan.is_empty():
        plan = "<h2>特定事業主行動計画の実施状況</h2>" + _html_table(pub.plan.drop("kpi", "breakdown", "rating"))
    page = _PAGE.format(
        title=html.escape(f"{pub.organisation} 特定事業主の情報公表（{pub.period_label}）"),
        intro=html.escape("数値はKPI表（kpis.csv）の値です。非表示の数値は少人数の保護のため公表しません。"),
        pay=_html_table(_display(pub.pay, PAY_COLUMNS)),
        explanation=html.escape(pub.explanation or "（説明欄は hrmetrics.toml の [publication] pay_explanation に記入）"),
        basis_note=html.escape(pub.basis_note),
        items=_html_table(_display(pub.items, ITEM_COLUMNS)),
        plan=plan, remarks=html.escape(pub.remarks))
    path.write_text(page, encoding="utf-8")
    return path


def write_publication(pub: Publication, out_dir: str | Path) -> list[Path]:
    """Everything into `out_dir`: workbook, CSVs and the HTML page."""
    out_dir = Path(out_dir)
    paths = write_csvs(pub, out_dir)
    paths.append(write_workbook(pub, out_dir / FILES["xlsx"]))
    paths.append(write_html(pub, out_dir / FILES["html"]))
    return paths
