"""`hrmetrics publish`: the statutory tables read the KPI table and the written files equal it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from hrmetrics.config import Config
from hrmetrics.kpis.engine import compute_kpis
from hrmetrics.publish import build_publication, write_publication
from hrmetrics.publish.model import parse_year
from hrmetrics.publish.tables import PAY_ROWS
from tests.kpi_fixtures import ORG_UNITS
from tests.test_kpis_publication import childcare, pay, roster

D = dt.date


def _pay_big() -> pl.DataFrame:
    """The small pay fixture plus enough people that permanent / other / all can be shown."""
    base = pay()
    extra = []
    uc, hired = "unit_chief", D(2022, 4, 1)
    for i in range(4):
        extra.append((f"PW{i}", 2024, "permanent", "staff", "female", D(2015, 4, 1), None, 4_500_000.0, None))
        extra.append((f"PM{i}", 2024, "permanent", "staff", "male", D(2015, 4, 1), None, 5_000_000.0, None))
        extra.append((f"OW{i}", 2024, "kaikei", "staff", "female", None, None, 1_500_000.0, None))
        extra.append((f"OM{i}", 2024, "kaikei", "staff", "male", None, None, 1_800_000.0, None))
        extra.append((f"UW{i}", 2024, "permanent", uc, "female", hired, None, 5_500_000.0, None))
        extra.append((f"UM{i}", 2024, "permanent", uc, "male", hired, None, 6_000_000.0, None))
    return pl.concat([base, pl.DataFrame(extra, schema=base.schema, orient="row")])


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[pl.DataFrame, Path, object]:
    cfg = Config(min_group_hr=3, pay_explanation="本市の差異は主に役職段階の構成による。")
    kpis = compute_kpis({"org_units": ORG_UNITS, "staff": roster(), "childcare": childcare(),
                         "pay": _pay_big()}, cfg)
    pub = build_publication(kpis, 2024, cfg, published="2025年6月")
    out = tmp_path_factory.mktemp("pub")
    write_publication(pub, out)
    return kpis, out, pub


def _kpi_value(kpis: pl.DataFrame, kpi: str, breakdown: str | None, period: str) -> float | None:
    bd = pl.col("breakdown").is_null() if breakdown is None else pl.col("breakdown") == breakdown
    f = kpis.filter((pl.col("kpi") == kpi) & (pl.col("unit_code") == "ORG") & (pl.col("period") == period)
                    & bd)
    return f["value"].item() if f.height else None


def test_workbook_cells_equal_the_kpi_table(published) -> None:
    kpis, out, pub = published
    book = out / "publication.xlsx"
    pay_sheet = pl.read_excel(book, sheet_name="給与の男女の差異", read_options={"header_row": 2})
    col = "男性の給与に対する女性の給与の割合（%）"
    rows = pay_sheet.select("項目", col).head(len(PAY_ROWS))
    assert rows[col].drop_nulls().len() >= 5   # permanent, other, all and some breakdowns shown
    for (label, value), (_, want, bd) in zip(rows.iter_rows(), PAY_ROWS, strict=True):
        assert label == want
        assert value == _kpi_value(kpis, "gender_pay_ratio", bd, "FY2024"), (label, bd)
    items = pl.read_excel(book, sheet_name="情報公表", read_options={"header_row": 2})
    assert items.height == pub.items.height
    for (value,), row in zip(items.select("値").iter_rows(), pub.items.iter_rows(named=True), strict=True):
        assert value == _kpi_value(kpis, row["kpi"], row["breakdown"], row["period"])
    basis = pl.read_excel(book, sheet_name="計算根拠", read_options={"header_row": 2})
    perm = basis.filter((pl.col("KPI") == "gender_pay_ratio") & (pl.col("breakdown") == "all"))
    row = kpis.filter((pl.col("kpi") == "gender_pay_ratio") & (pl.col("breakdown") == "all")).row(
        0, named=True)
    assert (perm["分子"].item(), perm["分母"].item()) == (row["numerator"], row["denominator"])


def test_hidden_pay_cells_are_blank_everywhere_with_the_reason(published) -> None:
    kpis, out, pub = published
    # `other` has 5 women and 6 men, `permanent|section_chief` no woman: the latter is hidden
    sc = pub.pay.filter(pl.col("breakdown") == "permanent|section_chief").row(0, named=True)
    assert sc["suppressed"] and sc["value"] is None and sc["note"].startswith("非表示")
    hidden = kpis.filter(pl.col("kpi").is_in(["pay_mean_female", "pay_mean_male"]) & pl.col("suppressed"))
    assert hidden.height > 0
    page = (out / "publication.html").read_text(encoding="utf-8")
    csv = (out / "給与の男女の差異.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    assert "本市の差異は主に役職段階の構成による。" in page
    basis = pl.read_csv(out / "計算根拠.csv", infer_schema_length=0)
    sc_rows = basis.filter(pl.col("breakdown") == "permanent|section_chief")
    numbers = sc_rows.select("値", "分子", "分母", "人数(n)")
    assert sc_rows.height == 1 and numbers.null_count().sum_horizontal().item() == 4


def test_publication_csv_rounds_to_one_decimal_and_lists_items(published) -> None:
    _, out, _ = published
    items = pl.read_csv(out / "情報公表.csv")
    share = items.filter(pl.col("項目") == "職員に占める女性職員の割合")["値"].item()
    assert share == round(400 / 9, 1)          # 4 women of 9 on the FY2024 roster
    male = items.filter((pl.col("項目") == "男女別の育児休業取得率") & (pl.col("内訳") == "男性"))
    assert male["値"].item() == 100.0


def test_year_spellings() -> None:
    assert parse_year("FY2024") == parse_year("令和6年度") == parse_year("2024") == 2024
    with pytest.raises(ValueError, match="年度"):
        parse_year("next year")


def test_cli_publish_from_a_kpi_file_with_a_plan(published, tmp_path) -> None:
    from click.testing import CliRunner

    from hrmetrics.cli import cli
    from hrmetrics.kpis.engine import write_kpis

    kpis, _, _ = published
    src = write_kpis(kpis, tmp_path / "kpis.parquet")
    plan = tmp_path / "plan.toml"
    plan.write_text("\n".join([
        "[plan]", 'name = "特定事業主行動計画"', 'organisation = "デモ市"',
        'source_document = "行動計画"', "", "[[targets]]", 'kpi = "male_childcare_leave_2w_share"',
        "baseline = 40.0", 'baseline_period = "FY2022"', "target = 85.0", 'target_period = "FY2030"',
        'comparator = ">="', 'source = "こども未来戦略"']) + "\n",
        encoding="utf-8")
    args = ["publish", "--year", "令和6年度", "--kpis", str(src), "--plan", str(plan)]
    res = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    status = pl.read_csv(tmp_path / "out" / "実施状況.csv")
    row = status.row(0, named=True)
    # the 2-week share of FY2024 is 50.0 (m3 and m5 of 4 births, test_kpis_publication)
    assert (row["区分"], row["数値目標"], row["最新値"], row["時期"]) == ("イ 両立", 85.0, 50.0, "FY2030")
    bad = CliRunner().invoke(cli, ["publish", "--year", "someday", "--kpis", str(src),
                                   "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "年度" in bad.output
