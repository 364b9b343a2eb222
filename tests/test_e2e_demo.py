"""End to end on the real demo city 「みどり市」: one `hrmetrics.workflow.demo` run per session
(`demo_run` in conftest.py), then checks of every output against values recomputed here, with plain
polars, from the generator's canonical frames (`build_demo_frames`).

The leak tests recompute the *true* values behind suppressed survey cells and look for them, in
the formats a report prints numbers, inside every output record that belongs to the division.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import polars as pl
import pytest
from offline_browser import CHROMIUM, open_offline

pytestmark = pytest.mark.slow

ORG_NAME = "みどり市"
BAD_FILE = "時間外勤務実績_令和5年度.csv"
SURVEY_KPIS = ("staff_satisfaction_rate", "engagement_index", "survey_response_rate")
SURVEY_PREFIXES = ("item_", "dimension_")
MIN_SURVEY = 5  # [privacy] min_group_survey of the demo's hrmetrics.toml
PACK_CODES = ("02050", "06040", "01020")  # tiny division, merged successor, an ordinary one


# ------------------------------------------------------------------------------------ helpers


def _fy(col: str) -> pl.Expr:
    return pl.col(col).dt.year() - (pl.col(col).dt.month() < 4).cast(pl.Int32)


def _kpis(run) -> pl.DataFrame:
    return pl.read_parquet(run.out_dir / "kpis.parquet")


def _org(kpis: pl.DataFrame, kpi: str) -> dict[str, float]:
    rows = kpis.filter(pl.col("kpi") == kpi, pl.col("unit_code") == "ORG", pl.col("breakdown").is_null())
    return dict(zip(rows["period"], rows["value"], strict=True))


def _embedded_json(html_text: str) -> dict[str, object]:
    """Every `<script type="application/json" id=…>` block of a page, parsed."""
    out = {}
    for m in re.finditer(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html_text, re.S):
        out[m.group(1)] = json.loads(m.group(2))
    assert out, "no embedded JSON found"
    return out


def _datums(spec: object):
    """Every dict record inside a Vega-Lite spec's data (inline `datasets` and `data.values`)."""
    if isinstance(spec, dict):
        if isinstance(spec.get("datasets"), dict):
            for rows in spec["datasets"].values():
                yield from (r for r in rows if isinstance(r, dict))
        values = spec.get("values")
        if isinstance(values, list):
            yield from (r for r in values if isinstance(r, dict))
        for k, v in spec.items():
            if k != "datasets":
                yield from _datums(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _datums(v)


def _token_re(token: str) -> re.Pattern[str]:
    """A number token that is not part of a longer number (`25.0` must not match `125.04`)."""
    return re.compile(r"(?<![\d.])" + re.escape(token) + r"(?!\d)")


def value_tokens(v: float) -> list[str]:
    """How a report could print a share v (%): 37.5, 37.50, 37.5%, 0.375, 0.3750, repr."""
    toks = {f"{v:.1f}", f"{v:.2f}", f"{v:.1f}%", f"{v:.2f}%", repr(v), repr(v / 100), f"{v / 100:.3f}",
            f"{v / 100:.4f}"}
    return sorted(toks)


def count_res(n: int) -> list[re.Pattern[str]]:
    """How a report could print a respondent count n: n=4, "n": 4, 4人, 4名, 回答者4, 回答者数: 4."""
    return [
        re.compile(rf"\bn\s*[=＝:：]\s*{n}(?!\d)"),
        re.compile(rf'"n"\s*:\s*{n}(?![\d.])'),
        re.compile(rf"(?<![\d.]){n}\s*[人名]"),
        re.compile(rf"回答者数?\s*[:：=]?\s*{n}(?!\d)"),
    ]


def _division_units(frames) -> pl.DataFrame:
    org = frames["org_units"]
    return org.filter(pl.col("parent_code").is_not_null())


def _current_divisions(frames) -> pl.DataFrame:
    return _division_units(frames).filter(pl.col("valid_to_fy").is_null())


# ------------------------------------------------------------------------ outputs and quality


def test_demo_writes_every_output(demo_run, demo_frames):
    out = demo_run.out_dir
    for rel in ("hrmetrics.toml", "store/manifest.json", "rejects/overtime.csv", "report/index.html",
                "report/hrmetrics.xlsx", "kpis.csv", "kpis.parquet", "progress.csv"):
        assert (out / rel).is_file() and (out / rel).stat().st_size > 0, rel
    assert len([p for p in (out / "data").iterdir() if p.is_file()]) == 22
    for rel in ("publish/publication.xlsx", "publish/給与の男女の差異.csv", "publish/情報公表.csv",
                "publish/計算根拠.csv", "publish/publication.html", "report/publication.html"):
        assert (out / rel).is_file() and (out / rel).stat().st_size > 0, rel
    packs = {p.stem for p in (out / "report" / "divisions").glob("*.html")}
    assert packs == set(_current_divisions(demo_frames)["unit_code"])
    assert demo_run.report_path == out / "report" / "index.html"
    charts = list((out / "report" / "charts").iterdir())
    assert {p.suffix for p in charts} == {".png", ".svg"}
    # the returned tables are the written ones
    assert _kpis(demo_run).height == demo_run.kpis.height
    assert pl.read_csv(out / "progress.csv").height == demo_run.progress.height


def test_data_quality_summary(demo_run):
    summary = demo_run.intake.summary_frame()
    assert summary.height == 22
    data_files = {p.name for p in (demo_run.out_dir / "data").iterdir() if p.is_file()}
    # a workbook's sheet is reported as `file [sheet]`
    assert {re.sub(r" \[.*\]$", "", f) for f in summary["file"]} == data_files
    bad = summary.filter(pl.col("rows_accepted") + pl.col("rows_rejected") != pl.col("rows_read"))
    assert bad.is_empty(), bad
    rejected = summary.filter(pl.col("rows_rejected") > 0)
    assert rejected["file"].to_list() == [BAD_FILE]
    assert rejected["rows_rejected"].to_list() == [5]
    assert summary.filter(pl.col("status") == "refused").is_empty()


def test_rejects_name_the_five_bad_rows(demo_run):
    raw = (demo_run.out_dir / "rejects" / "overtime.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rejects = pl.read_csv(io.BytesIO(raw[3:]), infer_schema_length=0)
    errors = rejects.filter(pl.col("severity") == "error").sort(pl.col("row").cast(pl.Int64))
    assert errors.height == 5
    assert set(errors["file"]) == {BAD_FILE}
    # the bad file as written: header = row 1, so spreadsheet row r is line r - 1 (0-based)
    lines = (demo_run.out_dir / "data" / BAD_FILE).read_bytes().decode("utf-8-sig").split("\r\n")
    lines = [ln for ln in lines if ln]
    last = len(lines)  # spreadsheet number of the last data row
    rows = [int(r) for r in errors["row"]]
    assert rows == [2, 3, last - 2, last - 1, last]
    assert lines[last - 3] == lines[1] and lines[last - 2] == lines[2]  # exact copies of rows 2, 3
    assert lines[last - 1].split(",") == ["999999", "2023/07", "01010", "総務課", "-2.5"]

    dup = errors.filter(pl.col("row").cast(pl.Int64) != last)
    assert set(dup["rule"]) == {"unique_grain"}
    assert set(dup["column"]) == {"職員番号,年月"}  # named as the file's own header
    assert all("重複" in m for m in dup["message"])
    neg = errors.filter(pl.col("row").cast(pl.Int64) == last).row(0, named=True)
    assert (neg["column"], neg["value"], neg["rule"]) == ("時間外勤務時間", "-2.5", "hours_range")
    assert "範囲外" in neg["message"] and "-2.5" in neg["message"]
    # every non-error line is a warning (kept rows); nothing else is in the file
    assert set(rejects["severity"]) == {"error", "warning"}


# ------------------------------------------------------------------------- KPI spot values


def _duplicated_keys(frames) -> pl.DataFrame:
    """The two canonical staff-months that the writer duplicated at the end of the FY2023 file.

    `exports._overtime_year` appends `frame.head(2)` — the first two FY2023 rows in the canonical
    order — so those keys occur twice in the file; intake rejects *every* copy of a duplicated key,
    so the store lacks them although `build_demo_frames` (clean data) has them once.
    """
    return (
        frames["overtime"].filter(_fy("month") == 2023).head(2).select("staff_id", "month")
    )


def test_org_overtime_per_staff_matches_canonical(demo_run, demo_frames):
    kpis = _kpis(demo_run)
    dup = _duplicated_keys(demo_frames)
    # the rejects file names exactly these keys (staff ids as their stored pseudonym, month as YYYY-MM)
    import hashlib
    import hmac

    from hrmetrics.store import Store

    store = Store(demo_run.out_dir / "store")
    key = Store(store.path, store.recorded_config()).pseudonym_key()
    rejects = pl.read_csv(demo_run.out_dir / "rejects" / "overtime.csv", infer_schema_length=0)
    named = set(rejects.filter(pl.col("rule") == "unique_grain")["value"])
    assert named == {f"{hmac.new(key, s.encode(), hashlib.sha256).hexdigest()[:24]} / {m:%Y-%m}"
                     for s, m in dup.iter_rows()}

    ot = demo_frames["overtime"]
    stored = ot.join(dup, on=["staff_id", "month"], how="anti")  # what intake kept
    assert ot.height - stored.height == 2

    def per_staff(frame: pl.DataFrame) -> dict[str, float]:
        agg = frame.group_by(fy=_fy("month")).agg(h=pl.col("hours").sum(), m=pl.len())
        return {f"FY{fy}": h / (m / 12) for fy, h, m in agg.iter_rows()}

    expected, naive = per_staff(stored), per_staff(ot)
    got = _org(kpis, "overtime_hours_per_staff")
    assert sorted(got) == [f"FY{y}" for y in range(2019, 2025)]
    for period in got:
        assert got[period] == pytest.approx(expected[period], abs=1e-6), period
    # the adjustment matters: without it FY2023 would not match
    assert abs(naive["FY2023"] - got["FY2023"]) > 1e-6


def test_org_annual_leave_per_staff_matches_canonical(demo_run, demo_frames):
    leave = demo_frames["leave"].filter(pl.col("leave_type") == "annual")
    agg = leave.group_by("year").agg(d=pl.col("days").sum(), n=pl.len())
    expected = {str(y): d / n for y, d, n in agg.iter_rows()}
    got = _org(_kpis(demo_run), "annual_leave_days_per_staff")
    assert sorted(got) == [str(y) for y in range(2019, 2025)]
    for period, value in got.items():
        assert value == pytest.approx(expected[period], abs=1e-6), period


# --------------------------------------------------------------------------------- leak test


@pytest.fixture(scope="module")
def hidden_cells(demo_run, demo_frames) -> pl.DataFrame:
    """Suppressed division × wave satisfaction cells with their TRUE value and respondents.

    Recomputed from the canonical survey: top-two-box share of `Q_SAT` (5-point, not reversed),
    respondents placed in today's divisions with OrgRegistry's restated view.
    """
    from hrmetrics.orgs import OrgRegistry

    items = demo_frames["survey_items"].filter(pl.col("item_id") == "Q_SAT")
    assert items["scale_points"].unique().to_list() == [5] and not items["reverse"].any()
    reg = OrgRegistry.from_frame(demo_frames["org_units"])
    sat = demo_frames["survey"].filter(pl.col("item_id") == "Q_SAT", pl.col("value").is_not_null())
    sat = sat.with_columns(year=pl.col("wave").str.slice(2).cast(pl.Int64))
    placed = reg.resolve(sat.select("unit_code", fiscal_year="year").unique())
    sat = sat.join(placed.rename({"fiscal_year": "year"}), on=["unit_code", "year"], how="left")
    true = (
        sat.filter(pl.col("_division").is_not_null())
        .group_by(unit_code="_division", period="wave")
        .agg(n_true=pl.len(), fav=(pl.col("value") >= 4).sum())
        .with_columns(v_true=pl.col("fav") / pl.col("n_true") * 100)
    )
    kpis = _kpis(demo_run)
    shown = kpis.filter(pl.col("kpi") == "staff_satisfaction_rate", pl.col("level") == "division")
    # sanity: the recomputation reproduces every VISIBLE cell exactly
    check = shown.filter(~pl.col("suppressed")).join(true, on=["unit_code", "period"], how="left")
    assert check.height > 100
    assert (check["n"] == check["n_true"]).all()
    assert ((check["value"] - check["v_true"]).abs() < 1e-9).all()
    cells = shown.filter(pl.col("suppressed")).join(true, on=["unit_code", "period"], how="inner")
    assert cells.height == shown.filter(pl.col("suppressed")).height
    return cells.select("unit_code", "unit_name", "period", "year", "n_true", "v_true")


def test_hidden_cells_are_real(hidden_cells, demo_run):
    """Guard against a vacuous leak test: small cells exist and really hold numbers."""
    tiny = hidden_cells.filter(pl.col("unit_code") == "02050", pl.col("period") == "FY2024")
    assert tiny.height == 1
    assert tiny["n_true"][0] < 5 and tiny["v_true"][0] == pytest.approx(25.0)
    assert hidden_cells.filter(pl.col("n_true") >= 5).height > 0  # complementary suppression too
    kpis = _kpis(demo_run)
    rows = kpis.join(hidden_cells.select("unit_code", "period"), on=["unit_code", "period"])
    rows = rows.filter(pl.col("kpi") == "staff_satisfaction_rate")
    for col in ("value", "numerator", "denominator", "n"):
        assert rows[col].null_count() == rows.height, col


def _is_survey(kpi: str | None) -> bool:
    return kpi is not None and (kpi in SURVEY_KPIS or kpi.startswith(SURVEY_PREFIXES))


def _sat_family(kpi: str | None, breakdown: str | None) -> bool:
    """The hidden cell itself: the satisfaction KPI and the favourable share of its item."""
    return kpi == "staff_satisfaction_rate" or (kpi == "item_favourable" and breakdown == "Q_SAT")


def _no_tokens(rows, toks: list[str], where: tuple) -> int:
    """No hidden-value token in any cell of these rows (tuples); returns how many were checked."""
    count = 0
    for row in rows:
        count += 1
        text = " ".join("" if x is None else str(x) for x in row)
        for tok in toks:
            assert not _token_re(tok).search(text), (*where, tok, row)
    return count


# Scoping (to stay meaningful and not flaky): a division's VISIBLE rows legitimately hold other
# numbers that may equal the hidden one by chance (25.0 % of 4 staff over 360 h; another item with
# 14 of 28 favourable is 50.0 % with n = 28, like a complementary-suppressed satisfaction cell). So
# the token checks cover the rows that could carry the hidden cell — the division × wave survey
# rows that are suppressed or belong to the satisfaction item — and a cell hidden on its
# respondent count (n < 5) must have every survey measure hidden, numbers and counts alike.


def test_hidden_cells_absent_from_kpi_exports(demo_run, hidden_cells):
    out = demo_run.out_dir
    parquet = pl.read_parquet(out / "kpis.parquet")
    csv = pl.read_csv(out / "kpis.csv", infer_schema_length=0)
    checked = 0
    for cell in hidden_cells.iter_rows(named=True):
        code, wave, v, n = cell["unit_code"], cell["period"], cell["v_true"], cell["n_true"]
        pq = parquet.filter(pl.col("unit_code") == code, pl.col("period") == wave)
        # the satisfaction row and its item row are suppressed and carry no number
        for kpi, bd in (("staff_satisfaction_rate", None), ("item_favourable", "Q_SAT")):
            r = pq.filter(pl.col("kpi") == kpi, pl.col("breakdown").eq_missing(bd))
            assert r.height == 1 and r["suppressed"][0], (code, wave, kpi)
            assert r.select("value", "numerator", "denominator", "n").null_count().sum_horizontal()[0] == 4
        survey = pq.filter(pl.col("kpi").map_elements(_is_survey, return_dtype=pl.Boolean))
        assert survey.height > 10
        # the engagement index is coupled to the hidden outcome item
        assert survey.filter(pl.col("kpi") == "engagement_index")["suppressed"].to_list() == [True]
        if n < MIN_SURVEY:
            # hidden on its respondent count: every survey measure of the cell is hidden, so no
            # row can print the value next to its respondents
            assert survey["suppressed"].all() and survey["n"].null_count() == survey.height, (code, wave)
            assert survey["value"].null_count() == survey.height
        # the hidden value string appears in no cell of the rows that could carry it (CSV text)
        rows = csv.filter(pl.col("unit_code") == code, pl.col("period") == wave)
        rows = [r for r in rows.iter_rows(named=True) if _is_survey(r["kpi"]) and (
            r["suppressed"] == "true" or _sat_family(r["kpi"], r["breakdown"]))]
        checked += _no_tokens([tuple(r.values()) for r in rows], [f"{v:.1f}", repr(v)], (code, wave))
    assert checked > 100


def test_hidden_cells_absent_from_progress_and_xlsx(demo_run, hidden_cells):
    out = demo_run.out_dir
    progress = pl.read_csv(out / "progress.csv", infer_schema_length=0)
    book = out / "report" / "hrmetrics.xlsx"
    kpi_sheet = pl.read_excel(book, sheet_name="KPI表", infer_schema_length=0)
    prog_sheet = pl.read_excel(book, sheet_name="進捗", infer_schema_length=0)
    div_sheet = pl.read_excel(book, sheet_name="所属別", infer_schema_length=0)
    checked = 0
    for cell in hidden_cells.iter_rows(named=True):
        code, name, wave, v, n = (cell[k] for k in ("unit_code", "unit_name", "period", "v_true", "n_true"))
        toks = [f"{v:.1f}", repr(v), repr(v / 100), f"{v / 100:.4f}"]
        where = (code, wave)
        # progress: the demo plan sets division targets for overtime only, so a division's
        # survey progress row must not exist with a number (and no survey row may hold the value)
        mine = progress.filter(pl.col("unit_code") == code)
        assert mine.height > 0
        sat = mine.filter(pl.col("kpi").map_elements(_is_survey, return_dtype=pl.Boolean))
        assert sat.filter(pl.col("actual").is_not_null()).is_empty(), where
        _no_tokens(sat.iter_rows(), toks, ("progress.csv", *where))
        _no_tokens(prog_sheet.filter(pl.col("所属コード") == code,
                                     pl.col("指標ID").map_elements(_is_survey, return_dtype=pl.Boolean))
                   .iter_rows(), toks, ("xlsx 進捗", *where))
        # the workbook's KPI sheet: the rows that could carry the hidden cell, and the pair
        rows = kpi_sheet.filter(pl.col("所属コード") == code, pl.col("期間") == wave)
        rows = rows.filter(pl.col("指標ID").map_elements(_is_survey, return_dtype=pl.Boolean))
        assert rows.height > 10
        risky = [r for r in rows.iter_rows(named=True)
                 if r["非表示"] == "true" or _sat_family(r["指標ID"], r["内訳"])]
        checked += _no_tokens([tuple(r.values()) for r in risky], toks, ("xlsx KPI表", *where))
        if n < MIN_SURVEY:  # every survey measure hidden: no value, no respondent count
            assert rows["値"].null_count() == rows.height and rows["人数"].null_count() == rows.height
        if wave == "FY2024":  # the division sheet shows the latest values
            div = div_sheet.filter(pl.col("所属コード") == code)
            assert div.height == 1 and div["所属名"][0] == name
            assert div["総合的に満足している職員の割合"][0] in (None, "非表示")
            assert div["エンゲージメント指数"][0] in (None, "非表示")  # coupled to the outcome item
    assert checked > 100


def test_hidden_cells_absent_from_report_json_and_tables(demo_run, hidden_cells):
    """The organisation report: every survey-chart datum of the division, and its table rows."""
    report = demo_run.out_dir / "report"
    index = (report / "index.html").read_text(encoding="utf-8")
    blocks = _embedded_json(index)
    survey_specs = [k for k in blocks if re.search("survey|panel|satisfaction|engagement", k)]
    assert "spec-survey-heat" in survey_specs and "spec-panel" in survey_specs
    datums = [d for k in survey_specs for d in _datums(blocks[k])]
    rows_html = re.findall(r"<tr>(.*?)</tr>", index, re.S)
    latest = hidden_cells.filter(pl.col("period") == "FY2024")  # what the index shows per division
    assert latest.height >= 3
    checked_datums = checked_rows = 0
    for cell in latest.iter_rows(named=True):
        code, name, v = cell["unit_code"], cell["unit_name"], cell["v_true"]
        for d in (d for d in datums if code in d.values() or name in d.values()):
            checked_datums += 1
            for key, x in d.items():
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    assert round(float(x), 1) != round(v, 1), (code, key, d)
                elif isinstance(x, str):
                    for tok in (f"{v:.1f}", f"{v:.1f}%"):
                        assert not _token_re(tok).search(x), (code, key, d)
        for row in rows_html:
            first = re.search(r"<td>(.*?)</td>", row)
            if first and first.group(1) == name:
                checked_rows += 1
                for tok in value_tokens(v):
                    assert not _token_re(tok).search(row), (name, tok, row)
    assert checked_datums >= 6 * latest.height  # the survey heat has one datum per dimension
    assert checked_rows >= latest.height
    # the survey × HR panel plots no hidden division at all
    panel = {d.get("unit_name") for d in _datums(blocks["spec-panel"])}
    assert panel and not panel & set(latest["unit_name"])


def _windows(text: str, keys: list[str], width: int = 200):
    for key in keys:
        for m in re.finditer(re.escape(key), text):
            yield text[max(0, m.start() - width): m.end() + width]


def test_hidden_pairs_nowhere_near_the_division(demo_run, hidden_cells):
    """In every text output: near the division's code or name, no hidden value printed next to
    its respondent count (a pair). A lone value is not checked here: visible numbers of other
    cells can legitimately equal it (8 of 14 favourable is 57.1 % in many places)."""
    out = demo_run.out_dir
    texts = {}
    for p in out.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".svg", ".csv", ".json") and "data" not in p.parts[-2:-1]:
            if "store" in p.relative_to(out).parts:
                continue
            texts[p] = p.read_bytes().decode("utf-8-sig", errors="replace")
    book = out / "report" / "hrmetrics.xlsx"
    with zipfile.ZipFile(book) as z:
        texts[book] = "".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())
    assert any(p.suffix == ".svg" for p in texts)
    for cell in hidden_cells.iter_rows(named=True):
        code, name, v, n = cell["unit_code"], cell["unit_name"], cell["v_true"], cell["n_true"]
        counts = count_res(n)
        vals = [_token_re(t) for t in value_tokens(v)]
        windows = 0
        for path, text in texts.items():
            for win in _windows(text, [code, name]):
                windows += 1
                for vm in (m for rx in vals for m in rx.finditer(win)):
                    near = win[max(0, vm.start() - 60): vm.end() + 60]
                    assert not any(c.search(near) for c in counts), (path, code, near)
        assert windows > 10, code  # the division is named in many outputs, so windows were checked


