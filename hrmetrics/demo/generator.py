"""The deterministic demo city 「みどり市」 (Midori City) and the 7.2 M-overtime-row benchmark size.

`build_demo_frames` returns the canonical datasets (docs/architecture.md) as clean polars frames;
`write_demo_files` writes them the way real municipal systems export them (Japanese headers,
CP932 and UTF-8-BOM CSVs, era months, h:mm, full-width digits, an XLSX roster, a wide survey per
wave) plus a few deliberately bad rows for the data-quality report; `generate_demo` does both
and writes the workspace's `hrmetrics.toml`.

Determinism: `numpy.random.SeedSequence(seed)` spawns one `default_rng` stream per dataset,
each drawn in a fixed order, and no value depends on the clock, so a seed fixes every frame and
every written byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from hrmetrics.demo.city import Size, org_units_frame, scaled_staff, units_frame
from hrmetrics.demo.exports import write_demo_files, write_large_files
from hrmetrics.demo.publication import (
    exam_frame,
    hires_frame,
    pay_frame,
    separations_frame,
    spouse_leave_frame,
    staff_extras,
)
from hrmetrics.demo.survey import ORG_NAME, survey_frame, survey_items_frame
from hrmetrics.demo.workforce import (
    approvals_frame,
    childcare_frame,
    leave_frame,
    overtime_frame,
    simulate_people,
    staff_frame,
)

__all__ = ["DEFAULT_SEED", "SIZES", "build_demo_frames", "generate_demo", "write_demo_files"]

DEFAULT_SEED = 20240401
SIZES = ("demo", "large")
DATA_DIR = "data"
QUOTA = 1250

CONFIG_TOML = f"""# みどり市 (デモ) のワークスペース設定 — hrmetrics demo が生成
[organisation]
name = "{ORG_NAME}"
name_en = "Midori City"

[calendar]
leave_year = "calendar"   # 年次休暇は暦年 (1月〜12月) で集計

[workforce]
manager_grades = ["section_chief", "deputy_director", "director"]
quota = {{ organisation = {QUOTA} }}   # 職員定数

[privacy]
min_group_survey = 5
# デモ用の固定キー (実運用では環境変数 HRMETRICS_PSEUDONYM_KEY を使うこと)
pseudonym_key = "midori-demo-key-not-a-secret"

[publication]
pay_basis = "headcount"   # 給与の男女の差異: 実人員で平均（"hours" で短時間勤務を勤務時間換算）
pay_explanation = '''任期の定めのない常勤職員では、同じ役職段階・勤続年数の給与に男女の差はありませんが、
給与の高い課長相当職以上に占める女性の割合が低いため、全体では女性の給与が男性を下回ります。
それ以外の職員では、短時間勤務の会計年度任用職員の多くが女性であることが差異の主な要因です。
（デモ用の説明欄です）'''
remarks = "数値はデモ用の架空の市「みどり市」のものです。"
"""


def build_demo_frames(seed: int = DEFAULT_SEED, size: Size = "demo") -> dict[str, pl.DataFrame]:
    """The canonical datasets of the demo city, clean (the bad rows exist only in written files).

    size "demo": ~1,200 staff, 8 departments, ~30 divisions, FY2019–2024, all eight datasets.
    size N (300 to 1,000,000; "large" = 100,000): N overtime-eligible (non-manager) staff on every
    April 1 plus the manager posts (section chief and above, no overtime rows, as in the demo
    city), in round(N / 10,000) replicas of the eight departments (at least one), so divisions
    keep ~300 staff; datasets org_units, staff, overtime (≈ N × 72 rows), leave and approvals.
    N = 100,000: 80 departments / 340 divisions, 107,480 staff per snapshot (644,880 rows) and
    7,210,523 overtime rows with the default seed (+0.15 %: October joiners add months, mid-year
    leavers remove some; any seed stays within 0.5 % of 7.2 M).
    Vectorised; ~6 s for 100,000 on a 2-core machine.
    """
    staff_n = scaled_staff(size)  # raises on an unknown size
    # one independent stream per dataset: tuning one dataset's draws leaves the others unchanged
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    units = units_frame(size)
    people = simulate_people(units, size, rng[0])
    staff = staff_frame(people, units)
    overtime = overtime_frame(people, units, rng[1])
    frames = {"org_units": org_units_frame(size), "staff": staff, "overtime": overtime}
    frames["leave"] = leave_frame(people, units, rng[2])
    if staff_n is not None:
        # no childcare (its leaves that start in the FY after a reorganisation stop the KPI engine:
        # see benchmarks/README.md) and no survey (a wide export per wave, the demo city's own)
        frames["approvals"] = approvals_frame(units, rng[4])
        return frames
    frames["childcare"] = childcare_frame(people, units, rng[3])
    frames["approvals"] = approvals_frame(units, rng[4])
    frames["survey_items"] = survey_items_frame()
    frames["survey"] = survey_frame(staff, overtime, rng[5])
    # statutory-publication exports (their own stream: the datasets above stay as they were)
    pub = np.random.default_rng(np.random.SeedSequence(seed).spawn(7)[6])
    frames["staff"] = staff_extras(staff, people)
    frames["leave"] = pl.concat([frames["leave"], spouse_leave_frame(frames["childcare"], pub)])
    frames["hires"] = hires_frame(people, pub)
    frames["exam_applicants"] = exam_frame(frames["hires"], pub)
    frames["separations"] = separations_frame(people, pub)
    frames["pay"] = pay_frame(people, overtime, pub)
    return frames


def generate_demo(out_dir: Path, size: Size = "demo", seed: int = DEFAULT_SEED) -> Path:
    """Write the demo workspace (`hrmetrics.toml` + `data/`) and return the data folder.

    The demo city is written as real-looking exports (CSV/XLSX); a scaled size as Parquet files
    with canonical columns (the benchmark input), with the quota set 3 % above the largest
    headcount.
    """
    out_dir = Path(out_dir)
    data_dir = out_dir / DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    frames = build_demo_frames(seed=seed, size=size)
    config = CONFIG_TOML
    if scaled_staff(size) is None:
        write_demo_files(frames, data_dir)
    else:
        write_large_files(frames, data_dir)
        heads = int(frames["staff"].group_by("as_of").len()["len"].max() or 0)  # type: ignore[arg-type]
        config = config.replace(f"organisation = {QUOTA} }}", f"organisation = {round(heads * 1.03)} }}")
    (out_dir / "hrmetrics.toml").write_text(config, encoding="utf-8")
    return data_dir
