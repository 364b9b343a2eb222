"""Content of the report outputs: layout order, scorecard, periods, reference vs target styling,
Excel sheets and formats, CSV/Parquet exports, English mode."""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_fixtures as fx

from hrmetrics.report import build_report
from hrmetrics.report.build import load_layout
from hrmetrics.report.labels import format_period, format_value


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    paths = build_report(
        out,
        fx.kpis(),
        fx.progress(),
        fx.survey(),
        fx.quality(),
        fx.rejects(),
        references=fx.references(),
        images=False,
    )
    return out, paths


def _specs(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="spec-([^"]+)">(.*?)</script>', html, re.S)
    return {k: json.loads(v) for k, v in found}


@pytest.mark.parametrize(
    ("period", "lang", "expected"),
    [
        ("FY2024", "ja", "令和6年度 (FY2024)"),
        ("FY2019", "ja", "令和元年度 (FY2019)"),
        ("FY2018", "ja", "平成30年度 (FY2018)"),
        ("2024", "ja", "2024年 (令和6年)"),
        ("2024-04", "ja", "令和6年4月 (2024-04)"),
        ("FY2024", "en", "FY2024 (R6)"),
    ],
)
def test_format_period(period, lang, expected):
    assert format_period(period, lang) == expected


def test_format_value():
    assert format_value(12.345, "h") == "12.3時間"
    assert format_value(45.66, "%") == "45.7%"
    assert format_value(1234.0, "people") == "1,234人"
    assert format_value(37.77, "%", suppressed=True) == "非表示"
    assert format_value(None, "%") == "—"


def test_sections_follow_layout(built):
    _, paths = built
    html = paths.index.read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids == [s["id"] for s in load_layout()["sections"]]
    assert "令和6年度 (FY2024)" in html
    for title in ("概要と計画の進捗", "付録：データ品質"):
        assert title in html


def test_scorecard_rows(built):
    _, paths = built
    html = paths.index.read_text(encoding="utf-8")
    card = html.split('class="scorecard"')[1].split("</table>")[0]
    assert card.count("<tr>") == 1 + len(fx.PROGRESS_KPIS)
    assert "達成" in card  # e_approval_rate achieved
    assert "130.7時間" in card or re.search(r"\d+\.\d時間", card)
    assert "72.0%" in card  # probability 0.72 shown as a percentage


def test_reference_is_not_styled_like_target(built):
    _, paths = built
    spec = _specs(paths.index.read_text(encoding="utf-8"))["trend-overtime_hours_per_staff"]
    text = json.dumps(spec, ensure_ascii=False)
    assert "参考値" in text and "目標" in text
    line = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "line")
    domain = line["encoding"]["color"]["scale"]["domain"]
    colors = dict(zip(domain, line["encoding"]["color"]["scale"]["range"], strict=True))
    dashes = dict(zip(domain, line["encoding"]["strokeDash"]["scale"]["range"], strict=True))
    ref = next(d for d in domain if d.startswith("参考値"))
    traj = next(d for d in domain if "計画" in d)
    assert colors[ref] == "#7f7f7f" and dashes[ref] != [1, 0]
    assert colors[ref] != colors[traj] and dashes[ref] != dashes[traj]
    # projection band present (two area layers: 95% and 80%)
    assert sum(1 for layer in spec["layer"] if layer.get("mark", {}).get("type") == "area") == 2


def test_charts_embed_only_aggregates(built):
    """Chart data holds no KPI-table columns beyond what is drawn (no raw rows, no parent codes)."""
    _, paths = built
    for spec in _specs(paths.index.read_text(encoding="utf-8")).values():
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                assert not {"numerator", "denominator", "n", "parent_code", "kpi"} & set(row)
                assert len(rows) < 200


def test_survey_heatmap_marks_and_hidden(built):
    _, paths = built
    spec = _specs(paths.index.read_text(encoding="utf-8"))["survey-heat"]
    rows = [r for rs in spec["datasets"].values() for r in rs]
    fukushi = [r for r in rows if r["row"] == "福祉課"]
    assert len(fukushi) == 3 and all(r["text"] == "非表示" and r["value"] is None for r in fukushi)
    assert any(r["text"].endswith("▲") for r in rows)