def test_pack_of_tiny_division_hides_its_survey(demo_run, hidden_cells):
    """The manager pack of 02050 (n < 5 in every wave): no value/count pair, no own series."""
    kpis = _kpis(demo_run)
    pack = (demo_run.out_dir / "report" / "divisions" / "02050.html").read_text(encoding="utf-8")
    mine = hidden_cells.filter(pl.col("unit_code") == "02050")
    assert mine.height == 6  # every wave hidden
    # formats check: the pack does print the (visible) organisation satisfaction this way
    org_sat = _org(kpis, "staff_satisfaction_rate")["FY2024"]
    assert f"{org_sat:.1f}%" in pack
    assert "非表示" in pack
    for cell in mine.iter_rows(named=True):
        v, n = cell["v_true"], cell["n_true"]
        for vt in value_tokens(v):
            for vm in _token_re(vt).finditer(pack):
                near = pack[max(0, vm.start() - 80): vm.end() + 80]
                assert not any(c.search(near) for c in count_res(n)), (cell["period"], near)
    specs = _embedded_json(pack)
    hidden = {round(x, 1) for x in mine["v_true"]}
    plotted = 0
    for d in _datums(specs["spec-trend-staff_satisfaction_rate"]):
        for key in ("value", "x", "y"):
            if isinstance(d.get(key), (int, float)):
                plotted += 1
                assert round(d[key], 1) not in hidden, d
    assert plotted >= 6  # the organisation series is plotted, so the check is not vacuous
    for d in _datums(specs):
        assert not ("n" in d and d.get("n") in set(mine["n_true"])), d


