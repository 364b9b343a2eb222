"""Write the demo frames the way municipal systems really export them.

What the files contain (each choice exercises a part of the intake):

- `組織マスタ.csv` — UTF-8; codes with leading zeros.
- `職員名簿.xlsx` — one sheet 「職員名簿」; 基準日 as Excel date cells, codes as text cells,
  Japanese grade titles (主事/主任/係長/課長補佐/課長/次長/部長), 所属名 as an extra column.
- `時間外勤務実績_令和元年度.csv` … `_令和3年度.csv` — CP932, CRLF; FY2020 months as
  「令和2年4月」, FY2021 hours as `h:mm`.
- `時間外勤務実績_令和4年度.csv` … `_令和6年度.csv` — UTF-8 with BOM; months `2024/04`;
  FY2024 hours as `h:mm`; FY2023 holds the bad rows below.
- `休暇取得実績.csv` — UTF-8 with BOM; days of leave year 2020 in full-width digits (`１２．５`).
- `育児休業対象者.csv` — CP932; dates `2024/05/13`; leave start empty when no leave (yet).
- `決裁実績.csv` — UTF-8 with BOM; months as `202404`.
- `設問マスタ.csv` — UTF-8 with BOM; 逆転項目 ○/×, 区分 総合/要因.
- `職員意識調査回答_FY2019.csv` … `_FY2024.csv` — FY2019–20 CP932, others UTF-8 with BOM; wide,
  one column per item id; FY2021 answers as labels (そう思う … そう思わない); the FY2023 wave
  written 「令和5年度」; blank = skipped.

Deliberately bad rows (only in the files; `build_demo_frames` returns clean data), all in
`時間外勤務実績_令和5年度.csv`:
- the file's first two data rows (spreadsheet rows 2 and 3) appear again at its end, exactly
  duplicated (a grain violation: staff × month twice);
- one extra last row for staff 「999999」 (not on any roster), 2023/07, unit 01010, hours `-2.5`
  (negative hours).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from hrmetrics.demo.city import FISCAL_YEARS
from hrmetrics.jpcalendar import ERA_OFFSET, fiscal_year_expr, format_fiscal_year

GRADE_JA = {
    "unit_chief": "係長",
    "assistant_chief": "課長補佐",
    "section_chief": "課長",
    "deputy_director": "次長",
    "director": "部長",
}
GENDER_JA = {"female": "女", "male": "男", "other": "その他"}
EMPLOYMENT_JA = {"regular": "正規", "fixed_term": "再任用", "part_time": "会計年度任用"}
ROUTE_JA = {"new_graduate": "新卒", "experienced": "経験者"}
REASON_JA = {"retirement": "定年", "voluntary": "自己都合", "other": "その他"}
LEAVE_JA = {"annual": "年次休暇", "summer": "夏季休暇", "spouse_birth": "配偶者出産休暇",
            "childcare_participation": "育児参加休暇"}
CLASS_JA = {"permanent": "任期の定めのない常勤職員", "fixed_term": "任期付職員", "reappointed": "再任用職員",
            "kaikei": "会計年度任用職員"}
LIKERT_JA = {
    5: "そう思う",
    4: "ややそう思う",
    3: "どちらともいえない",
    2: "あまりそう思わない",
    1: "そう思わない",
}
CP932_OVERTIME_FYS = (2019, 2020, 2021)
ERA_MONTH_FY = 2020
HMM_FYS = (2021, 2024)
BAD_ROWS_FY = 2023
FULLWIDTH_LEAVE_YEAR = 2020
LABEL_WAVE_FY = 2021
ERA_WAVE_FY = 2023
CP932_WAVE_FYS = (2019, 2020)
FIXED_TIMESTAMP = dt.datetime(2025, 4, 1, 9, 0, 0)
"""Document properties of the XLSX: a fixed time so the bytes do not depend on the clock."""


def era_fy(fy: int) -> str:
    """`令和6年度` for 2024 (`令和元年度` for 2019), as a file name would spell it."""
    return format_fiscal_year(fy, "ja")


def _write_text(path: Path, frame: pl.DataFrame, encoding: str) -> Path:
    """CSV with Excel's habits: CRLF line ends; CP932, UTF-8 with BOM, or plain UTF-8."""
    text = frame.write_csv(line_terminator="\r\n", null_value="")
    data = ("\ufeff" + text).encode("utf-8") if encoding == "utf-8-sig" else text.encode(encoding)
    path.write_bytes(data)
    return path


