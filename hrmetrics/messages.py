"""Japanese and English texts of refusals and parse rules.

One registry so that every user-facing sentence exists in both languages and the wording of a
rule lives in one place (the rejects table, the ledger and the reports all quote it).

Adding an entry: put ``"<code>": {"ja": "...", "en": "..."}`` in ``MESSAGES``. Templates use
``str.format`` fields (``{column}``, ``{value}``...); a missing field never raises — it is shown
as ``{field}`` so that a message is never lost because of a template slip. GX rule texts live in
the suite JSON ``meta`` (the validation module); ``register()`` lets other modules add entries at
import time without editing this file.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # --- the store (store.py, intake.py) ----------------------------------------------------
    "store_busy_wait": {
        "ja": "ストア「{store}」には別の読込が実行中です (プロセス {pid}、{host}、{since} から)。"
        "終わるまで待ってから読み込みます…",
        "en": "Another load is writing to store '{store}' (process {pid} on {host}, since {since}); "
        "waiting for it to finish…",
    },
    "grain_across_sheets": {
        "ja": "「{value}」はシート「{sheet}」の {row} 行目と同じキーです。同じブックの別シートに同じ行が"
        "あるため、こちらの行は取り込みません (先のシートの行を取り込みました)",
        "en": "'{value}' has the same key as row {row} of sheet '{sheet}' of this workbook; this row is "
        "rejected (the earlier sheet's row was kept)",
    },
    "successor_cycle": {
        "ja": "ファイル「{file}」: 統合先所属コード (successor_code) が循環しています: {cycle}。"
        "どの所属が最終的な統合先か決められないため、組織マスタ全体を取り込みません。",
        "en": "File '{file}': successor codes form a cycle: {cycle}. The final successor of these "
        "units cannot be decided, so the whole organisation file is refused.",
    },
    "unit_mapped_to_successor": {
        "ja": "所属コード「{value}」はこの時期には廃止済みのため、統合先「{successor}」に読み替えました",
        "en": "Unit code '{value}' was retired by then; the row was mapped to its successor '{successor}'",
    },
    # --- the command line and the workflow (cli.py, workflow.py) -----------------------------
    "path_missing": {
        "ja": "「{path}」が見つかりません",
        "en": "'{path}' does not exist",
    },
    "unknown_plan": {
        "ja": "計画「{name}」はファイルでもプリセットでもありません (プリセット: {presets})",
        "en": "Plan '{name}' is neither a file nor a preset (presets: {presets})",
    },
    "no_input_files": {
        "ja": "{paths} に読み込めるファイル (CSV・XLSX・Parquet) がありません。何も取り込んでいません",
        "en": "There is no file to read (CSV, XLSX or Parquet) in {paths}; nothing was loaded",
    },
    "one_source": {
        "ja": "{options} のどれか1つを指定してください",
        "en": "Give exactly one of {options}",
    },
    "bad_suffix": {
        "ja": "出力ファイル「{path}」の拡張子は {allowed} のどれかにしてください",
        "en": "The output file '{path}' must end in {allowed}",
    },
    "workspace_exists": {
        "ja": "{path} は既に存在します (上書きしません)。別のフォルダを指定してください",
        "en": "{path} already exists (it is not overwritten); choose another folder",
    },
    "workspace_created": {
        "ja": "ワークスペースを作成しました: {path}",
        "en": "Workspace created: {path}",
    },
    "no_kpi_table": {
        "ja": "{path} に kpis.parquet も kpis.csv もありません"
        " (hrmetrics run の出力フォルダを指定してください)",
        "en": "{path} holds neither kpis.parquet nor kpis.csv (give the output folder of hrmetrics run)",
    },
    "no_org_units": {
        "ja": "org_units（組織マスタ）がありません。KPIの集計には組織マスタが必要です。"
        "所属コード・所属名・上位所属コード・有効期間の列を持つファイルをデータフォルダに置いてください",
        "en": "There is no org_units file (the organisation master). KPIs need it: put a file with the "
        "unit code, unit name, parent code and validity columns in the data folder",
    },
    "bad_view": {
        "ja": "view は 'restated' か 'as_was' です: {view}",
        "en": "view is 'restated' or 'as_was': {view}",
    },
    "unexpected_failure": {
        "ja": "予期しないエラー ({kind}: {detail})。HRMETRICS_DEBUG=1 を付けて再実行すると詳細が出ます。",
        "en": "Unexpected error ({kind}: {detail}). Run again with HRMETRICS_DEBUG=1 for details.",
    },
    "error_prefix": {"ja": "エラー: ", "en": "Error: "},
    # --- the workspace settings (config.py) ---------------------------------------------------
    "config_bad_toml": {
        "ja": "{file} を TOML として読めません: {reason}",
        "en": "{file} is not valid TOML: {reason}",
    },
    "config_not_table": {
        "ja": "{file}: [{section}] はテーブルである必要があります",
        "en": "{file}: [{section}] must be a table",
    },
    "config_unknown_key": {
        "ja": "{file}: 不明な設定 [{section}] {key} (この節で使える設定: {known})",
        "en": "{file}: unknown setting [{section}] {key} (settings of this section: {known})",
    },
    "config_bad_grades": {
        "ja": "manager_grades に不明な職位があります: {unknown} (使用可能: {accepted})",
        "en": "manager_grades names unknown grades: {unknown} (accepted: {accepted})",
    },
    "config_min_group_survey": {
        "ja": "min_group_survey は 3 未満にできません (匿名性の下限): {value}",
        "en": "min_group_survey cannot be below 3 (the anonymity floor): {value}",
    },
    "config_min_group_hr": {
        "ja": "min_group_hr は 1 以上にしてください: {value}",
        "en": "min_group_hr must be 1 or more: {value}",
    },
    "config_protection_width": {
        "ja": "protection_width は 1 以上にしてください: {value}",
        "en": "protection_width must be 1 or more: {value}",
    },
    "config_year_window": {
        "ja": "[intake] last_year ({last}) が first_year ({first}) より前です",
        "en": "[intake] last_year ({last}) is before first_year ({first})",
    },
    "config_no_pseudonym_key": {
        "ja": "仮名化キーが設定されていません。hrmetrics.toml の [privacy] pseudonym_key か "
        "環境変数 HRMETRICS_PSEUDONYM_KEY を設定してください。",
        "en": "No pseudonymisation key is set: set [privacy] pseudonym_key in hrmetrics.toml or the "
        "environment variable HRMETRICS_PSEUDONYM_KEY.",
    },
    # --- refusals (whole file) -------------------------------------------------------------
    "empty_file": {
        "ja": "ファイル「{file}」は空です。",
        "en": "File '{file}' is empty.",
    },
    "no_data_rows": {
        "ja": "ファイル「{file}」{sheet}にデータ行がありません (見出し行のみ)。",
        "en": "File '{file}'{sheet} has no data rows (header only).",
    },
    "binary_file": {
        "ja": "ファイル「{file}」はテキスト (CSV) として読めません。"
        "バイナリ形式か、対応していない文字コードです。",
        "en": "File '{file}' cannot be read as text (CSV): it is binary or in an unsupported encoding.",
    },
    "unreadable_xlsx": {
        "ja": "Excel ファイル「{file}」を開けません (破損しているか、途中で切れています): {reason}",
        "en": "Cannot open Excel file '{file}' (corrupt or truncated): {reason}",
    },
    "unreadable_csv": {
        "ja": "CSV ファイル「{file}」を読めません (列数が行によって違う等): {reason}",
        "en": "Cannot read CSV file '{file}' (e.g. rows with differing numbers of fields): {reason}",
    },
    "unreadable_parquet": {
        "ja": "Parquet ファイル「{file}」を開けません: {reason}",
        "en": "Cannot open Parquet file '{file}': {reason}",
    },
    "unsupported_format": {
        "ja": "ファイル「{file}」の形式 ({suffix}) には対応していません。"
        "CSV・XLSX・Parquet を使ってください。",
        "en": "File '{file}' has an unsupported format ({suffix}); use CSV, XLSX or Parquet.",
    },
    "unknown_dataset": {
        "ja": "ファイル「{file}」がどのデータか判定できません。{reason} 候補: {candidates}",
        "en": "Cannot tell which dataset file '{file}' is. {reason} Candidates: {candidates}",
    },
    "missing_columns": {
        "ja": "ファイル「{file}」({dataset}) に必須の列がありません: {missing}。見つかった見出し: {found}",
        "en": "File '{file}' ({dataset}) lacks required columns: {missing}. Headers found: {found}",
    },
    "bad_delimiter": {
        "ja": "ファイル「{file}」の区切り文字が正しくないようです (見出しが1列「{header}」に読めました)。"
        "カンマ区切りかタブ区切りで保存してください。",
        "en": "File '{file}' seems to use a wrong delimiter (the header read as one column '{header}'). "
        "Save it comma- or tab-separated.",
    },
    "duplicate_columns": {
        "ja": "ファイル「{file}」で同じ列に対応する見出しが複数あります: {columns}",
        "en": "File '{file}' has several headers for the same column: {columns}",
    },
    "duplicate_header": {
        "ja": "ファイル「{file}」に同じ見出しの列が複数あります: {columns}。"
        "どちらの列を使うか決められないため、ファイル全体を取り込みません。列名を直してください。",
        "en": "File '{file}' has several columns with the same header: {columns}. Which one holds "
        "the data cannot be decided, so the whole file is refused; rename the columns.",
    },
    "ambiguous_dataset": {
        "ja": "ファイル「{file}」の見出しは複数のデータ定義を満たします: {candidates}。"
        "どれとして読むか推測しません。ファイル名にデータ名 (例: {examples}) を含めてください。",
        "en": "The headers of file '{file}' satisfy several datasets: {candidates}. Rather than "
        "guess, hrmetrics refuses it; put the dataset in the file name (e.g. {examples}).",
    },
    "parquet_nested_column": {
        "ja": "Parquet ファイル「{file}」にリストや構造体の列があります: {columns}。"
        "1つのセルに1つの値を入れてください。",
        "en": "Parquet file '{file}' has list or struct columns: {columns}. Each cell must hold one value.",
    },
    "parquet_bad_bytes": {
        "ja": "Parquet ファイル「{file}」の列「{column}」の {row} 行目に"
        " UTF-8 として読めないバイト列があります。",
        "en": "Parquet file '{file}', column '{column}', row {row} holds bytes that are not UTF-8 text.",
    },
    "unreadable_file": {
        "ja": "ファイル「{file}」を読めません: {reason}",
        "en": "Cannot read file '{file}': {reason}",
    },
    "unexpected_error": {
        "ja": "ファイル「{file}」の処理中に想定外のエラーが起きたため、このファイルは取り込みません"
        " ({reason})。他のファイルの処理は続けました。",
        "en": "An unexpected error occurred while processing file '{file}', so it was not taken in "
        "({reason}). The other files were processed.",
    },
    "unknown_reshape": {
        "ja": "データ定義「{dataset}」の reshape「{reshape}」は登録されていません。",
        "en": "Reshape hook '{reshape}' of dataset '{dataset}' is not registered.",
    },
    "bad_spec": {
        "ja": "データ定義ファイル「{file}」のキー「{key}」が不正です: {reason}",
        "en": "Pipeline spec '{file}', key '{key}' is invalid: {reason}",
    },
    # --- parse rules (one row rejected) ----------------------------------------------------
    "type_id": {
        "ja": "「{column}」の値「{value}」をIDとして読めません",
        "en": "Cannot read '{value}' in '{column}' as an id",
    },
    "type_code": {
        "ja": "「{column}」の値「{value}」をコードとして読めません",
        "en": "Cannot read '{value}' in '{column}' as a code",
    },
    "type_text": {
        "ja": "「{column}」の値「{value}」を文字列として読めません",
        "en": "Cannot read '{value}' in '{column}' as text",
    },
    "type_int": {
        "ja": "「{column}」の値「{value}」を整数として読めません",
        "en": "Cannot read '{value}' in '{column}' as a whole number",
    },
    "type_number": {
        "ja": "「{column}」の値「{value}」を数値として読めません",
        "en": "Cannot read '{value}' in '{column}' as a number",
    },
    "type_hours": {
        "ja": "「{column}」の値「{value}」を数値として読めません",
        "en": "Cannot read '{value}' in '{column}' as a number (hours as 12.5 or 12:30)",
    },
    "type_month": {
        "ja": "「{column}」の値「{value}」を年月として読めません (例: 2024-04、令和6年4月、R6.4)",
        "en": "Cannot read '{value}' in '{column}' as a month (e.g. 2024-04, 令和6年4月, R6.4)",
    },
    "type_date": {
        "ja": "「{column}」の値「{value}」を日付として読めません (例: 2024-04-01、令和6年4月1日)",
        "en": "Cannot read '{value}' in '{column}' as a date (e.g. 2024-04-01, 令和6年4月1日)",
    },
    "type_year": {
        "ja": "「{column}」の値「{value}」を年として読めません (例: 2024、令和6年)",
        "en": "Cannot read '{value}' in '{column}' as a year (e.g. 2024, 令和6年)",
    },
    "type_fiscal_year": {
        "ja": "「{column}」の値「{value}」を年度として読めません (例: 2024、令和6年度、FY2024)",
        "en": "Cannot read '{value}' in '{column}' as a fiscal year (e.g. 2024, 令和6年度, FY2024)",
    },
    "type_wave": {
        "ja": "「{column}」の値「{value}」を調査回として読めません",
        "en": "Cannot read '{value}' in '{column}' as a survey wave",
    },
    "type_bool": {
        "ja": "「{column}」の値「{value}」を真偽値として読めません (1/0、○/×、有/無、はい/いいえ)",
        "en": "Cannot read '{value}' in '{column}' as yes/no (1/0, ○/×, 有/無, yes/no)",
    },
    "category": {
        "ja": "「{column}」の値「{value}」は使用できる値ではありません (使用可能: {accepted})",
        "en": "'{value}' is not an accepted value of '{column}' (accepted: {accepted})",
    },
    "year_window": {
        "ja": "「{column}」の値「{value}」は想定する期間 ({first}年〜{last}年) の外です"
        " (hrmetrics.toml の [intake] first_year / last_year で変更できます)",
        "en": "'{value}' in '{column}' is outside the plausible years {first}–{last}"
        " (set [intake] first_year / last_year in hrmetrics.toml to change them)",
    },
    "stripped_characters": {
        "ja": "「{column}」の値から制御文字・書式文字を取り除き、「{value}」として読みました",
        "en": "Control or format characters were removed from the value in '{column}'; read as '{value}'",
    },
    "ignored_columns": {
        "ja": "次の列はデータ定義にないため読み込みませんでした: {columns}",
        "en": "These columns are not in the dataset definition and were not loaded: {columns}",
    },
}


class _Keep(dict):
    """format_map helper: unknown fields stay visible as ``{name}`` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(code: str, lang: str = "ja", **kw: Any) -> str:
    """The text of `code` in `lang` (falls back to Japanese, then to the code itself)."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code if not kw else f"{code}: {kw}"
    template = entry.get(lang) or entry["ja"]
    return template.format_map(_Keep({k: _fmt(v) for k, v in kw.items()}))


def register(code: str, ja: str, en: str) -> None:
    """Add or replace an entry (used by modules that own their own rule texts)."""
    MESSAGES[code] = {"ja": ja, "en": en}


def _fmt(value: Any) -> str:
    """Lists read better as 「a」, 「b」 than as Python reprs in user messages."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
