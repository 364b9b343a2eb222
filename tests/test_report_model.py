"""The report model: one typed description that the page, the workbook and the console render, in
the report's language; a section added by one module and one layout entry reaches every output."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_fixtures as fx

from hrmetrics.config import Config
from hrmetrics.report import build_report
from hrmetrics.report.model import Chart, Headline, Note, Table
from hrmetrics.resources import default_dir


def _sheet_xml(book: Path) -> tuple[list[str], str]:
    with zipfile.ZipFile(book) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        first = z.read("xl/worksheets/sheet1.xml").decode()
    return names, first


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    out = tmp_path_factory.mktemp("english")
    return build_report(
        out, fx.kpis(), fx.progress(), fx.survey(), fx.quality(), fx.rejects(), lang="en", images=False
    )


def test_english_workbook_has_english_sheet_names_and_headers(english):
    import fastexcel

    names, _ = _sheet_xml(english.workbook)
    assert names == ["KPIs", "Progress", "By division", "Data quality", "Rejected rows"]
    reader = fastexcel.read_excel(str(english.workbook))
    kpis = pl.from_arrow(reader.load_sheet_by_name("KPIs").to_arrow())
    assert kpis.columns[:3] == ["Indicator", "KPI id", "Breakdown"]
    assert kpis.height == fx.kpis().height
    assert "E-approval rate" in kpis["Indicator"].to_list()
    divs = pl.from_arrow(reader.load_sheet_by_name("By division").to_arrow())
    assert divs.columns[:3] == ["Unit code", "Unit name", "Overtime hours per staff per year"]
    # the hidden survey cells of the small division read "Hidden", not 非表示
    hidden_row = divs.filter(pl.col("Unit code") == fx.HIDDEN_UNIT).row(0)
    assert "Hidden" in hidden_row and "非表示" not in hidden_row
    for sheet in names:
        frame = pl.from_arrow(reader.load_sheet_by_name(sheet).to_arrow())
        assert not any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", c) for c in frame.columns), (
            sheet,
            frame.columns,
        )


def test_japanese_workbook_keeps_japanese_names(tmp_path):
    paths = build_report(tmp_path, fx.kpis(), fx.progress(), images=False)
    import fastexcel

    names, _ = _sheet_xml(paths.workbook)
    assert names == ["KPI表", "進捗", "所属別"]
    kpis = pl.from_arrow(fastexcel.read_excel(str(paths.workbook)).load_sheet_by_name("KPI表").to_arrow())
    assert kpis.columns[:3] == ["指標", "指標ID", "内訳"]


def test_model_is_what_the_page_renders(english):
    """Every section, headline, table caption and chart of the model is on the page, in order."""
    report = english.report
    html = english.index.read_text(encoding="utf-8")
    assert [s.id for s in report.sections] == re.findall(r'<section id="([^"]+)"', html)
    kinds = {type(b) for s in report.sections for b in s.blocks}
    assert kinds == {Headline, Table, Chart, Note}
    chart_ids = [c.id for c in report.charts()]
    assert chart_ids == re.findall(r'data-spec="spec-([^"]+)"', html)
    assert report.lang == "en" and "Hidden" in html
    trend = next(b for b in report.section("trends").blocks if isinstance(b, Headline))
    assert trend.facts[0][0] == "Latest"


def test_console_renders_the_same_scorecard(english):
    from rich.console import Console

    from hrmetrics.console import print_report

    console = Console(record=True, width=200)
    print_report(english.report, sections=("summary",), console=console)
    text = console.export_text()
    scorecard = next(b for b in english.report.section("summary").blocks if isinstance(b, Table))
    assert "Summary and plan progress" in text
    for header in scorecard.headers:
        assert header in text
    for row in scorecard.rows:
        assert row[0].text in text and row[4].text in text


EXTRA_SECTION = '''
"""A test-only section: the number of divisions shown in the report."""
from hrmetrics.report import data
from hrmetrics.report.labels import t
from hrmetrics.report.model import Cell, Note, Table

IN_PACKS = False


def build(inp):
    n = data.divisions(inp.kpis).height
    return [Note(t(inp.lang, "テスト用の節です。", "A test-only section.")),
            Table((t(inp.lang, "所属数", "Divisions"),), ((Cell(f"{n}", cls="num", value=n),),))]
'''


def test_a_section_is_one_module_and_one_layout_entry(tmp_path, monkeypatch):
    """Files touched to add a section: the section module and `reports/layout.toml`. Nothing else."""
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "extra_section.py").write_text(EXTRA_SECTION, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    workspace = tmp_path / "ws"
    (workspace / "reports").mkdir(parents=True)
    layout = (default_dir("reports") / "layout.toml").read_text(encoding="utf-8")
    layout += (
        '\n[[sections]]\nid = "extra"\nmodule = "extra_section"\ntitle_ja = "追加の節"\ntitle_en = "Extra"\n'
    )
    (workspace / "reports" / "layout.toml").write_text(layout, encoding="utf-8")
    paths = build_report(tmp_path / "out", fx.kpis(), images=False, config=Config(workspace=workspace))
    html = paths.index.read_text(encoding="utf-8")
    assert re.findall(r'<section id="([^"]+)"', html)[-1] == "extra"
    assert "追加の節" in html and "テスト用の節です。" in html
    assert f'<td class="num">{len(fx.DIVISIONS)}</td>' in html
    extra = paths.report.section("extra")
    assert extra is not None and extra.blocks[1].rows[0][0].value == len(fx.DIVISIONS)
    pack = next(iter(paths.divisions.values())).read_text(encoding="utf-8")
    assert "追加の節" not in pack  # IN_PACKS = False


def test_packs_built_in_worker_processes_equal_packs_built_in_process(tmp_path):
    """The parallel path writes the same pack and image files as the serial one (and no others)."""
    args = (fx.kpis(), fx.progress(), fx.survey(), fx.quality(), fx.rejects())
    serial = build_report(tmp_path / "serial", *args, references=fx.references(), workers=1)
    parallel = build_report(tmp_path / "parallel", *args, references=fx.references(), workers=2)
    assert [p.name for p in parallel.charts] == [p.name for p in serial.charts]
    assert len(serial.charts) >= 10
    for mine, theirs in zip(parallel.charts, serial.charts, strict=True):
        if mine.suffix == ".svg":  # the PNG encoder's bytes may differ; the drawing may not
            assert mine.read_bytes() == theirs.read_bytes(), mine.name
    assert list(parallel.divisions) == list(serial.divisions) == sorted(fx.DIVISIONS)
    for code, path in serial.divisions.items():
        assert parallel.divisions[code].read_bytes() == path.read_bytes(), code
    assert sorted(p.name for p in (tmp_path / "parallel" / "report" / "divisions").iterdir()) == sorted(
        p.name for p in serial.divisions.values()
    )


def test_trend_specs_share_one_template_per_unit_and_language():
    """A pack's trend chart is the cached template filled with its data: no altair per division."""
    from hrmetrics.report import charts

    charts._trend_template.cache_clear()
    actual = pl.DataFrame({"year": [2022, 2023, 2024], "value": [10.0, 12.0, 11.0]})
    org = pl.DataFrame({"year": [2022, 2023, 2024], "value": [9.0, 9.5, 10.0]})
    a = charts.trend_chart(actual, "h", "ja", compare=org, title="A", focus_label="この所属")
    b = charts.trend_chart(actual.with_columns(pl.col("value") * 2), "h", "ja", title="B")
    info = charts._trend_template.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert a["title"] == "A" and b["title"] == "B"
    assert [r["value"] for r in b["datasets"]["focus"]] == [20.0, 24.0, 22.0]
    assert a["datasets"]["band"] == [] and a["datasets"]["target"] == []
    line = a["layer"][2]["encoding"]["color"]["scale"]
    assert line["domain"] == ["この所属", "組織全体"]
    assert {r["series"] for r in a["datasets"]["lines"]} == {"この所属", "組織全体"}