def _hmm(col: str) -> pl.Expr:
    """Hours as `h:mm` (12.25 → `12:15`), as attendance systems print them."""
    whole = pl.col(col).floor().cast(pl.Int64)
    minutes = ((pl.col(col) - pl.col(col).floor()) * 60).round().cast(pl.Int64)
    return pl.format("{}:{}", whole, minutes.cast(pl.String).str.zfill(2))


def _num(col: str) -> pl.Expr:
    """A number without a pointless `.0` (12.0 → `12`, 12.5 → `12.5`), as Excel writes it."""
    text = pl.col(col).cast(pl.String)
    return (
        pl.when(pl.col(col) == pl.col(col).round())
        .then(pl.col(col).cast(pl.Int64).cast(pl.String))
        .otherwise(text)
    )


def _fullwidth(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(list("0123456789."), list("０１２３４５６７８９．"))


def _era_month() -> pl.Expr:
    """`令和2年4月` from the month date (only used for months from 2020 on)."""
    month = pl.col("month")
    return pl.format("令和{}年{}月", month.dt.year() - ERA_OFFSET["令和"], month.dt.month())


def _fy_of(col: str) -> pl.Expr:
    return fiscal_year_expr(col).cast(pl.Int32)


def write_org_units(org: pl.DataFrame, out_dir: Path) -> Path:
    frame = org.select(
        pl.col("unit_code").alias("所属コード"),
        pl.col("unit_name").alias("所属名"),
        pl.col("parent_code").alias("親所属コード"),
        pl.col("valid_from_fy").alias("適用開始年度"),
        pl.col("valid_to_fy").alias("適用終了年度"),
        pl.col("successor_code").alias("統合先所属コード"),
    )
    return _write_text(out_dir / "組織マスタ.csv", frame, "utf-8")


def write_staff_xlsx(staff: pl.DataFrame, org: pl.DataFrame, out_dir: Path) -> Path:
    """The roster as one XLSX sheet: dates as date cells, codes as text cells (zeros kept)."""
    import xlsxwriter

    names = org.select("unit_code", "unit_name")
    frame = staff.join(names, on="unit_code", how="left", maintain_order="left").select(
        "as_of",
        "staff_id",
        "unit_code",
        "unit_name",
        pl.when(pl.col("grade") != "staff")
        .then(pl.col("grade").replace(GRADE_JA))
        .when(pl.col("staff_id").str.slice(-1).cast(pl.Int64) % 3 == 0)
        .then(pl.lit("主任"))
        .otherwise(pl.lit("主事"))
        .alias("grade"),
        pl.col("gender").replace_strict(GENDER_JA),
        pl.col("employment_type").replace_strict(EMPLOYMENT_JA),
        *([pl.col("employment_class").replace_strict(CLASS_JA), pl.col("hire_date").dt.strftime("%Y/%m/%d")]
          if "employment_class" in staff.columns else []),
    )
    headers = ["基準日", "職員番号", "所属コード", "所属名", "役職", "性別", "任用区分", "任期区分", "採用日"]
    path = out_dir / "職員名簿.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIMESTAMP, "author": "みどり市 職員課", "title": "職員名簿"})
    sheet = book.add_worksheet("職員名簿")
    date_fmt = book.add_format({"num_format": "yyyy/mm/dd"})
    sheet.write_row(0, 0, headers)
    sheet.write_column(1, 0, frame["as_of"].to_list(), date_fmt)
    for j, col in enumerate(frame.columns[1:], start=1):
        sheet.write_column(1, j, frame[col].to_list())
    sheet.set_column(0, 0, 12)
    book.close()
    return path


def _overtime_year(overtime: pl.DataFrame, names: pl.DataFrame, fy: int) -> pl.DataFrame:
    rows = overtime.filter(_fy_of("month") == fy).join(
        names, on="unit_code", how="left", maintain_order="left"
    )
    month = _era_month() if fy == ERA_MONTH_FY else pl.col("month").dt.strftime("%Y/%m")
    hours = _hmm("hours") if fy in HMM_FYS else _num("hours")
    frame = rows.select(
        pl.col("staff_id").alias("職員番号"),
        month.alias("年月"),
        pl.col("unit_code").alias("所属コード"),
        pl.col("unit_name").alias("所属名"),
        hours.alias("時間外勤務時間"),
    )
    if fy == BAD_ROWS_FY:
        bad = pl.DataFrame(
            {
                "職員番号": ["999999"],
                "年月": ["2023/07"],
                "所属コード": ["01010"],
                "所属名": ["総務課"],
                "時間外勤務時間": ["-2.5"],
            }
        )
        frame = pl.concat([frame, frame.head(2), bad])
    return frame


def write_overtime(overtime: pl.DataFrame, org: pl.DataFrame, out_dir: Path) -> list[Path]:
    """One file per fiscal year, named like the attendance system does (`…_令和6年度.csv`)."""
    names = org.select("unit_code", "unit_name")
    paths = []
    for fy in FISCAL_YEARS:
        enc = "cp932" if fy in CP932_OVERTIME_FYS else "utf-8-sig"
        path = out_dir / f"時間外勤務実績_{era_fy(fy)}.csv"
        paths.append(_write_text(path, _overtime_year(overtime, names, fy), enc))
    return paths


def write_leave(leave: pl.DataFrame, out_dir: Path) -> Path:
    days = _num("days")
    frame = leave.select(
        pl.col("staff_id").alias("職員番号"),
        pl.col("year").alias("年"),
        pl.col("unit_code").alias("所属コード"),
        pl.col("leave_type").replace_strict(LEAVE_JA).alias("休暇種別"),
        pl.when(pl.col("year") == FULLWIDTH_LEAVE_YEAR)
        .then(_fullwidth(days))
        .otherwise(days)
        .alias("取得日数"),
        _num("granted_days").alias("付与日数"),
        _num("carryover_days").alias("繰越日数"),
    )
    return _write_text(out_dir / "休暇取得実績.csv", frame, "utf-8-sig")


def write_childcare(childcare: pl.DataFrame, out_dir: Path) -> Path:
    frame = childcare.select(
        pl.col("staff_id").alias("職員番号"),
        pl.col("unit_code").alias("所属コード"),
        pl.col("gender").replace_strict(GENDER_JA).alias("性別"),
        pl.col("birth_date").dt.strftime("%Y/%m/%d").alias("子の出生日"),
        pl.col("leave_start").dt.strftime("%Y/%m/%d").alias("育児休業開始日"),
        _num("leave_days").alias("育児休業日数"),
    )
    return _write_text(out_dir / "育児休業対象者.csv", frame, "cp932")


def write_approvals(approvals: pl.DataFrame, org: pl.DataFrame, out_dir: Path) -> Path:
    frame = approvals.join(
        org.select("unit_code", "unit_name"), on="unit_code", how="left", maintain_order="left"
    ).select(
        pl.col("unit_code").alias("所属コード"),
        pl.col("unit_name").alias("所属名"),
        pl.col("month").dt.strftime("%Y%m").alias("年月"),
        pl.col("electronic").alias("電子決裁件数"),
        pl.col("paper").alias("紙決裁件数"),
    )
    return _write_text(out_dir / "決裁実績.csv", frame, "utf-8-sig")


def write_survey_items(items: pl.DataFrame, out_dir: Path) -> Path:
    frame = items.select(
        pl.col("wave").alias("調査回"),
        pl.col("item_id").alias("設問ID"),
        pl.col("text").alias("設問文"),
        pl.col("dimension").alias("領域"),
        pl.col("scale_points").alias("尺度"),
        pl.when(pl.col("reverse")).then(pl.lit("○")).otherwise(pl.lit("×")).alias("逆転項目"),
        pl.col("role").replace_strict({"outcome": "総合", "driver": "要因"}).alias("区分"),
        pl.col("equivalent_to").alias("同等設問ID"),
    )
    return _write_text(out_dir / "設問マスタ.csv", frame, "utf-8-sig")


def write_survey(survey: pl.DataFrame, items: pl.DataFrame, out_dir: Path) -> list[Path]:
    """One wide file per wave: 調査回, 回答者ID, 所属コード, then one column per item id."""
    paths = []
    for fy in FISCAL_YEARS:
        wave = f"FY{fy}"
        item_ids = items.filter(pl.col("wave") == wave)["item_id"].to_list()
        long = survey.filter(pl.col("wave") == wave)
        value = (
            pl.col("value").replace_strict(LIKERT_JA, return_dtype=pl.String)
            if fy == LABEL_WAVE_FY
            else pl.col("value").cast(pl.String)
        )
        wide = long.with_columns(value.alias("value")).pivot(
            on="item_id",
            index=["wave", "respondent_id", "unit_code"],
            values="value",
            on_columns=item_ids,
        )
        label = "令和5年度" if fy == ERA_WAVE_FY else wave
        frame = wide.select(
            pl.lit(label).alias("調査回"),
            pl.col("respondent_id").alias("回答者ID"),
            pl.col("unit_code").alias("所属コード"),
            *item_ids,
        )
        enc = "cp932" if fy in CP932_WAVE_FYS else "utf-8-sig"
        paths.append(_write_text(out_dir / f"職員意識調査回答_{wave}.csv", frame, enc))
    return paths


def write_publication_files(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Hires (CP932), exam applicants (UTF-8), separations (UTF-8 with BOM) and pay as the
    personnel system writes them: Japanese headers and codes, 令和 fiscal years, yen with commas."""
    paths = []
    if "hires" in frames:
        hires = frames["hires"].select(
            pl.col("staff_id").alias("職員番号"),
            pl.col("hire_date").dt.strftime("%Y/%m/%d").alias("採用日"),
            pl.col("gender").replace_strict(GENDER_JA).alias("性別"), pl.col("job_category").alias("職種"),
            pl.col("route").replace_strict(ROUTE_JA).alias("採用区分"),
            pl.col("employment_class").replace_strict(CLASS_JA).alias("任期区分"))
        paths.append(_write_text(out_dir / "採用実績.csv", hires, "cp932"))
    if "exam_applicants" in frames:
        exams = frames["exam_applicants"].select(
            pl.col("year").map_elements(era_fy, return_dtype=pl.String).alias("年度"),
            pl.col("exam").alias("試験区分"),
            pl.col("gender").replace_strict(GENDER_JA).alias("性別"), pl.col("applicants").alias("受験者数"),
            pl.col("passed").alias("合格者数"))
        paths.append(_write_text(out_dir / "採用試験実施状況.csv", exams, "utf-8"))
    if "separations" in frames:
        seps = frames["separations"].select(
            pl.col("staff_id").alias("職員番号"),
            pl.col("separation_date").dt.strftime("%Y/%m/%d").alias("退職日"),
            pl.col("gender").replace_strict(GENDER_JA).alias("性別"),
            pl.col("reason").replace_strict(REASON_JA).alias("離職事由"))
        paths.append(_write_text(out_dir / "離職者一覧.csv", seps, "utf-8-sig"))
    if "pay" in frames:
        pay = frames["pay"].select(
            pl.col("staff_id").alias("職員番号"),
            pl.col("year").map_elements(era_fy, return_dtype=pl.String).alias("年度"),
            pl.col("employment_class").replace_strict(CLASS_JA).alias("職員区分"),
            pl.col("grade").replace_strict({**GRADE_JA, "staff": "主事"}).alias("役職"),
            pl.col("gender").replace_strict(GENDER_JA).alias("性別"),
            pl.col("hire_date").dt.strftime("%Y/%m/%d").alias("採用日"),
            _num("annual_pay").alias("年間給与額"), pl.col("scheduled_hours").alias("週所定勤務時間"))
        paths.append(_write_text(out_dir / "給与支給実績.csv", pay, "utf-8-sig"))
    return paths


def write_demo_files(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Write the demo datasets as real-looking exports into `out_dir`; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    org = frames["org_units"]
    return [
        write_org_units(org, out_dir),
        write_staff_xlsx(frames["staff"], org, out_dir),
        *write_overtime(frames["overtime"], org, out_dir),
        write_leave(frames["leave"], out_dir),
        write_childcare(frames["childcare"], out_dir),
        write_approvals(frames["approvals"], org, out_dir),
        write_survey_items(frames["survey_items"], out_dir),
        *write_survey(frames["survey"], frames["survey_items"], out_dir),
        *write_publication_files(frames, out_dir),
    ]


def write_large_files(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """A scaled size as Parquet with canonical column names (`staff.parquet`, …); overtime as one
    file per fiscal year (`overtime_FY2024.parquet`), as payroll systems export it and as the
    demo city's CSVs are: a load then holds one year's rows at a time, not six."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        if name == "overtime":
            fy = fiscal_year_expr("month")
            for (year,), part in frame.with_columns(_fy=fy).partition_by("_fy", as_dict=True,
                                                                          maintain_order=True).items():
                path = out_dir / f"overtime_FY{year}.parquet"
                part.drop("_fy").write_parquet(path, compression="zstd", statistics=True)
                paths.append(path)
            continue
        path = out_dir / f"{name}.parquet"
        frame.write_parquet(path, compression="zstd", statistics=True)
        paths.append(path)
    return paths
