"""The demo city: determinism, structure, realistic levels and real-looking export files.

Every expected number here can be checked by hand against `hrmetrics/demo/*.py` docstrings.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
from pathlib import Path

import polars as pl
import pytest

from hrmetrics.demo.city import org_units_frame
from hrmetrics.demo.generator import build_demo_frames, generate_demo, write_demo_files
from hrmetrics.resources import default_dir

MANAGERS = ["section_chief", "deputy_director", "director"]
FY = (pl.col("month").dt.year() - (pl.col("month").dt.month() < 4).cast(pl.Int32)).cast(pl.Int64)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "org_units": {
        "unit_code": pl.String,
        "unit_name": pl.String,
        "parent_code": pl.String,
        "valid_from_fy": pl.Int64,
        "valid_to_fy": pl.Int64,
        "successor_code": pl.String,
    },
    "staff": {
        "as_of": pl.Date,
        "staff_id": pl.String,
        "unit_code": pl.String,
        "grade": pl.String,
        "gender": pl.String,
        "employment_type": pl.String,
        "employment_class": pl.String,
        "hire_date": pl.Date,
    },
    "hires": {"staff_id": pl.String, "hire_date": pl.Date, "gender": pl.String,
              "employment_class": pl.String, "job_category": pl.String, "route": pl.String},
    "exam_applicants": {"year": pl.Int64, "exam": pl.String, "gender": pl.String, "applicants": pl.Int64,
                        "passed": pl.Int64},
    "separations": {"staff_id": pl.String, "separation_date": pl.Date, "gender": pl.String,
                    "reason": pl.String},
    "pay": {"staff_id": pl.String, "year": pl.Int64, "employment_class": pl.String, "grade": pl.String,
            "gender": pl.String, "hire_date": pl.Date, "annual_pay": pl.Float64,
            "scheduled_hours": pl.Float64},
    "overtime": {"staff_id": pl.String, "month": pl.Date, "unit_code": pl.String, "hours": pl.Float64},
    "leave": {
        "staff_id": pl.String,
        "year": pl.Int64,
        "unit_code": pl.String,
        "leave_type": pl.String,
        "days": pl.Float64,
        "granted_days": pl.Float64,
        "carryover_days": pl.Float64,
    },
    "childcare": {
        "staff_id": pl.String,
        "unit_code": pl.String,
        "gender": pl.String,
        "birth_date": pl.Date,
        "leave_start": pl.Date,
        "leave_days": pl.Float64,
    },
    "approvals": {"unit_code": pl.String, "month": pl.Date, "electronic": pl.Int64, "paper": pl.Int64},
    "survey_items": {
        "wave": pl.String,
        "item_id": pl.String,
        "text": pl.String,
        "dimension": pl.String,
        "scale_points": pl.Int64,
        "reverse": pl.Boolean,
        "role": pl.String,
        "equivalent_to": pl.String,
    },
    "survey": {
        "wave": pl.String,
        "respondent_id": pl.String,
        "unit_code": pl.String,
        "item_id": pl.String,
        "value": pl.Int64,
    },
}


@pytest.fixture(scope="session")
def frames() -> dict[str, pl.DataFrame]:
    return build_demo_frames()


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo_a"))


def _per_staff_year(overtime: pl.DataFrame, *by: str) -> pl.DataFrame:
    """Overtime per staff per year as the KPI defines it: hours ÷ (staff-months / 12)."""
    return overtime.group_by(FY.alias("fy"), *by).agg((pl.col("hours").sum() / (pl.len() / 12)).alias("h"))


def _t2b(survey: pl.DataFrame, *by: str) -> pl.DataFrame:
    answered = survey.filter(pl.col("item_id") == "Q_SAT", pl.col("value").is_not_null())
    return answered.group_by("wave", *by).agg((pl.col("value") >= 4).mean().alias("t2b"), pl.len().alias("n"))


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(frames):
    again = build_demo_frames()
    assert again.keys() == frames.keys()
    for name, frame in frames.items():
        assert again[name].equals(frame), name


def test_other_seed_gives_other_data(frames):
    other = build_demo_frames(seed=7)
    assert not other["overtime"].equals(frames["overtime"])
    assert other["org_units"].equals(frames["org_units"])  # the organisation is fixed, not drawn


def test_written_files_are_byte_identical(workspace, tmp_path):
    second = generate_demo(tmp_path / "b")
    names = sorted(p.name for p in workspace.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == 22  # 18 + hires, exam applicants, separations, pay
    for name in names:
        assert (workspace / name).read_bytes() == (second / name).read_bytes(), name
    assert (workspace.parent / "hrmetrics.toml").read_bytes() == (
        second.parent / "hrmetrics.toml"
    ).read_bytes()


# --- schemas and structure ----------------------------------------------------------------------


def test_frames_follow_the_contract_schemas(frames):
    assert set(frames) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert dict(frames[name].schema) == schema, name


def test_eight_departments_and_about_thirty_divisions(frames):
    org = frames["org_units"]
    departments = org.filter(pl.col("parent_code").is_null())
    assert departments["unit_name"].to_list() == [
        "総務部",
        "企画政策部",
        "市民部",
        "健康福祉部",
        "子ども家庭部",
        "環境部",
        "都市整備部",
        "教育部",
    ]
    divisions = org.filter(pl.col("parent_code").is_not_null())
    assert divisions["parent_code"].is_in(departments["unit_code"].implode()).all()
    active_2024 = divisions.filter(pl.col("valid_to_fy").is_null() | (pl.col("valid_to_fy") >= 2024))
    assert active_2024.height == 31
    assert divisions.height == 34
    assert org["unit_code"].str.starts_with("0").all()  # leading zeros everywhere


def test_merger_and_rename_are_effective_dated(frames):
    org = frames["org_units"].select(
        "unit_code", "unit_name", "valid_from_fy", "valid_to_fy", "successor_code"
    )
    rows = {r["unit_code"]: r for r in org.to_dicts()}
    assert rows["06020"]["valid_to_fy"] == rows["06030"]["valid_to_fy"] == 2021
    assert rows["06020"]["successor_code"] == rows["06030"]["successor_code"] == "06040"
    assert (rows["06040"]["unit_name"], rows["06040"]["valid_from_fy"]) == ("資源循環課", 2022)
    assert (rows["02030"]["valid_to_fy"], rows["02030"]["successor_code"]) == (2022, "02040")
    assert (rows["02040"]["unit_name"], rows["02040"]["valid_from_fy"]) == ("デジタル推進課", 2023)
    assert org.filter(pl.col("successor_code").is_not_null()).height == 3


def test_staff_sit_only_in_units_valid_that_year(frames):
    org = frames["org_units"]
    staff = frames["staff"].with_columns(pl.col("as_of").dt.year().alias("fy")).join(org, on="unit_code")
    valid = (pl.col("valid_from_fy") <= pl.col("fy")) & (
        pl.col("valid_to_fy").is_null() | (pl.col("valid_to_fy") >= pl.col("fy"))
    )
    assert staff.height == frames["staff"].height
    assert staff.filter(~valid).height == 0
    assert staff.filter(pl.col("unit_code") == "06040", pl.col("fy") == 2022).height > 50


def test_headcount_grades_and_women_in_management(frames):
    staff = frames["staff"]
    per_snapshot = staff.group_by("as_of").len().sort("as_of")
    assert per_snapshot["as_of"].dt.year().to_list() == [2019, 2020, 2021, 2022, 2023, 2024]
    assert (per_snapshot["as_of"].dt.month() == 4).all() and (per_snapshot["as_of"].dt.day() == 1).all()
    assert per_snapshot["len"].is_between(1080, 1320).all()
    assert staff.select(pl.struct("staff_id", "as_of").is_unique().all()).item()
    shares = staff.group_by("grade").len().with_columns(pl.col("len") / staff.height)
    share = dict(zip(shares["grade"], shares["len"], strict=True))
    assert 0.55 < share["staff"] < 0.65 and 0.18 < share["unit_chief"] < 0.22
    assert 0.08 < share["assistant_chief"] < 0.10 and 0.05 < share["section_chief"] < 0.08
    women = (
        staff.group_by(pl.col("as_of").dt.year().alias("fy"), pl.col("grade").is_in(MANAGERS).alias("mgr"))
        .agg((pl.col("gender") == "female").mean().alias("w"))
        .sort("fy")
    )
    mgr = women.filter("mgr")["w"]
    assert 0.10 < mgr[0] < 0.16 and 0.17 < mgr[-1] < 0.25
    junior = women.filter(~pl.col("mgr"))["w"]
    assert junior[-1] > junior[0] + 0.03
    assert set(staff["employment_type"]) == {"regular", "fixed_term", "part_time"}


def test_tiny_division_is_tiny_and_never_has_five_respondents(frames):
    tiny_staff = frames["staff"].filter(pl.col("unit_code") == "02050").group_by("as_of").len()
    assert tiny_staff.height == 6 and tiny_staff["len"].is_between(4, 6).all()
    respondents = (
        frames["survey"]
        .filter(pl.col("unit_code") == "02050")
        .group_by("wave")
        .agg(pl.col("respondent_id").n_unique().alias("n"))
    )
    assert respondents.height == 6 and (respondents["n"] < 5).all() and (respondents["n"] >= 1).all()


# --- overtime -----------------------------------------------------------------------------------


def test_overtime_grain_zero_rows_and_no_managers(frames):
    ot = frames["overtime"]
    assert ot.select(pl.struct("staff_id", "month").is_unique().all()).item()
    assert ot.filter(pl.col("hours") == 0).height > 0.05 * ot.height
    assert ot["hours"].min() == 0 and ot["hours"].max() <= 150
    assert (ot["month"].dt.day() == 1).all()
    snap = frames["staff"].select(
        pl.col("as_of").dt.year().cast(pl.Int64).alias("fy"),
        "staff_id",
        "grade",
        pl.col("unit_code").alias("roster_unit"),
    )
    joined = ot.with_columns(FY.alias("fy")).join(snap, on=["fy", "staff_id"], how="left")
    assert joined.filter(pl.col("grade").is_in(MANAGERS)).height == 0
    assert (
        joined.filter(pl.col("grade").is_not_null(), pl.col("unit_code") != pl.col("roster_unit")).height == 0
    )


def test_an_october_joiner_has_overtime_only_from_october(frames):
    ot = frames["overtime"].with_columns(FY.alias("fy"))
    snap = frames["staff"].select(pl.col("as_of").dt.year().cast(pl.Int64).alias("fy"), "staff_id")
    not_on_roster = ot.join(snap, on=["fy", "staff_id"], how="anti")
    first = not_on_roster.group_by("fy", "staff_id").agg(pl.col("month").min(), pl.len())
    assert first.height >= 30  # ~10 October joiners a year
    assert (first["month"].dt.month() == 10).all() and (first["len"] == 6).all()
    # they join the next April-1 roster (apart from the odd one who leaves again in March)
    next_year = first.filter(pl.col("fy") < 2024).with_columns(pl.col("fy") + 1)
    stayed = next_year.join(snap, on=["fy", "staff_id"], how="semi").height
    assert stayed >= 0.8 * next_year.height


def test_organisation_overtime_per_staff_follows_the_plan_path(frames):
    org = _per_staff_year(frames["overtime"]).sort("fy")
    by_fy = dict(zip(org["fy"], org["h"], strict=True))
    assert 175 <= by_fy[2022] <= 205
    assert by_fy[2020] > by_fy[2019] and by_fy[2024] < by_fy[2023] < by_fy[2022]


def test_pandemic_spike_heavy_divisions_and_100h_months(frames):
    ot = frames["overtime"]
    unit = _per_staff_year(ot, "unit_code")
    org = _per_staff_year(ot).rename({"h": "org"})
    health = dict(unit.filter(pl.col("unit_code") == "04040").select("fy", "h").iter_rows())
    assert health[2020] > 2 * health[2019] and health[2021] > 1.8 * health[2019]
    heavy = unit.filter(pl.col("unit_code").is_in(["02020", "01030"])).join(org, on="fy")
    assert heavy.height == 12 and (heavy["h"] > 1.5 * heavy["org"]).all()
    over_100 = ot.filter(pl.col("hours") >= 100).group_by(FY.alias("fy")).len()
    ordinary = dict(over_100.iter_rows())
    assert 3 <= ordinary[2022] <= 40 and ordinary[2020] > ordinary[2022]


# --- leave, childcare, approvals -----------------------------------------------------------------


def test_annual_leave_levels(frames):
    leave = frames["leave"]
    annual = leave.filter(pl.col("leave_type") == "annual")
    assert annual.select(pl.struct("staff_id", "year").is_unique().all()).item()
    means = annual.group_by("year").agg(pl.col("days").mean()).sort("year")["days"]
    assert means.is_between(12.0, 14.5).all() and means[-1] > means[0] + 0.8
    assert annual.filter(pl.col("days") < 5).height >= 10
    assert set(annual["granted_days"]) == {10.0, 15.0, 20.0}
    assert annual["carryover_days"].is_between(0, 20).all()
    assert (annual["days"] <= annual["granted_days"] + annual["carryover_days"]).all()
    summer = leave.filter(pl.col("leave_type") == "summer")
    assert 20 <= summer.height <= 120 and summer["carryover_days"].is_null().all()


def test_childcare_births_and_uptake(frames):
    cc = frames["childcare"].with_columns(
        (pl.col("birth_date").dt.year() - (pl.col("birth_date").dt.month() < 4).cast(pl.Int32)).alias("bfy"),
        (pl.col("leave_start").dt.year() - (pl.col("leave_start").dt.month() < 4).cast(pl.Int32)).alias(
            "lfy"
        ),
    )
    births = cc.group_by("bfy").len()
    assert births.height == 6 and births["len"].is_between(25, 50).all()
    rate = cc.group_by("bfy", "gender").agg(pl.col("leave_start").is_not_null().mean().alias("r")).sort("bfy")
    women = rate.filter(pl.col("gender") == "female", pl.col("bfy") < 2024)["r"]
    assert (women >= 0.85).all()
    # the KPI's definition: fathers whose leave started in the FY ÷ fathers whose child was born in it
    fathers = cc.filter(pl.col("gender") == "male")
    started = fathers.group_by(pl.col("lfy").alias("fy")).len().rename({"len": "started"})
    born = fathers.group_by(pl.col("bfy").alias("fy")).len().rename({"len": "born"})
    men = (
        born.join(started, on="fy", how="left")
        .sort("fy")
        .select(pl.col("started").fill_null(0) / pl.col("born"))
    )
    assert men.height == 6 and men.item(0, 0) < 0.3 and men.item(-1, 0) > 0.45
    assert cc.filter(pl.col("lfy") > pl.col("bfy")).height >= 3
    assert (cc["leave_start"].drop_nulls() <= dt.date(2025, 3, 31)).all()
    assert (cc["leave_start"].is_null() == cc["leave_days"].is_null()).all()


def test_e_approval_rate_rises_and_varies(frames):
    ap = frames["approvals"].with_columns(FY.alias("fy"))
    assert ap.select(pl.struct("unit_code", "month").is_unique().all()).item()
    org = ap.group_by("fy").agg(
        (pl.col("electronic").sum() / (pl.col("electronic") + pl.col("paper")).sum()).alias("r")
    )
    rate = dict(org.iter_rows())
    assert 0.30 <= rate[2019] <= 0.45 and 0.75 <= rate[2024] <= 0.90
    by_div = (
        ap.filter(pl.col("fy") == 2022)
        .group_by("unit_code")
        .agg((pl.col("electronic").sum() / (pl.col("electronic") + pl.col("paper")).sum()).alias("r"))
    )
    assert by_div["r"].std() > 0.05


# --- survey -------------------------------------------------------------------------------------


def test_survey_items_dimensions_reverse_and_reworded_item(frames):
    items = frames["survey_items"]
    per_wave = items.group_by("wave").len()
    assert per_wave.height == 6 and (per_wave["len"] == 23).all()
    drivers = items.filter(pl.col("role") == "driver", pl.col("wave") == "FY2024")
    assert drivers["dimension"].n_unique() == 5 and drivers.height == 20
    assert items.filter("reverse")["item_id"].unique().sort().to_list() == ["Q12", "Q16"]
    sat = items.filter(pl.col("item_id") == "Q_SAT")
    assert (sat["role"] == "outcome").all() and sat["text"][0] == "総合的に見て、現在の職場に満足している"
    assert items.filter(pl.col("role") == "outcome")["item_id"].unique().len() == 3
    assert items.filter(pl.col("item_id") == "Q14")["wave"].to_list() == [
        "FY2019",
        "FY2020",
        "FY2021",
        "FY2022",
    ]
    assert items.filter(pl.col("item_id") == "Q14B")["wave"].to_list() == ["FY2023", "FY2024"]
    assert items["equivalent_to"].is_null().all()


def test_survey_response_satisfaction_and_skips(frames):
    survey = frames["survey"]
    respondents = survey.group_by("wave").agg(pl.col("respondent_id").n_unique().alias("r")).sort("wave")
    headcount = frames["staff"].group_by("as_of").len().sort("as_of")
    rate = (respondents["r"] / headcount["len"]).to_list()
    assert all(0.70 <= r <= 0.85 for r in rate)
    sat = dict(_t2b(survey).select("wave", "t2b").iter_rows())
    assert 0.45 <= sat["FY2022"] <= 0.55 and sat["FY2024"] > sat["FY2022"]
    assert survey["value"].drop_nulls().is_between(1, 5).all()
    assert 0.01 < survey["value"].is_null().mean() < 0.03
    items = frames["survey_items"].select("wave", "item_id")
    assert survey.join(items, on=["wave", "item_id"], how="anti").height == 0


def test_survey_satisfaction_falls_with_division_overtime(frames):
    ot = _per_staff_year(frames["overtime"], "unit_code")
    sat = _t2b(frames["survey"], "unit_code").with_columns(
        pl.col("wave").str.slice(2).cast(pl.Int64).alias("fy")
    )
    panel = ot.join(sat, on=["fy", "unit_code"]).filter(pl.col("n") >= 5)
    assert panel.height > 150
    assert panel.select(pl.corr("h", "t2b")).item() < -0.3


# --- written files ------------------------------------------------------------------------------


def _patterns() -> dict[str, list[str]]:
    """file_patterns by dataset (a dataset may have several specs, e.g. survey_glint, whose
    patterns count as the dataset's: which variant reads a file is decided by its headers)."""
    specs: dict[str, list[str]] = {}
    for path in sorted(default_dir("pipelines").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        specs.setdefault(data["dataset"], []).extend(data["file_patterns"])
    return specs


def test_every_file_matches_exactly_one_pipeline(workspace):
    patterns = _patterns()
    found: dict[str, list[str]] = {}
    for path in workspace.iterdir():
        hits = [
            ds
            for ds, pats in patterns.items()
            if any(fnmatch.fnmatch(path.name.lower(), p.lower()) for p in pats)
        ]
        assert len(hits) == 1, (path.name, hits)
        found.setdefault(hits[0], []).append(path.name)
    assert {k: len(v) for k, v in found.items()} == {
        "org_units": 1,
        "staff": 1,
        "overtime": 6,
        "leave": 1,
        "childcare": 1,
        "approvals": 1,
        "survey_items": 1,
        "survey": 6,
        "hires": 1,
        "exam_applicants": 1,
        "separations": 1,
        "pay": 1,
    }


def test_encodings_cp932_and_bom(workspace):
    cp932 = (workspace / "時間外勤務実績_令和元年度.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp932.decode("utf-8")
    assert cp932.decode("cp932").startswith("職員番号,年月,所属コード,所属名,時間外勤務時間\r\n")
    assert (workspace / "時間外勤務実績_令和6年度.csv").read_bytes().startswith("\ufeff職員番号".encode())
    assert (workspace / "組織マスタ.csv").read_bytes().startswith("所属コード".encode())


def _read(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    text = path.read_bytes().decode(encoding).lstrip("\ufeff")
    return pl.read_csv(text.encode(), infer_schema=False)


def test_overtime_files_carry_the_frame_values_in_real_formats(frames, workspace):
    ot = frames["overtime"].with_columns(FY.alias("fy"))
    era = _read(workspace / "時間外勤務実績_令和2年度.csv", "cp932")
    assert era["年月"][0] == "令和2年4月" and era["年月"][-1] == "令和3年3月"
    assert era["職員番号"].str.len_chars().eq(6).all() and era["所属コード"].str.starts_with("0").all()
    hmm = _read(workspace / "時間外勤務実績_令和3年度.csv", "cp932")
    assert hmm["時間外勤務時間"].str.contains(r"^\d+:\d\d$").all()
    parts = hmm["時間外勤務時間"].str.split_exact(":", 1).struct.unnest()
    total = (parts["field_0"].cast(pl.Float64) + parts["field_1"].cast(pl.Float64) / 60).sum()
    assert total == pytest.approx(ot.filter(pl.col("fy") == 2021)["hours"].sum())
    plain = _read(workspace / "時間外勤務実績_令和4年度.csv")
    assert plain["年月"][0] == "2022/04"
    assert plain["時間外勤務時間"].cast(pl.Float64).sum() == pytest.approx(
        ot.filter(pl.col("fy") == 2022)["hours"].sum()
    )


def test_bad_rows_exist_only_in_the_fy2023_file(frames, workspace):
    clean = frames["overtime"].filter(FY == 2023)
    written = _read(workspace / "時間外勤務実績_令和5年度.csv")
    assert written.height == clean.height + 3
    assert written.select(pl.struct("職員番号", "年月").is_duplicated().sum()).item() == 4
    negative = written.filter(pl.col("時間外勤務時間").str.starts_with("-"))
    assert negative.rows() == [("999999", "2023/07", "01010", "総務課", "-2.5")]
    assert frames["overtime"]["hours"].min() >= 0
    assert frames["overtime"].filter(pl.col("staff_id") == "999999").height == 0


def test_other_files_formats(frames, workspace):
    leave = _read(workspace / "休暇取得実績.csv")
    fullwidth = leave.filter(pl.col("年") == "2020")["取得日数"]
    assert fullwidth.str.contains(r"^[０-９]+(．[０-９])?$").all()
    assert leave.height == frames["leave"].height
    labels = _read(workspace / "職員意識調査回答_FY2021.csv")
    assert set(labels["Q_SAT"].drop_nulls()) == {
        "そう思う",
        "ややそう思う",
        "どちらともいえない",
        "あまりそう思わない",
        "そう思わない",
    }
    wide = _read(workspace / "職員意識調査回答_FY2024.csv")
    items = frames["survey_items"].filter(pl.col("wave") == "FY2024")["item_id"].to_list()
    assert wide.columns == ["調査回", "回答者ID", "所属コード", *items]
    assert wide.height == frames["survey"].filter(pl.col("wave") == "FY2024")["respondent_id"].n_unique()
    assert _read(workspace / "職員意識調査回答_FY2023.csv")["調査回"].unique().to_list() == ["令和5年度"]
    roster = pl.read_excel(workspace / "職員名簿.xlsx")
    assert roster.columns[:3] == ["基準日", "職員番号", "所属コード"]
    assert roster.height == frames["staff"].height and roster["基準日"].dtype == pl.Date
    assert roster["所属コード"].str.starts_with("0").all()
    cc = _read(workspace / "育児休業対象者.csv", "cp932")
    assert set(cc["性別"]) == {"男", "女"} and cc["子の出生日"][0].count("/") == 2


def test_workspace_config(workspace):
    from hrmetrics.config import load_config

    config = load_config(workspace.parent)
    assert config.organisation_name == "みどり市" and config.organisation_name_en == "Midori City"
    assert config.leave_year == "calendar" and config.quota == {"organisation": 1250}
    assert workspace.name == "data"


def test_write_demo_files_returns_what_it_wrote(frames, tmp_path):
    paths = write_demo_files(frames, tmp_path / "x")
    assert sorted(p.name for p in paths) == sorted(p.name for p in (tmp_path / "x").iterdir())


def test_large_size_structure_and_unknown_size():
    org = org_units_frame("large")
    assert org.filter(pl.col("parent_code").is_null()).height == 80
    assert org.filter(pl.col("parent_code").is_not_null()).height == 340
    assert org["unit_code"].is_unique().all()
    with pytest.raises(ValueError):
        build_demo_frames(size="huge")


def test_allocate_fills_units_exactly_and_keeps_stayers():
    import numpy as np

    from hrmetrics.demo.workforce import allocate

    rng = np.random.default_rng(0)
    current = np.array([0, 0, 0, 1, 1, -1, -1, 2])  # unit 1 is closed this year (target 0)
    stay = np.array([True, True, True, True, False, False, False, True])
    targets = np.array([2, 0, 5, 1])
    out = allocate(current, stay, targets, rng)
    assert np.bincount(out, minlength=4).tolist() == [2, 0, 5, 1]
    assert out[7] == 2  # a stayer in a unit with room keeps it
    assert (out[:3] == 0).sum() == 2  # unit 0 keeps two of its three stayers


def test_staff_numbers_encode_the_hiring_year(frames):
    staff = frames["staff"]
    assert staff["staff_id"].str.len_chars().eq(6).all()
    hires_2022 = staff.filter(
        pl.col("as_of") == dt.date(2022, 4, 1), pl.col("staff_id").str.starts_with("22")
    )
    assert hires_2022.height > 30 and (hires_2022["grade"] == "staff").all()
    assert staff["staff_id"].str.starts_with("00").any()  # leading zeros survive


def test_large_size_targets_100k_overtime_staff_every_april():
    """The large size's posts (fast: no people are simulated): 100,000 non-managers every FY."""
    from hrmetrics.demo.city import (
        FISCAL_YEARS,
        HEADCOUNT,
        LARGE_MANAGER_POSTS,
        LARGE_OVERTIME_STAFF,
        units_frame,
    )
    from hrmetrics.demo.workforce import _grade_counts, _year_targets

    units = units_frame("large")
    assert LARGE_OVERTIME_STAFF * len(FISCAL_YEARS) * 12 == 7_200_000
    for i, fy in enumerate(FISCAL_YEARS):
        t = _year_targets(units, fy, HEADCOUNT["large"][i])
        assert int(t["nm"].sum()) == LARGE_OVERTIME_STAFF
        assert int(t["section"].sum() + 2 * t["dept"].sum()) == LARGE_MANAGER_POSTS
        counts = _grade_counts(t, HEADCOUNT["large"][i])
        assert int(counts[:3].sum()) == LARGE_OVERTIME_STAFF  # staff … assistant_chief


@pytest.mark.slow
def test_large_size_has_7_2_million_overtime_rows():
    """Generates the large size (~6 s, ~2 GB): 7.2 M overtime rows within 0.5 %, no managers."""
    large = build_demo_frames(size="large")
    overtime, staff = large["overtime"], large["staff"]
    assert overtime.height == 7_210_523  # default seed; 100,000 × 72 = 7.2 M, +0.15 %
    assert abs(overtime.height / 7_200_000 - 1) < 0.005
    per_month = overtime.group_by("month").len()["len"]
    assert per_month.len() == 72 and abs(per_month.mean() / 100_000 - 1) < 0.005
    assert staff.group_by("as_of").len()["len"].to_list() == [107_480] * 6
    managers = staff.filter(pl.col("grade").is_in(MANAGERS))
    assert managers.group_by("as_of").len()["len"].to_list() == [7_480] * 6
    manager_keys = managers.select("staff_id", fy=pl.col("as_of").dt.year().cast(pl.Int64))
    assert overtime.select("staff_id", fy=FY).join(manager_keys, on=["staff_id", "fy"]).height == 0
    assert overtime.select("staff_id", "month").is_duplicated().sum() == 0


def test_staff_n_sizes_scale_the_city_and_reject_out_of_range_counts():
    """`--staff N`: N non-managers on every April 1 (fast: posts only, no people simulated)."""
    from hrmetrics.demo.city import HEADCOUNT, blocks_for, scaled_staff, units_frame
    from hrmetrics.demo.workforce import headcount

    assert [blocks_for(n) for n in (300, 14_999, 15_000, 100_000, 1_000_000)] == [1, 1, 2, 10, 100]
    assert headcount(units_frame(100_000), 100_000) == HEADCOUNT["large"]  # same city as "large"
    org = org_units_frame(1_000_000)
    assert org.filter(pl.col("parent_code").is_null()).height == 800 and org["unit_code"].is_unique().all()
    for bad in (299, 1_000_001, "huge", True):
        with pytest.raises(ValueError):
            scaled_staff(bad)


def test_staff_300_has_300_overtime_staff_and_the_five_core_datasets(tmp_path):
    from hrmetrics.demo.generator import generate_demo

    data = generate_demo(tmp_path / "w", size=300)
    years = [f"overtime_FY{y}" for y in range(2019, 2025)]  # one export per FY, as payroll writes it
    assert sorted(p.name for p in data.iterdir()) == sorted(
        f"{n}.parquet" for n in ("org_units", "staff", "leave", "approvals", *years))
    staff = pl.read_parquet(data / "staff.parquet")
    non_managers = staff.filter(~pl.col("grade").is_in(MANAGERS)).group_by("as_of").len()
    assert non_managers["len"].to_list() == [300] * 6
    overtime = pl.concat([pl.read_parquet(data / f"{y}.parquet") for y in years])
    assert (overtime.select(FY.unique()).to_series().sort().to_list() == list(range(2019, 2025)))
    assert abs(overtime.height / (300 * 72) - 1) < 0.01
    assert pl.read_parquet(data / "approvals.parquet").height == 2_268  # 31–32 divisions × 72 months
    heads = staff.group_by("as_of").len()["len"].max()
    toml = (tmp_path / "w" / "hrmetrics.toml").read_text("utf-8")
    assert f"organisation = {round(heads * 1.03)} }}" in toml


def test_overtime_one_year_at_a_time_has_the_same_rows_and_calibration(monkeypatch):
    """Beyond ONE_PASS_ROWS (1,000,000 staff) hours are drawn one FY at a time to bound memory:
    the same staff-months in the same order, each year still calibrated to OVERTIME_PATH."""
    import numpy as np

    from hrmetrics.demo import workforce
    from hrmetrics.demo.city import units_frame

    def overtime(one_pass_rows):
        monkeypatch.setattr(workforce, "ONE_PASS_ROWS", one_pass_rows)
        units = units_frame(300)
        people = workforce.simulate_people(units, 300, np.random.default_rng(1))
        return workforce.overtime_frame(people, units, np.random.default_rng(2))

    whole, by_year = overtime(10**9), overtime(0)
    keys = ["staff_id", "month", "unit_code"]
    assert by_year.select(keys).equals(whole.select(keys)) and not by_year["hours"].equals(whole["hours"])
    per_staff = by_year.group_by(FY.alias("fy")).agg(pl.col("hours").mean() * 12).sort("fy")
    assert per_staff["hours"].to_list() == pytest.approx(list(workforce.OVERTIME_PATH.values()), rel=0.01)
