"""Privacy of every output: suppressed survey cells leak nowhere; a manager pack holds only its
division and the organisation; input text is escaped; file names stay inside divisions/;
spreadsheet formulas are neutralised."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_fixtures as fx

from hrmetrics.report import build_report
from hrmetrics.report.privacy import safe_child, safe_filename, scrub_kpis
from hrmetrics.spreadsheet_safety import neutralise_text

LEAK_PATTERNS = [b"37.77", b"37.8", b"1.5111", b"1.511"]


def _all_bytes(root: Path) -> dict[Path, bytes]:
    """Every output file's bytes; XLSX are unzipped (the XML is what holds the cell values)."""
    out = {}
    for p in root.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                out[p] = b"".join(z.read(n) for n in z.namelist())
        else:
            out[p] = p.read_bytes()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("privacy")
    paths = build_report(
        out, fx.kpis(), fx.progress(), fx.survey(), fx.quality(), fx.rejects(), references=fx.references()
    )
    return out, paths


def test_fixture_really_holds_the_hidden_numbers():
    """Guard against a vacuous leak test: the raw copy has them, the published copy does not."""
    raw, pub = fx.kpis_raw(), fx.kpis()
    assert raw.filter(pl.col("value") == fx.HIDDEN_VALUE).height > 0
    assert raw.filter(pl.col("n") == fx.HIDDEN_N).height > 0
    assert pub.filter(pl.col("value") == fx.HIDDEN_VALUE).height == 0
    # no ordinary value formats to the hidden one
    assert pub.filter(pl.col("value").round(1) == 37.8).height == 0
    for pat in LEAK_PATTERNS:  # nor does any other published number contain the patterns
        assert pat.decode() not in pub.write_csv()


def test_suppressed_values_appear_in_no_output(built):
    out, paths = built
    files = _all_bytes(out)
    kinds = {p.suffix for p in files}
    assert {".html", ".svg", ".png", ".csv", ".parquet", ".xlsx"} <= kinds
    for path, blob in files.items():
        for pat in LEAK_PATTERNS:
            assert pat not in blob, f"{pat!r} leaked into {path}"
    html = paths.divisions[fx.HIDDEN_UNIT].read_text(encoding="utf-8")
    assert "非表示" in html
    assert "非表示" in paths.index.read_text(encoding="utf-8")
    assert re.search(r'"n":\s*4\b', html) is None


def test_suppressed_rows_carry_no_numbers_in_exports(built):
    out, _ = built
    for frame in (
        pl.read_parquet(out / "kpis.parquet"),
        pl.read_csv(out / "kpis.csv", infer_schema_length=0),
    ):
        hidden = frame.filter(pl.col("unit_code") == fx.HIDDEN_UNIT).filter(
            pl.col("suppressed").cast(pl.String).str.to_lowercase() == "true"
        )
        assert hidden.height == 5  # satisfaction, engagement, 3 dimensions in FY2024
        for col in ("value", "numerator", "denominator", "n"):
            assert hidden[col].null_count() == hidden.height, col


def test_scrub_removes_numbers_a_producer_left_behind():
    """Defence in depth: even if the engine forgot to null a suppressed row, reports do."""
    leaky = fx.kpis_raw().with_columns((pl.col("value") == fx.HIDDEN_VALUE).alias("suppressed"))
    clean = scrub_kpis(leaky).filter(pl.col("suppressed"))
    assert (
        clean.height > 0
        and clean["value"].null_count() == clean.height
        and clean["n"].null_count() == clean.height
    )


def test_pack_holds_only_its_division_and_org(built):
    _, paths = built
    names = {code: name for code, (name, _parent) in fx.DIVISIONS.items()}
    assert set(paths.divisions) == set(names)
    for code, path in paths.divisions.items():
        text = path.read_text(encoding="utf-8")
        assert code in text and names[code] in text
        for other, other_name in names.items():
            if other != code:
                assert other not in text, f"{other} in pack of {code}"
                assert other_name not in text, f"{other_name} in pack of {code}"
        assert "overtime_2024.csv" not in text  # no intake appendix (rejects may name other units)


def test_index_compares_all_divisions(built):
    _, paths = built
    text = paths.index.read_text(encoding="utf-8")
    for _code, (name, _p) in fx.DIVISIONS.items():
        assert name in text
    assert "参考値" in text and "../rejects/overtime.csv" in text


def test_hostile_strings(tmp_path):
    """`<script>` in a unit name is escaped; `../x` stays in divisions/; '=…' neutralised in CSV/XLSX."""
    evil_name, evil_code, formula = "<script>alert(1)</script>", "../x", '=HYPERLINK("http://evil")'
    code = pl.col("unit_code")
    k = fx.kpis().with_columns(
        pl.when(code == "DIV-ZAISEI")
        .then(pl.lit(evil_name))
        .when(code == "DIV-JINJI")
        .then(pl.lit(formula))
        .otherwise("unit_name")
        .alias("unit_name"),
        pl.when(code == "DIV-SHIMIN").then(pl.lit(evil_code)).otherwise("unit_code").alias("unit_code"),
    )
    paths = build_report(
        tmp_path / "out",
        k,
        fx.progress(k),
        {"changes": fx.changes()},
        fx.quality(),
        fx.rejects(),
        images=False,
    )
    div_dir = (tmp_path / "out" / "report" / "divisions").resolve()
    for p in paths.divisions.values():
        assert p.resolve().parent == div_dir
    assert not (tmp_path / "out" / "report" / "x.html").exists()
    for p in [paths.index, *paths.divisions.values()]:
        text = p.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text
    index = paths.index.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # HTML text
    assert "\\u003cscript\\u003ealert(1)" in index  # chart data (JSON inside a script element)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in paths.divisions["DIV-ZAISEI"].read_text(
        encoding="utf-8"
    )
    csv = (tmp_path / "out" / "kpis.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    assert b"'=HYPERLINK" in csv and b",=HYPERLINK" not in csv and b'"=HYPERLINK' not in csv
    rej = (tmp_path / "out" / "rejects" / "overtime.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in rej
    with zipfile.ZipFile(paths.workbook) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/"))
    assert b"<f>" not in xml  # no formula cell anywhere
    assert b"&apos;=HYPERLINK" in xml or b"'=HYPERLINK" in xml


def test_safe_filename_rules(tmp_path):
    assert safe_filename("DIV-01_a") == "DIV-01_a"
    for bad in ("../x", "..", "/etc/passwd", "a/b", "人事課", "", "C:\\x"):
        stem = safe_filename(bad)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", stem), stem
        assert safe_child(tmp_path, bad, ".html").parent == tmp_path.resolve()
    assert safe_filename("a/b") != safe_filename("a_b")  # no collision with a legitimate code


@pytest.mark.parametrize("text", ["=1+2", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_text(text):
    assert neutralise_text(text) == "'" + text
    assert neutralise_text("人事課") == "人事課"


@pytest.mark.parametrize("number", ["-2.5", "+1", "-1", "12"])
def test_plain_numbers_are_left_as_written(number):
    """A negative hours value in a reject report must read as the file had it, and Excel reads
    these as numbers, never as formulas."""
    assert neutralise_text(number) == number