def test_worker_processes_receive_every_survey_table_a_pack_reads():
    """A pack built in a worker reads the same survey tables as one built in process (the derived
    item list included), so the parallel path cannot silently drop the item view's notes."""
    from hrmetrics.report.build import _pack_survey, _scoped_survey

    survey = dict(fx.survey())
    survey["items"] = pl.DataFrame({"wave": ["FY2024"], "item_id": ["q1"], "derived": [True]})
    code = sorted(fx.DIVISIONS)[0]
    in_process, in_worker = _scoped_survey(survey, code), _scoped_survey(_pack_survey(survey), code)
    assert set(in_worker) == set(in_process) == {"changes", "drivers", "items"}
    assert in_worker["items"].equals(survey["items"])


def test_a_chart_taller_than_a_page_is_written_as_svg_only(tmp_path):
    """340 divisions make an 8,000 px chart: no slide or page, so no PNG (SVG scales)."""
    from hrmetrics.report import render

    def spec(height: int) -> dict:
        encoding = {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "nominal"}}
        return {"mark": "bar", "height": height, "width": 100, "data": {"values": [{"a": 1, "b": "x"}]},
                "encoding": encoding}

    tall = render.save_images(spec(render.PNG_MAX_HEIGHT + 100), tmp_path / "tall")
    short = render.save_images(spec(300), tmp_path / "short")
    assert [p.name for p in tall] == ["tall.svg"] and not (tmp_path / "tall.png").exists()
    assert [p.name for p in short] == ["short.svg", "short.png"]
    assert render.svg_height(tall[0].read_text(encoding="utf-8")) > render.PNG_MAX_HEIGHT
    assert 300 < render.svg_height(short[0].read_text(encoding="utf-8")) < 400
