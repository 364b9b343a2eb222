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

LANGS: tuple[str, ...] = ("ja", "en")
"""Every entry has a text in each of these (tests/test_messages.py checks it)."""

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
    "config_projection_from": {
        "ja": "[projection] from は \"baseline\"・\"all\"・年度（例 \"FY2020\"）のいずれかです: {value!r}",
        "en": "[projection] from must be \"baseline\", \"all\" or a fiscal year "
              "such as \"FY2020\": {value!r}",
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
    "unknown_dataset.name_only": {
        "ja": "ファイル名が複数のデータ定義に一致し、見出しはどれの必須列も満たしません。",
        "en": "The file name matches several datasets and the headers satisfy none of them.",
    },
    "unknown_dataset.nothing": {
        "ja": "ファイル名にも見出しにも一致するデータ定義がありません。",
        "en": "Neither the file name nor the headers match a dataset.",
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
    # --- plan files (plans.py) ---------------------------------------------------------------------------
    "plan.bad_toml": {
        "ja": "{file}: TOML として読めません: {reason}",
        "en": "{file}: not valid TOML: {reason}",
    },
    "plan.no_plan_section": {
        "ja": "{file}: [plan] セクションがありません",
        "en": "{file}: the [plan] section is missing",
    },
    "plan.no_targets": {
        "ja": "{file}: [[targets]] が1件もありません",
        "en": "{file}: there is no [[targets]] entry",
    },
    "plan.missing_field": {
        "ja": "{file}: {where}: 必須項目「{field}」がありません",
        "en": "{file}: {where}: required field '{field}' is missing",
    },
    "plan.unknown_field": {
        "ja": "{file}: {where}: 不明な項目「{field}」があります（綴りを確認してください）",
        "en": "{file}: {where}: unknown field '{field}' (check the spelling)",
    },
    "plan.unknown_kpi": {
        "ja": "{file}: {where}: 不明なKPI ID「{kpi}」です（kpis/catalog.py にある ID "
        "を指定してください）",
        "en": "{file}: {where}: unknown KPI id '{kpi}' (use an id from kpis/catalog.py)",
    },
    "plan.bad_period": {
        "ja": "{file}: {where}: 期間「{value}」を解釈できません（例: FY2022, 令和4年度, 2024-04-01, "
        "2023）",
        "en": "{file}: {where}: cannot read the period '{value}' (e.g. FY2022, 2024-04-01, 2023)",
    },
    "plan.bad_number": {
        "ja": "{file}: {where}: 「{field}」は数値で指定してください（{value}）",
        "en": "{file}: {where}: '{field}' must be a number ({value})",
    },
    "plan.bad_comparator": {
        "ja": "{file}: {where}: comparator は '>=' か '<=' で指定してください（{value}）",
        "en": "{file}: {where}: comparator must be '>=' or '<=' ({value})",
    },
    "plan.comparator_direction": {
        "ja": "{file}: {where}: comparator「{comparator}」は KPI「{kpi}」の方向（{direction}）"
        "と矛盾します",
        "en": "{file}: {where}: comparator '{comparator}' contradicts the direction of KPI '{kpi}' "
        "({direction})",
    },
    "plan.target_before_baseline": {
        "ja": "{file}: {where}: 目標の期間 {target_period} が基準値の期間 {baseline_period} "
        "より後になっていません",
        "en": "{file}: {where}: the target period {target_period} is not after the baseline period "
        "{baseline_period}",
    },
    "plan.interim_outside": {
        "ja": "{file}: {where}: 中間目標の期間 {period} は基準値と目標の期間の間にありません",
        "en": "{file}: {where}: the interim period {period} is not between the baseline and target "
        "periods",
    },
    "plan.bad_rating": {
        "ja": "{file}: {where}: 評価の上書きは S / A / B のいずれかです（{value}）",
        "en": "{file}: {where}: a rating override must be S, A or B ({value})",
    },
    "plan.bad_status": {
        "ja": "{file}: {where}: status は \"set\" か \"target_not_set\" です（{value}）",
        "en": "{file}: {where}: status must be \"set\" or \"target_not_set\" ({value})",
    },
    "plan.bad_bool": {
        "ja": "{file}: {where}: 「{field}」は true / false で指定してください",
        "en": "{file}: {where}: '{field}' must be true or false",
    },
    # --- progress against a plan (progress.py) -----------------------------------------------------------
    "progress.suppressed": {
        "ja": "少人数のため秘匿（実績値は表示しません）",
        "en": "Suppressed (small group): no value shown",
    },
    "progress.override": {
        "ja": "評価は計画ファイルによる上書き: {reason}",
        "en": "Rating set in the plan file: {reason}",
    },
    "progress.window_fallback": {
        "ja": "基準年度以降の値が3点未満のため、全期間の値で傾向を推計しています",
        "en": "Fewer than 3 values since the baseline year, so the trend uses all history",
    },
    # --- KPI groups of the rating counts (progress.py) ---------------------------------------------------
    "kpi_group.overtime": {
        "ja": "時間外勤務",
        "en": "Overtime",
    },
    "kpi_group.leave": {
        "ja": "休暇",
        "en": "Leave",
    },
    "kpi_group.staff": {
        "ja": "職員構成・女性活躍",
        "en": "Workforce and women",
    },
    "kpi_group.childcare": {
        "ja": "育児休業",
        "en": "Childcare leave",
    },
    "kpi_group.approvals": {
        "ja": "決裁の電子化",
        "en": "E-approval",
    },
    "kpi_group.hires": {
        "ja": "採用",
        "en": "Recruitment",
    },
    "kpi_group.exam_applicants": {
        "ja": "採用試験",
        "en": "Recruitment exams",
    },
    "kpi_group.separations": {
        "ja": "離職",
        "en": "Separations",
    },
    "kpi_group.pay": {
        "ja": "給与の男女の差異",
        "en": "Gender pay gap",
    },
    "kpi_group.survey": {
        "ja": "職員意識調査",
        "en": "Staff survey",
    },
    # --- survey drivers (survey/drivers.py) --------------------------------------------------------------
    "drivers.fallback": {
        "ja": "回答者が{m}人未満のため、組織全体の要因分析を表示しています",
        "en": "Fewer than {m} respondents: the organisation's drivers are shown",
    },
    "drivers.few": {
        "ja": "完全回答者が少なく、重要度（回帰）は推定できません",
        "en": "Too few complete respondents to estimate importance (regression)",
    },
    # --- survey answers (survey/intake.py) ---------------------------------------------------------------
    "survey.survey_label": {
        "ja": "回答「{value}」を{k}段階の選択肢として読めません（"
        "1つの数値か選択肢の文言だけを書いてください。例: 5、そう思う、5:そう思う）",
        "en": "Answer '{value}' cannot be read as one of the {k} points (write one number or one "
        "label, e.g. 5, そう思う, 5:そう思う)",
    },
    "survey.unknown_column": {
        "ja": "設問マスタに該当する設問がない列です（取り込まれていません）",
        "en": "Column matches no item of survey_items (not taken in)",
    },
    "survey.unknown_wave": {
        "ja": "設問マスタにこの調査回の設問がありません",
        "en": "survey_items has no items for this wave",
    },
    "survey.no_items": {
        "ja": "設問マスタ（survey_items）が読み込まれていないため、回答を取り込めません",
        "en": "survey_items is not loaded, so the answers cannot be taken in",
    },
    "survey.glint_not_completed": {
        "ja": "回答完了日がない行（未回答者）は集計対象外です: {n}行",
        "en": "Rows without a completion date (non-respondents) are left out: {n} rows",
    },
    "survey.glint_no_unit": {
        "ja": "所属を特定できません（属性ファイルに該当する Employee ID がありません）",
        "en": "Unit unknown (Employee ID not in the attributes file)",
    },
    "survey.glint_no_id": {
        "ja": "Employee ID 列がありません",
        "en": "The export has no Employee ID column",
    },
    "survey.not_an_item": {
        "ja": "選択肢の尺度として読めない列のため設問として取り込みません（自由記述・属性などの列。"
              "氏名・メールは読み込み時に削除）",
        "en": "Column is not read as an item: its answers fit no rating scale (free text, attributes; "
              "names and e-mails are dropped at intake)",
    },
    "survey.derived_items": {
        "ja": "設問マスタがないため、見出しの設問文と回答の選択肢から{n}設問を推定しました"
              "（ワークスペースの survey_items.draft.csv を補ってください）",
        "en": "No item master for this wave: {n} items were derived from the question headers and the "
              "answer labels (complete survey_items.draft.csv in the workspace)",
    },
    "survey.unit_unresolved": {
        "ja": "所属「{value}」が組織マスタの所属コードにも所属名にも一致しません",
        "en": "Unit '{value}' matches no unit code or unit name of the organisation master",
    },
    "survey.attribute_dropped": {
        "ja": "属性列「{column}」は取り込みません（属性別の集計は、少人数の秘匿規則を属性にも当てはめる"
              "仕組みがないため行いません）",
        "en": "Attribute column '{column}' is not taken in (breakdowns by attribute are not made: the "
              "small-group rules are not applied to attributes)",
    },
    "survey.no_wave": {
        "ja": "調査回（年度）が分かりません。「調査回」列を加えるか、"
              "ファイル名に年度（例 令和6年度）を入れてください",
        "en": "The wave (fiscal year) is unknown: add a 調査回 column or put the fiscal year in the file "
              "name (e.g. 令和6年度, FY2024)",
    },
    "survey_no_unit_column": {
        "ja": "ファイル「{file}」に所属を示す列がありません（{columns} のいずれか。"
              "hrmetrics.toml の [survey] unit_column で指定できます）",
        "en": "File '{file}' has no unit column ({columns}; set [survey] unit_column in hrmetrics.toml)",
    },
    # --- plan display (plans.py) ---------------------------------------------------------------
    "unit.h": {"ja": "時間", "en": "h"},
    "unit.days": {"ja": "日", "en": "days"},
    "unit.%": {"ja": "%", "en": "%"},
    "unit.people": {"ja": "人", "en": "people"},
    "unit.score": {"ja": "点", "en": "score"},
    "unit.count": {"ja": "件", "en": "count"},
    "plan_label.plan": {"ja": "計画", "en": "Plan"},
    "plan_label.organisation": {"ja": "団体", "en": "Organisation"},
    "plan_label.source": {"ja": "出典", "en": "Source"},
    "plan_label.period": {"ja": "計画期間", "en": "Period"},
    "plan_label.as_written": {"ja": "計画の表記", "en": "As written"},
    "plan_label.whole_organisation": {"ja": "組織全体", "en": "organisation"},
    "plan_label.every_division": {"ja": "（各課にも適用）", "en": " (applied to every division)"},
    "plan_label.scope": {"ja": "対象", "en": "Scope"},
    "plan_label.baseline": {"ja": "基準値", "en": "Baseline"},
    "plan_label.published_actual": {"ja": "実績（計画記載）", "en": "Published actual"},
    "plan_label.target": {"ja": "目標値", "en": "Target"},
    "plan_label.target_not_set": {"ja": "目標未設定（後続計画で設定）", "en": "target not set"},
    "plan_label.interim": {"ja": "中間目標", "en": "Interim"},
    "plan_label.at_least": {"ja": "以上", "en": "or more"},
    "plan_label.at_most": {"ja": "以下", "en": "or less"},
    "plan_label.rating_override": {"ja": "評価（上書き）", "en": "Rating override"},
    "plan_label.note": {"ja": "注記", "en": "Note"},
    "direction.higher": {"ja": "高いほど良い", "en": "higher is better"},
    "direction.lower": {"ja": "低いほど良い", "en": "lower is better"},
    "direction.none": {"ja": "方向なし", "en": "no direction"},
    "kpi_group.total": {"ja": "計", "en": "Total"},
    # --- survey × HR link (survey/link.py) ----------------------------------------------------
    "link.note": {
        "ja": "所属（課）単位の集計値どうしの相関（生態学的相関）です。個々の職員についての関係や、"
        "因果関係を示すものではありません。",
        "en": "This is a correlation between divisions' aggregate figures (an ecological association). "
        "It is not evidence about individual staff, nor of cause and effect.",
    },
    "link.too_few": {
        "ja": " データが不足しているため算出できません（3所属以上が必要）。",
        "en": " Not enough data to compute (needs at least 3 units with variation).",
    },
    # --- the organisation master (orgs.py) ------------------------------------------------------
    "org_missing_columns": {
        "ja": "org_units に必要な列がありません: {missing}",
        "en": "org_units lacks required columns: {missing}",
    },
    "org_overlap": {
        "ja": "org_units: 同じ所属コードの有効期間が重複しています: {codes}",
        "en": "org_units: the validity periods of one unit code overlap: {codes}",
    },
    "org_unknown_successor": {
        "ja": "org_units: successor_code が組織マスタにありません: {codes}",
        "en": "org_units: successor codes not in the organisation master: {codes}",
    },
    "org_successor_loop": {
        "ja": "org_units: successor_code が循環しています",
        "en": "org_units: successor codes form a loop",
    },
    # --- stages of a run (workflow.py) ---------------------------------------------------------
    "stage.load": {"ja": "読込・検証", "en": "Load and validate"},
    "stage.validate": {"ja": "検証中", "en": "Validating"},
    "stage.kpis": {"ja": "KPI集計", "en": "KPI table"},
    "stage.survey": {"ja": "職員意識調査の分析", "en": "Survey analysis"},
    "stage.progress": {"ja": "計画の進捗", "en": "Plan progress"},
    "stage.report": {"ja": "報告書の作成", "en": "Reports"},
    # --- trend notes of a projection (projection.py) -----------------------------------------------------
    "trend.too_few_points": {
        "ja": "データ点が3点未満のため推計しません",
        "en": "Fewer than 3 data points: no projection",
    },
    "trend.moves_away": {
        "ja": "傾向線は目標から遠ざかる方向です（この傾向では到達年を示せません）",
        "en": "The trend moves away from the target (no year reached on this trend)",
    },
    "trend.flat": {
        "ja": "傾向線が横ばいのため到達年は求められません",
        "en": "The trend is flat: no year reached",
    },
    "stage.publish": {"ja": "法定の情報公表", "en": "Statutory publication"},
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


def both(code: str, **kw: Any) -> dict[str, str]:
    """The text of `code` in both languages, for a field of another message (rendered later in
    the language of that message, see `errors.UserError`)."""
    return {lang: message(code, lang, **kw) for lang in LANGS}


def register(code: str, ja: str, en: str) -> None:
    """Add or replace an entry (used by modules that own their own rule texts)."""
    MESSAGES[code] = {"ja": ja, "en": en}


def _fmt(value: Any) -> str:
    """Lists read better as 「a」, 「b」 than as Python reprs in user messages."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