def test_survey_states_the_bh_family(built):
    """Under the heatmap: respondent-level test, the BH family (one wave pair × the heatmap's
    units × dimensions) and its size; a pack states the family but not the size."""
    _, paths = built
    html = paths.index.read_text(encoding="utf-8")
    tested = fx.changes().filter(pl.col("p_value").is_not_null()).height
    assert tested > 0
    assert "回答者を単位" in html and "Benjamini–Hochberg法" in html
    assert f"令和5年度 (FY2023)→令和6年度 (FY2024)、組織全体と各課×各領域、計{tested}件）を一つの族" in html
    pack = next(iter(paths.divisions.values())).read_text(encoding="utf-8")
    assert "組織全体と各課×各領域）を一つの族" in pack and f"計{tested}件" not in pack


def test_excel_workbook(built):
    _, paths = built
    with zipfile.ZipFile(paths.workbook) as z:
        wb = z.read("xl/workbook.xml").decode()
        sheets = re.findall(r'<sheet name="([^"]+)"', wb)
        assert sheets == ["KPI表", "進捗", "所属別", "データ品質", "却下行"]
        styles = z.read("xl/styles.xml").decode()
        assert 'formatCode="0.0%"' in styles and 'formatCode="#,##0.0"' in styles
        s1 = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<pane " in s1 and 'state="frozen"' in s1 and "<autoFilter" in s1 and "<cols>" in s1
        cells = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
        assert "指標" in cells and "所属名" in cells and "非表示" in cells
        s3 = z.read("xl/worksheets/sheet3.xml").decode()
        assert "<autoFilter" in s3
    import fastexcel

    reader = fastexcel.read_excel(str(paths.workbook))
    div = pl.from_arrow(reader.load_sheet_by_name("所属別").to_arrow())
    assert div.height == 1 + len(fx.DIVISIONS)
    col = next(c for c in div.columns if c.startswith("電子決裁率"))
    org = fx.kpis().filter(
        (pl.col("kpi") == "e_approval_rate") & (pl.col("unit_code") == "ORG") & (pl.col("year") == 2024)
    )["value"][0]
    assert div[col][0] == pytest.approx(org / 100)  # stored as a fraction, shown as %


def test_exports(built):
    out, _ = built
    csv = (out / "kpis.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(out / "kpis.csv", encoding="utf8-lossy", infer_schema_length=0)
    assert back.columns[0].lstrip("\ufeff") == "kpi" and back.height == fx.kpis().height
    pq = pl.read_parquet(out / "kpis.parquet")
    assert pq.schema == fx.kpis().schema and pq.height == fx.kpis().height
    assert (out / "progress.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_english_report(tmp_path):
    paths = build_report(
        tmp_path, fx.kpis(), fx.progress(), fx.survey(), fx.quality(), fx.rejects(), lang="en", images=False
    )
    html = paths.index.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Summary and plan progress" in html and "FY2024 (R6)" in html
    assert "Hidden" in paths.divisions[fx.HIDDEN_UNIT].read_text(encoding="utf-8")


def test_images_written_for_every_org_chart(tmp_path):
    paths = build_report(tmp_path, fx.kpis(), fx.progress(), fx.survey(), references=fx.references())
    html = paths.index.read_text(encoding="utf-8")
    ids = set(_specs(html))
    stems = {p.stem for p in paths.charts}
    assert ids == stems
    for p in paths.charts:
        head = p.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if p.suffix == ".png" else b"<svg" in p.read_bytes()[:400]


def test_minimal_inputs(tmp_path):
    """Only the KPI table: the report still builds, sections say there is no data."""
    paths = build_report(tmp_path, fx.kpis(), images=False)
    html = paths.index.read_text(encoding="utf-8")
    assert "計画目標が設定された指標はありません" in html and "取込結果の情報がありません" in html