# ---------------------------------------------------------------------------- manager packs


@pytest.mark.parametrize("code", PACK_CODES)
def test_manager_pack_holds_only_its_division(demo_run, demo_frames, code):
    org = demo_frames["org_units"]
    kpis = _kpis(demo_run)
    pack = (demo_run.out_dir / "report" / "divisions" / f"{code}.html").read_text(encoding="utf-8")
    me = org.filter(pl.col("unit_code") == code).row(0, named=True)
    dept = org.filter(pl.col("unit_code") == me["parent_code"]).row(0, named=True)
    assert code in pack and me["unit_name"] in pack
    # organisation totals are there
    assert ORG_NAME in pack and "組織全体" in pack
    ot = _org(kpis, "overtime_hours_per_staff")["FY2024"]
    assert f"{ot:.1f}時間" in pack
    # the division's own overtime is there too
    own = kpis.filter(pl.col("kpi") == "overtime_hours_per_staff", pl.col("unit_code") == code,
                      pl.col("period") == "FY2024")["value"][0]
    assert f"{own:.1f}時間" in pack

    # predecessors (merged into this division) are its own history, not another division
    predecessors = set(org.filter(pl.col("successor_code") == code)["unit_code"])
    own_names = {me["unit_name"], dept["unit_name"], ORG_NAME,
                 *org.filter(pl.col("unit_code").is_in(list(predecessors)))["unit_name"]}
    others = _division_units(demo_frames).filter(
        ~pl.col("unit_code").is_in([code, *predecessors]))
    assert others.height >= 30
    for other_code, other_name in others.select("unit_code", "unit_name").iter_rows():
        assert not re.search(rf"(?<![\w.]){other_code}(?![\w])", pack), f"{other_code} in pack {code}"
        if not any(other_name in mine for mine in own_names):
            assert other_name not in pack, f"{other_name} in pack {code}"
    if code == "06040":
        assert predecessors == {"06020", "06030"}


