"""The demo city's organisation: departments (部), divisions (課) and their reorganisations.

The structure is written by hand so that every fact a test or a reader relies on is visible here:
one merger (環境部: ごみ減量推進課 + 清掃事業課 → 資源循環課 from FY2022), one rename with a new
code (情報政策課 02030 → デジタル推進課 02040 from FY2023), one tiny office (男女平等推進室 02050,
5 staff, so the survey there always has fewer than 5 respondents) and two chronically heavy
divisions (財政課, 危機管理課). Codes are 5-digit with leading zeros (`01010`) because real
exports lose those zeros when someone opens them in Excel, and the pipeline must keep them.

The "large" size replicates the eight departments ten times (80 departments, 340 divisions) so
that benchmarks see the same shape at ~90× the volume. It is sized by its overtime rows, the
KPI engine's volume: LARGE_OVERTIME_STAFF = 100,000 non-manager (overtime-eligible) staff on every
April 1, × 72 months ≈ 7.2 M overtime rows. Managers (section chief and above, 7,480 posts) have
no overtime rows, as in the demo city and in real exports (管理監督者), so the April-1 headcount
(the `staff` roster) is 100,000 + 7,480 manager posts = 107,480 (HEADCOUNT["large"]).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FISCAL_YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
BASE_FROM_FY = 2015
"""valid_from_fy of units that predate the data (the city's last big reorganisation)."""

MERGER_FY = 2022
RENAME_FY = 2023
TINY_CODE = "02050"
HEALTH_CODE = "04040"
HEAVY_CODES: tuple[str, ...] = ("02020", "01030")
MERGED_CODES: tuple[str, str] = ("06020", "06030")
MERGED_INTO = "06040"
RENAMED_FROM = "02030"
RENAMED_TO = "02040"

PANDEMIC_FACTOR: dict[int, float] = {2020: 3.2, 2021: 2.6, 2022: 1.4}
"""Overtime multiplier of the health division (健康課) by FY: vaccination and contact tracing."""


@dataclass(frozen=True)
class Division:
    """One 課 of the demo city. `size` is the target number of non-manager staff."""

    code: str
    name: str
    size: int
    overtime: float
    """Mean monthly overtime (h) of a non-manager in an ordinary year, before calibration."""
    valid_from_fy: int = BASE_FROM_FY
    valid_to_fy: int | None = None
    successor_code: str | None = None


DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("01000", "総務部"),
    ("02000", "企画政策部"),
    ("03000", "市民部"),
    ("04000", "健康福祉部"),
    ("05000", "子ども家庭部"),
    ("06000", "環境部"),
    ("07000", "都市整備部"),
    ("08000", "教育部"),
)

_D = Division
DIVISIONS: tuple[Division, ...] = (
    _D("01010", "総務課", 28, 14.0),
    _D("01020", "職員課", 22, 16.0),
    _D("01030", "危機管理課", 14, 26.0),
    _D("01040", "契約管財課", 16, 12.0),
    _D("02010", "企画政策課", 16, 18.0),
    _D("02020", "財政課", 12, 28.0),
    _D("02030", "情報政策課", 14, 15.0, valid_to_fy=RENAME_FY - 1, successor_code=RENAMED_TO),
    _D("02040", "デジタル推進課", 14, 15.0, valid_from_fy=RENAME_FY),
    _D("02050", "男女平等推進室", 4, 9.0),
    _D("03010", "市民課", 62, 10.0),
    _D("03020", "保険年金課", 48, 14.0),
    _D("03030", "課税課", 46, 17.0),
    _D("03040", "納税課", 34, 12.0),
    _D("04010", "地域福祉課", 30, 12.0),
    _D("04020", "障害福祉課", 38, 14.0),
    _D("04030", "高齢者支援課", 42, 13.0),
    _D("04040", "健康課", 44, 14.0),
    _D("04050", "生活福祉課", 46, 15.0),
    _D("05010", "子育て支援課", 36, 13.0),
    _D("05020", "保育課", 120, 7.0),
    _D("05030", "子ども相談課", 24, 15.0),
    _D("06010", "環境政策課", 18, 10.0),
    _D("06020", "ごみ減量推進課", 20, 11.0, valid_to_fy=MERGER_FY - 1, successor_code=MERGED_INTO),
    _D("06030", "清掃事業課", 40, 9.0, valid_to_fy=MERGER_FY - 1, successor_code=MERGED_INTO),
    _D("06040", "資源循環課", 60, 10.0, valid_from_fy=MERGER_FY),
    _D("07010", "都市計画課", 24, 14.0),
    _D("07020", "道路課", 36, 13.0),
    _D("07030", "下水道課", 22, 11.0),
    _D("07040", "建築指導課", 20, 12.0),
    _D("08010", "教育総務課", 26, 14.0),
    _D("08020", "学務課", 30, 12.0),
    _D("08030", "指導室", 16, 17.0),
    _D("08040", "社会教育課", 28, 9.0),
    _D("08050", "図書館", 50, 5.0),
)

