"""Survey intake hooks: label mapping, skipped answers, rejects, and the Glint export's privacy."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl

from hrmetrics.survey.intake import reshape_glint, reshape_survey_wide

SPEC = SimpleNamespace(dataset="survey")


def _items() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "wave": ["FY2024"] * 4,
            "item_id": ["Q1", "Q2", "Q3", "Q4"],
            "text": ["総合的に満足している", "上司は支援的だ", "推奨度", "休暇が取りやすい"],
            "dimension": ["総合", "上司", "総合", "働き方"],
            "scale_points": [5, 4, 11, 7],
            "reverse": [False] * 4,
            "role": ["outcome", "driver", "outcome", "driver"],
        }
    )


def _ctx(**ref: pl.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(config=None, lang="ja", reference={"survey_items": _items(), **ref})


def _wide() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "wave": ["令和6年度", "2024", "FY2024"],
            "respondent_id": ["a", "b", "c"],
            "unit_code": ["A", "A", "B"],
            "_source_file": ["s.csv"] * 3,
            "_source_row": [2, 3, 4],
            "Q1": ["そう思う", "", "わからない"],  # 5, skipped, unmappable
            "上司は支援的だ": [
                "ややそう思う",
                "４",
                "そう思わない",
            ],  # header = item text; 4-point: 3, 4, 1
            "推奨度": ["0", "10", "５"],  # 0–10 stored +1: 1, 11, 6
            "Q4": ["非常にそう思う", "どちらともいえない", "全くそう思わない"],  # 7-point: 7, 4, 1
            "備考": ["x", "y", "z"],  # unknown column
        }
    )


def _value(long: pl.DataFrame, rid: str, item: str) -> str | None:
    return long.filter(pl.col("respondent_id") == rid, pl.col("item_id") == item)["value"].item()


def test_labels_are_mapped_by_the_items_scale():
    long, _ = reshape_survey_wide(_wide(), SPEC, _ctx())
    assert _value(long, "a", "Q1") == "5"  # そう思う on 5 points
    assert _value(long, "a", "Q2") == "3"  # ややそう思う on 4 points (no middle)
    assert _value(long, "b", "Q2") == "4"  # full-width digit
    assert _value(long, "c", "Q2") == "1"
    assert [_value(long, r, "Q3") for r in "abc"] == ["1", "11", "6"]  # 0–10 shifted by one
    assert [_value(long, r, "Q4") for r in "abc"] == ["7", "4", "1"]
    assert long.columns == [
        "wave",
        "respondent_id",
        "unit_code",
        "item_id",
        "value",
        "item_text",
        "scale_points",
        "_source_file",
        "_source_row",
    ]
    assert set(long["wave"]) == {"FY2024"}
    assert long["item_text"].is_null().all() and long["scale_points"].is_null().all()  # master items


def test_blank_is_skipped_not_dropped():
    long, _ = reshape_survey_wide(_wide(), SPEC, _ctx())
    row = long.filter(pl.col("respondent_id") == "b", pl.col("item_id") == "Q1")
    assert row.height == 1 and row["value"].item() is None


def test_unknown_label_is_a_row_reject_and_unknown_column_a_notice():
    long, rej = reshape_survey_wide(_wide(), SPEC, _ctx())
    assert long.filter(pl.col("respondent_id") == "c", pl.col("item_id") == "Q1").height == 0
    bad = rej.filter(pl.col("rule") == "survey_label")
    assert bad.select("file", "row", "column", "value", "severity").rows() == [
        ("s.csv", 4, "Q1", "わからない", "error")
    ]
    notice = rej.filter(pl.col("rule") == "unknown_column")
    assert notice["column"].to_list() == ["備考"] and notice["severity"].to_list() == ["warning"]
    assert set(rej.columns) == {
        "dataset",
        "file",
        "row",
        "column",
        "value",
        "rule",
        "message",
        "severity",
    }


def test_without_a_master_items_are_derived_from_headers_and_labels_in_english():
    """No 設問マスタ: scale columns become items with ids from their text; a column most of whose
    answers fit no scale (Q1: そう思う, blank, わからない) is not an item, and said so."""
    from hrmetrics.survey.derive import item_id_for

    ctx = SimpleNamespace(config=None, lang="en", reference={})
    long, rej = reshape_survey_wide(_wide(), SPEC, ctx)
    derived = {r["item_text"]: r["scale_points"] for r in long.iter_rows(named=True)}
    assert derived == {"推奨度": "11", "Q4": "7"}  # 0–10; 7 points (ややそう思う elsewhere in the wave)
    q4 = long.filter(pl.col("item_text") == "Q4").sort("respondent_id")
    assert q4["item_id"].unique().to_list() == [item_id_for("Q4")]
    assert q4["value"].to_list() == ["7", "4", "1"]
    assert sorted(rej.filter(pl.col("rule") == "not_an_item")["column"]) == ["Q1", "上司は支援的だ", "備考"]
    assert "rating scale" in rej.filter(pl.col("rule") == "not_an_item")["message"][0]
    assert "2 items were derived" in rej.filter(pl.col("rule") == "derived_items")["message"].item()


def _glint() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "First Name": ["太郎", "花子", "次郎"],
            "Last Name": ["山田", "鈴木", "佐藤"],
            "Email": [
                "taro.yamada@city.example.jp",
                "hanako@city.example.jp",
                "jiro@city.example.jp",
            ],
            "Status": ["Active"] * 3,
            "Employee ID": ["E001", "E002", "E003"],
            "Manager ID": ["M9", "M9", "M9"],
            "Survey Cycle Completion Date": ["15-03-2025 10:30", "02-05-2024 09:00", ""],
            "Survey Cycle Sent Date": ["01-03-2025 09:00"] * 3,
            "総合的に満足している": ["5", "Agree", "3"],
            "総合的に満足している_COMMENT": ["課長の田中が嫌いです", "", ""],
            "総合的に満足している_COMMENT_TOPICS": ["Manager", "", ""],
            "総合的に満足している_SENSITIVE_COMMENT_FLAG": ["1", "0", "0"],
            "_source_file": ["glint_export.csv"] * 3,
            "_source_row": [2, 3, 4],
        }
    )


def test_glint_drops_names_emails_comments_everywhere(tmp_path):
    attrs = pl.DataFrame({"Employee ID": ["E001", "E002", "E003"], "unit_code": ["A", "B", "A"]})
    long, rej = reshape_glint(_glint(), SPEC, _ctx(glint_attributes=attrs))
    # 15-03-2025 is in FY2024 (Jan–Mar belong to the previous FY); 02-05-2024 is FY2024 too.
    assert long.select("respondent_id", "unit_code", "wave", "value").sort(
        "respondent_id"
    ).rows() == [("E001", "A", "FY2024", "5"), ("E002", "B", "FY2024", "4")]
    assert set(rej["rule"]) == {"glint_not_completed"}  # E003 has no completion date
    long.write_parquet(tmp_path / "long.parquet")
    long.write_csv(tmp_path / "long.csv")
    rej.write_csv(tmp_path / "rej.csv")
    blob = b"".join((tmp_path / f).read_bytes() for f in ("long.parquet", "long.csv", "rej.csv"))
    text = blob.decode("utf-8", errors="ignore") + repr(long.rows()) + repr(rej.rows())
    for secret in (
        "太郎",
        "山田",
        "花子",
        "鈴木",
        "佐藤",
        "taro.yamada",
        "@city.example.jp",
        "田中",
        "嫌い",
        "Manager",
        "M9",
    ):
        assert secret not in text
        assert secret.encode("utf-8") not in blob


def test_glint_unknown_employee_unit_is_rejected_without_personal_data():
    attrs = pl.DataFrame({"Employee ID": ["E002"], "unit_code": ["B"]})
    long, rej = reshape_glint(_glint(), SPEC, _ctx(glint_attributes=attrs))
    assert long["respondent_id"].to_list() == ["E002"]
    no_unit = rej.filter(pl.col("rule") == "glint_no_unit")
    assert no_unit["row"].to_list() == [2] and no_unit["value"].to_list() == [None]