# ----------------------------------------------------------------------------------- browser

@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed")
@pytest.mark.parametrize("which", ["index.html", "divisions/02050.html"])
def test_demo_report_renders_offline(demo_run, which):
    path = demo_run.out_dir / "report" / which
    placeholders = path.read_text(encoding="utf-8").count("data-spec=")
    seen = open_offline(path.resolve().as_uri())
    assert len(seen["charts"]) == placeholders > 0
    assert all(c["drawn"] and c["marks"] > 3 for c in seen["charts"]), seen["charts"]
    assert seen["errors"] == []
    assert seen["foreign"] == []


# ----------------------------------------------------------------------------- excel, images


def test_workbook_sheets(demo_run):
    import fastexcel

    book = demo_run.out_dir / "report" / "hrmetrics.xlsx"
    names = fastexcel.read_excel(str(book)).sheet_names
    assert names == ["KPI表", "進捗", "所属別", "データ品質", "却下行"]
    assert pl.read_excel(book, sheet_name="KPI表").height == demo_run.kpis.height
    assert pl.read_excel(book, sheet_name="進捗").height == demo_run.progress.height
    quality = pl.read_excel(book, sheet_name="データ品質")
    assert quality.height == 22 and quality["却下行数"].sum() == 5
    rejected = pl.read_excel(book, sheet_name="却下行", infer_schema_length=0)
    assert rejected.height == 5 and set(rejected["ファイル"]) == {BAD_FILE}
    divs = pl.read_excel(book, sheet_name="所属別", infer_schema_length=0)
    assert divs.height == 32 and divs["所属コード"][0] == "ORG" and divs["所属名"][0] == ORG_NAME


def test_png_for_every_trend_chart(demo_run):
    report = demo_run.out_dir / "report"
    ids = set(re.findall(r'data-spec="spec-(trend-[^"]+)"', (report / "index.html").read_text("utf-8")))
    assert {"trend-overtime_hours_per_staff", "trend-staff_satisfaction_rate"} <= ids
    for chart in ids:
        png, svg = report / "charts" / f"{chart}.png", report / "charts" / f"{chart}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", chart
        assert png.stat().st_size > 2000, chart
        assert svg.read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml")), chart