LARGE_BLOCKS = 10
LARGE_OVERTIME_STAFF = 100_000
"""Non-manager staff (grades staff … assistant_chief, the ones with overtime rows) on every April 1
of the large size: 100,000 × 6 FYs × 12 months = 7.2 M overtime rows, give or take the few
mid-year leavers and October joiners (overtime_frame); see test_large_size_targets."""
LARGE_MANAGER_POSTS = 7_480
"""Section chiefs (max(1, round(0.07 × division size)) per division) + directors and deputy
directors (3 + 3 per department) of the large size, the same in every FY."""

STAFF_RANGE = (300, 1_000_000)
"""`--staff N` accepts any N in this range (overtime-eligible staff on every April 1)."""
BLOCK_STAFF = 10_000
"""Non-manager staff per replica of the demo city's departments in a scaled size: divisions stay
at ~300 staff (as in the 100,000-staff benchmark) whatever N is."""

Size = str | int
"""A demo size: "demo" (the city of ~1,200), "large" (= 100,000) or N overtime-eligible staff."""


def scaled_staff(size: Size) -> int | None:
    """Overtime-eligible staff of a scaled size (None for the hand-made demo city)."""
    if size == "demo":
        return None
    if size == "large":
        return LARGE_OVERTIME_STAFF
    if isinstance(size, int) and not isinstance(size, bool) and STAFF_RANGE[0] <= size <= STAFF_RANGE[1]:
        return size
    raise ValueError(f"size は 'demo'、'large' または {STAFF_RANGE[0]:,}〜{STAFF_RANGE[1]:,} の職員数です: "
                     f"{size!r}")


def blocks_for(size: Size) -> int:
    """Replicas of the eight departments: 1 for the demo, one per ~10,000 staff otherwise."""
    staff = scaled_staff(size)
    return 1 if staff is None else max(1, round(staff / BLOCK_STAFF))


HEADCOUNT: dict[str, tuple[int, ...]] = {
    "demo": (1188, 1196, 1205, 1210, 1214, 1219),
    "large": (LARGE_OVERTIME_STAFF + LARGE_MANAGER_POSTS,) * len(FISCAL_YEARS),
}
"""April-1 headcount by FY (FISCAL_YEARS order); the quota (職員定数) is 1,250 for the demo."""


def _shift(code: str, block: int) -> str:
    """Code of a unit in replica `block` (0 = the demo city itself): the department number moves."""
    return f"{int(code[:2]) + 8 * block:02d}{code[2:]}"


def _suffix(block: int) -> str:
    return "" if block == 0 else f"（第{block + 1}地区）"


def units_frame(size: Size = "demo") -> pl.DataFrame:
    """All units with their generator attributes (internal: `size`, `overtime`, `is_division`, `health`).

    The canonical `org_units` frame is this frame's first six columns.
    """
    staff = scaled_staff(size)
    blocks = blocks_for(size)
    # scaled: a division's `size` ≈ its non-manager posts (the demo divisions' sizes add up to 1,026)
    fy0 = FISCAL_YEARS[0]
    demo_posts = sum(d.size for d in DIVISIONS if d.valid_from_fy <= fy0 and (d.valid_to_fy or fy0) >= fy0)
    size_scale = 1.0 if staff is None else staff / demo_posts / blocks
    rows: list[dict[str, object]] = []
    for b in range(blocks):
        for code, name in DEPARTMENTS:
            rows.append(
                {
                    "unit_code": _shift(code, b),
                    "unit_name": name + _suffix(b),
                    "parent_code": None,
                    "valid_from_fy": BASE_FROM_FY,
                    "valid_to_fy": None,
                    "successor_code": None,
                    "size": 0,
                    "overtime": 0.0,
                    "is_division": False,
                    "health": False,
                }
            )
        for d in DIVISIONS:
            rows.append(
                {
                    "unit_code": _shift(d.code, b),
                    "unit_name": d.name + _suffix(b),
                    "parent_code": _shift(d.code[:2] + "000", b),
                    "valid_from_fy": d.valid_from_fy,
                    "valid_to_fy": d.valid_to_fy,
                    "successor_code": None if d.successor_code is None else _shift(d.successor_code, b),
                    "size": max(1, round(d.size * size_scale)),
                    "overtime": d.overtime,
                    "is_division": True,
                    "health": d.code == HEALTH_CODE,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String,
            "unit_name": pl.String,
            "parent_code": pl.String,
            "valid_from_fy": pl.Int64,
            "valid_to_fy": pl.Int64,
            "successor_code": pl.String,
            "size": pl.Int64,
            "overtime": pl.Float64,
            "is_division": pl.Boolean,
            "health": pl.Boolean,
        },
    )


ORG_COLUMNS: tuple[str, ...] = (
    "unit_code",
    "unit_name",
    "parent_code",
    "valid_from_fy",
    "valid_to_fy",
    "successor_code",
)


def org_units_frame(size: Size = "demo") -> pl.DataFrame:
    """The canonical `org_units` dataset (docs/architecture.md)."""
    return units_frame(size).select(ORG_COLUMNS)


def active_mask(units: pl.DataFrame, fy: int) -> pl.Series:
    """Which rows of `units` are valid in `fy` (the contract's validity rule)."""
    return (
        (units["valid_from_fy"] <= fy) & (units["valid_to_fy"].is_null() | (units["valid_to_fy"] >= fy))
    ).alias("active")
