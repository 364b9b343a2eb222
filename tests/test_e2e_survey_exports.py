"""Staff surveys as they are really exported, end to end from a data folder (issue 14).

Each test writes a data folder as a personnel division would receive it — an org master and the
survey export exactly as the survey tool writes it, no item master, nothing hand-written — runs
`hrmetrics run` (the CLI, in process) and checks the report's survey section, the KPI table's
organisation and division favourable % against hand computation, the draft item master, and
that names, e-mail addresses and comments are nowhere in the output.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from hrmetrics.cli import cli

BOM = b"\xef\xbb\xbf"

ORG = (
    "unit_code,unit_name,parent_code,valid_from_fy\n"
    "D1,総務部,,2015\nD2,福祉部,,2015\n"
    "A01,総務課,D1,2015\nA02,人事課,D1,2015\nB01,福祉課,D2,2015\n"
)
UNITS = {"A01": "総務課", "A02": "人事課", "B01": "福祉課"}

Q_WORK = "仕事にやりがいを感じている"
Q_TEAM = "職場の人間関係は良好である"
Q_SAT = "総合的に見て、現在の職場に満足している"


def _run(data: Path, out: Path, *extra: str) -> None:
    res = CliRunner().invoke(
        cli, ["run", "--data", str(data), "--out", str(out), *extra], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output


def _kpis(out: Path) -> pl.DataFrame:
    raw = (out / "kpis.csv").read_bytes()
    assert raw.startswith(BOM)
    return pl.read_csv(io.BytesIO(raw[3:]), infer_schema_length=0).with_columns(
        pl.col("value").cast(pl.Float64)
    )


def _fav(kpis: pl.DataFrame, unit: str, period: str, item: str) -> float:
    hit = kpis.filter(
        (pl.col("kpi") == "item_favourable")
        & (pl.col("unit_code") == unit)
        & (pl.col("period") == period)
        & (pl.col("breakdown") == item)
        & (pl.col("view") == "restated")
    )
    assert hit.height == 1, (unit, period, item)
    return hit["value"][0]


def _sat(kpis: pl.DataFrame, unit: str, period: str) -> float:
    hit = kpis.filter(
        (pl.col("kpi") == "staff_satisfaction_rate")
        & (pl.col("unit_code") == unit)
        & (pl.col("period") == period)
        & (pl.col("view") == "restated")
    )
    assert hit.height == 1
    return hit["value"][0]


def _pct(answers: list, favourable: set) -> float:
    """Favourable share by hand: answers given (blanks left out) that are favourable."""
    given = [a for a in answers if a not in (None, "")]
    return 100 * sum(a in favourable for a in given) / len(given)


def _everything_written(out: Path) -> str:
    """Every text-like byte the run wrote (report, packs, CSVs, rejects), for privacy checks."""
    parts = []
    for p in out.rglob("*"):
        if p.is_file() and p.suffix in {".html", ".csv", ".json", ".svg"}:
            parts.append(p.read_text(encoding="utf-8", errors="ignore"))
    return "\n".join(parts)


def _survey_section(out: Path) -> str:
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    start = html.index('id="survey"')
    return html[start : start + 20_000]


def _item_ids(out: Path) -> dict[str, str]:
    """Question text → derived item id, from the draft master the run wrote."""
    raw = (out / "survey_items.draft.csv").read_bytes()
    assert raw.startswith(BOM)
    draft = pl.read_csv(io.BytesIO(raw[3:]), infer_schema_length=0)
    assert list(draft.columns) == [
        "調査回",
        "設問ID",
        "設問文",
        "領域",
        "尺度",
        "逆転項目",
        "区分",
        "同等設問ID",
    ]
    return dict(zip(draft["設問文"], draft["設問ID"], strict=False))


# ------------------------------------------------------------------------------------ Glint

GLINT_PEOPLE = [  # Employee ID, Department (name, as Glint's attributes file has it), job type
    *[(f"E{i:03d}", "総務課", "事務") for i in range(1, 9)],
    *[(f"E{i:03d}", "人事課", "事務") for i in range(9, 16)],
    *[(f"E{i:03d}", " 福祉課 ", "福祉職") for i in range(16, 22)],  # stray spaces: NFKC + trim
]
GLINT_WORK = {  # cycle → answers in GLINT_PEOPLE order (1–5, blank = skipped)
    "2023": [4, 5, 3, 2, 4, 4, 5, 1, 3, 3, 4, 2, 5, 4, 3, 2, 2, 3, 4, 1, 2],
    "2024": [5, 5, 4, 3, 4, 5, 5, 2, 4, 3, 4, 4, 5, 4, 4, 3, 2, 4, 4, 2, ""],
}
GLINT_SAT = {
    "2023": [4, 4, 3, 3, 5, 2, 4, 2, 3, 4, 4, 3, 4, 5, 2, 1, 3, 3, 4, 2, 3],
    "2024": [5, 4, 4, 3, 5, 3, 4, 2, 4, 4, 5, 3, 4, 5, 3, 2, 3, 4, 4, 3, 3],
}
GLINT_DATES = {"2023": "12-10-2023 09:15", "2024": "10-10-2024 14:02"}


def _glint_export(path: Path) -> None:
    head = (
        "First Name,Last Name,Email,Status,Manager ID,Employee ID,Survey Cycle Sent Date,"
        f"Survey Cycle Completion Date,{Q_WORK},{Q_WORK}_COMMENT,{Q_WORK}_COMMENT_TOPICS,{Q_SAT}\n"
    )
    lines = [head]
    for cycle in ("2023", "2024"):
        for i, (emp, _, _) in enumerate(GLINT_PEOPLE):
            lines.append(
                f"花子{i},佐藤{i},hanako{i}@city.example.jp,Active,M001,{emp},01-10-{cycle} 09:00,"
                f"{GLINT_DATES[cycle]},{GLINT_WORK[cycle][i]},係長の鈴木さんが厳しい,上司,"
                f"{GLINT_SAT[cycle][i]}\n"
            )
        # invited, never answered: no completion date (left out, said so)
        lines.append(f"次郎,田中,jiro@city.example.jp,Active,M001,E099,01-10-{cycle} 09:00,,,,,\n")
    path.write_text("".join(lines), encoding="utf-8")


def _attributes(path: Path) -> None:
    rows = "".join(f"{e},{d},{j},30代\n" for e, d, j in GLINT_PEOPLE)
    path.write_text(
        "Employee ID,Department,Job Type,Age Band\n" + rows + "E099,総務課,事務,20代\n", encoding="utf-8"
    )


@pytest.fixture(scope="module")
def glint_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("glint")
    data, out = root / "data", root / "out"
    data.mkdir()
    (data / "組織マスタ.csv").write_text(ORG, encoding="utf-8")
    _glint_export(data / "glint_export.csv")
    _attributes(data / "attributes.csv")
    _run(data, out)
    return out


def test_glint_export_and_attributes_file_by_department_name(glint_run):
    out = glint_run
    kpis = _kpis(out)
    ids = _item_ids(out)
    assert set(ids) == {Q_WORK, Q_SAT}  # comment columns are not items
    fav = {4, 5}
    for cycle, wave in (("2023", "FY2023"), ("2024", "FY2024")):  # two cycles → two waves
        work, sat = GLINT_WORK[cycle], GLINT_SAT[cycle]
        assert _fav(kpis, "ORG", wave, ids[Q_WORK]) == pytest.approx(_pct(work, fav))
        assert _sat(kpis, "ORG", wave) == pytest.approx(_pct(sat, fav))
        for code, name in UNITS.items():
            idx = [i for i, p in enumerate(GLINT_PEOPLE) if p[1].strip() == name]
            assert _fav(kpis, code, wave, ids[Q_WORK]) == pytest.approx(_pct([work[i] for i in idx], fav))
    # the department 総務部 = 総務課 + 人事課
    idx = [i for i, p in enumerate(GLINT_PEOPLE) if p[1] in ("総務課", "人事課")]
    assert _fav(kpis, "D1", "FY2024", ids[Q_WORK]) == pytest.approx(
        _pct([GLINT_WORK["2024"][i] for i in idx], fav)
    )


def test_glint_report_survey_section_and_notices(glint_run):
    out = glint_run
    section = _survey_section(out)
    assert "設問ごとの肯定的回答率" in section and "survey_items.draft.csv" in section
    summary = (
        pl.read_csv(out / "rejects" / "survey_attributes.csv", infer_schema_length=0)
        if (out / "rejects" / "survey_attributes.csv").exists()
        else None
    )
    assert summary is not None
    dropped = summary.filter(pl.col("rule") == "attribute_dropped")["column"].to_list()
    assert sorted(dropped) == ["Age Band", "Job Type"]
    survey_notes = pl.read_csv(out / "rejects" / "survey.csv", infer_schema_length=0)
    assert "glint_not_completed" in survey_notes["rule"].to_list()
    written = _everything_written(out)
    for secret in ("hanako", "佐藤", "花子", "鈴木", "city.example.jp", "E001"):
        assert secret not in written, secret


# ------------------------------------------------------------------------- Microsoft Forms

MS_UNITS = ["総務課"] * 6 + ["人事課"] * 5 + ["福祉課"] * 6
MS_WORK = [
    "とてもそう思う",
    "そう思う",
    "どちらともいえない",
    "そう思う",
    "そう思わない",
    "とてもそう思う",
    "そう思う",
    "まったくそう思わない",
    "そう思う",
    "どちらともいえない",
    "そう思う",
    "そう思わない",
    "そう思う",
    "とてもそう思う",
    "どちらともいえない",
    "そう思う",
    "わからない",
]
MS_SAT = [
    "満足",
    "やや満足",
    "やや不満",
    "満足",
    "不満",
    "やや満足",
    "どちらともいえない",
    "不満",
    "やや満足",
    "やや満足",
    "満足",
    "やや不満",
    "やや満足",
    "満足",
    "どちらともいえない",
    "不満",
    "やや満足",
]


def _ms_forms(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    when = wb.add_format({"num_format": "yyyy/m/d h:mm:ss"})
    ws.write_row(
        0,
        0,
        [
            "ID",
            "開始時刻",
            "完了時刻",
            "メール",
            "名前",
            "最終変更時刻",
            "所属",
            Q_WORK,
            "ご意見があればお書きください",
            Q_SAT,
        ],
    )
    for i, (unit, work, sat) in enumerate(zip(MS_UNITS, MS_WORK, MS_SAT, strict=True)):
        r = i + 1
        ws.write_number(r, 0, r)
        ws.write_datetime(r, 1, dt.datetime(2024, 9, 2, 9, r), when)
        ws.write_datetime(r, 2, dt.datetime(2024, 9, 2, 9, r + 5), when)
        ws.write_row(
            r,
            3,
            [
                f"user{r}@city.example.jp",
                f"職員 太郎{r}",
                "",
                unit,
                work,
                "残業が多く上司の山本さんに相談したい" if r == 3 else "",
                sat,
            ],
        )
    wb.close()


@pytest.fixture(scope="module")
def ms_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("msforms")
    data, out = root / "data", root / "out"
    data.mkdir()
    (data / "組織マスタ.csv").write_text(ORG, encoding="utf-8")
    _ms_forms(data / "職員満足度調査(1-17).xlsx")
    _run(data, out)
    return out


def test_microsoft_forms_xlsx(ms_run):
    out = ms_run
    kpis = _kpis(out)
    ids = _item_ids(out)
    assert set(ids) == {Q_WORK, Q_SAT}  # free text and 所属 are not items
    work_fav, sat_fav = {"とてもそう思う", "そう思う"}, {"満足", "やや満足"}
    kept = list(range(16))  # row 17 answered 「わからない」: outside the scale, that row is rejected
    assert _fav(kpis, "ORG", "FY2024", ids[Q_WORK]) == pytest.approx(
        _pct([MS_WORK[i] for i in kept], work_fav)
    )
    assert _sat(kpis, "ORG", "FY2024") == pytest.approx(_pct([MS_SAT[i] for i in kept], sat_fav))
    for code, name in UNITS.items():
        idx = [i for i in kept if MS_UNITS[i] == name]
        assert _fav(kpis, code, "FY2024", ids[Q_WORK]) == pytest.approx(
            _pct([MS_WORK[i] for i in idx], work_fav)
        )
        assert _sat(kpis, code, "FY2024") == pytest.approx(_pct([MS_SAT[i] for i in idx], sat_fav))
    rejects = pl.read_csv(out / "rejects" / "survey.csv", infer_schema_length=0)
    label = rejects.filter(pl.col("rule") == "survey_label")
    assert label["value"].to_list() == ["わからない"] and label["row"].to_list() == ["18"]
    assert "わからない" in label["message"][0]
    assert (
        "ご意見があればお書きください" in rejects.filter(pl.col("rule") == "not_an_item")["column"].to_list()
    )
    assert "設問ごとの肯定的回答率" in _survey_section(out)
    written = _everything_written(out)
    for secret in ("user3@", "太郎", "山本", "残業が多く"):
        assert secret not in written, secret


# ------------------------------------------------------------------------------ Google Forms

Q_UNIT = "所属課を選択してください"
GF_ROWS = [  # (timestamp, unit as answered: name or code, work, satisfaction 1–5)
    ("2025/01/20 10:01:02", "総務課", "そう思う", "5"),
    ("2025/01/20 10:03:10", "A01", "ややそう思う", "4"),
    ("2025/01/20 11:00:00", "総務課", "あまりそう思わない", "2"),
    ("2025/01/21 09:00:00", "総務課", "そう思う", "4"),
    ("2025/01/21 09:30:00", "総務課", "どちらともいえない", "3"),
    ("2025/01/21 10:00:00", "人事課", "そう思う", "5"),
    ("2025/01/21 10:10:00", "人事課", "そう思わない", "1"),
    ("2025/01/21 10:20:00", "人事課", "ややそう思う", "4"),
    ("2025/01/21 10:30:00", "人事課", "", "3"),
    ("2025/01/21 10:40:00", "人事課", "ややそう思う", "4"),
    ("2025/01/21 10:50:00", "人事課", "そう思う", "2"),
    ("2025/01/22 08:00:00", "福祉課", "そう思う", "2"),
    ("2025/01/22 08:10:00", "福祉課", "あまりそう思わない", "3"),
    ("2025/01/22 08:20:00", "福祉課", "ややそう思う", "4"),
    ("2025/01/22 08:30:00", "福祉課", "そう思う", "5"),
    ("2025/01/22 08:40:00", "福祉課", "どちらともいえない", "4"),
    ("2025/01/22 08:50:00", "保健課", "そう思う", "5"),
]


def _google_forms(path: Path) -> None:
    head = f"タイムスタンプ,メールアドレス,{Q_UNIT},{Q_WORK},{Q_SAT},自由記述\n"
    body = "".join(
        f"{ts},staff{i}@city.example.jp,{unit},{work},{sat},{'特になし' if i else '人事の佐々木さんへ'}\n"
        for i, (ts, unit, work, sat) in enumerate(GF_ROWS)
    )
    path.write_bytes(BOM + (head + body).encode("utf-8"))


@pytest.fixture(scope="module")
def gf_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("gforms")
    data, out = root / "data", root / "out"
    data.mkdir()
    (data / "組織マスタ.csv").write_text(ORG, encoding="utf-8")
    _google_forms(data / "職員アンケート（回答） - フォームの回答 1.csv")
    _run(data, out)
    return out


def test_google_forms_csv(gf_run):
    out = gf_run
    kpis = _kpis(out)
    ids = _item_ids(out)
    assert set(ids) == {Q_WORK, Q_SAT}
    work_fav, sat_fav = {"そう思う", "ややそう思う"}, {"4", "5"}
    kept = [i for i, r in enumerate(GF_ROWS) if r[1] != "保健課"]  # an unknown unit: rejected, named
    code_of = {"総務課": "A01", "A01": "A01", "人事課": "A02", "福祉課": "B01"}
    # 2025-01: fiscal year 2024
    assert _fav(kpis, "ORG", "FY2024", ids[Q_WORK]) == pytest.approx(
        _pct([GF_ROWS[i][2] for i in kept], work_fav)
    )
    assert _sat(kpis, "ORG", "FY2024") == pytest.approx(_pct([GF_ROWS[i][3] for i in kept], sat_fav))
    for code in UNITS:
        idx = [i for i in kept if code_of[GF_ROWS[i][1]] == code]
        assert _fav(kpis, code, "FY2024", ids[Q_WORK]) == pytest.approx(
            _pct([GF_ROWS[i][2] for i in idx], work_fav)
        )
    rejects = pl.read_csv(out / "rejects" / "survey.csv", infer_schema_length=0)
    unit = rejects.filter(pl.col("rule") == "unit_unresolved")
    assert unit["value"].to_list() == ["保健課"] and unit["column"].to_list() == [Q_UNIT]
    assert "設問ごとの肯定的回答率" in _survey_section(out)
    written = _everything_written(out)
    for secret in ("staff1@", "佐々木"):
        assert secret not in written, secret


# ------------------------------------------------------- question-text sheet (form service, paper)


def test_question_text_sheet_with_wave_in_the_file_name(tmp_path):
    """A typed-up sheet: 所属 names, 5-point labels and a 0–10 question; the wave comes from the
    file name, the respondent from the row. `hrmetrics validate` reads it without any master."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "組織マスタ.csv").write_text(ORG, encoding="utf-8")
    rows = [
        ("総務課", "そう思う", "8"),
        ("人事課", "あまりそう思わない", "3"),
        ("福祉課", "ややそう思う", "10"),
        ("総務課", "そう思う", "0"),
        ("福祉課", "多分", "7"),
    ]
    body = "".join(f"{u},{w},{n}\n" for u, w, n in rows)
    (data / "職員アンケート_令和6年度.csv").write_text(
        f"所属,{Q_WORK},この職場を友人に勧めたいですか（0〜10）\n" + body, encoding="utf-8"
    )
    res = CliRunner().invoke(cli, ["validate", str(data), "--out", str(tmp_path / "check")])
    assert res.exit_code == 1, res.output  # one row rejected
    rejects = pl.read_csv(tmp_path / "check" / "rejects" / "survey.csv", infer_schema_length=0)
    bad = rejects.filter(pl.col("severity") == "error")
    assert bad.select("row", "column", "value", "rule").rows() == [("6", Q_WORK, "多分", "survey_label")]
    derived = rejects.filter(pl.col("rule") == "derived_items")
    assert derived["value"].to_list() == ["FY2024"] and "2設問" in derived["message"][0]
