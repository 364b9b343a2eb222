"""The whole chain — load, KPIs, survey analysis, progress, reports — as one call.

`hrmetrics demo` and `hrmetrics run` are thin wrappers over `run()`; a notebook can call the
same function and get every intermediate table back in a `RunResult`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from hrmetrics.config import CONFIG_FILE, Config, find_config, with_overrides
from hrmetrics.errors import MissingPath, UserError
from hrmetrics.messages import message

if TYPE_CHECKING:
    from hrmetrics.intake import IntakeResult
    from hrmetrics.plans import Plan
    from hrmetrics.report.build import ReportPaths


@dataclass
class RunResult:
    """Everything one run produced, so a notebook can inspect any stage."""

    out_dir: Path
    intake: IntakeResult
    kpis: pl.DataFrame
    progress: pl.DataFrame | None
    survey: dict[str, Any] = field(default_factory=dict)
    report: ReportPaths | None = None
    publication: Any = None
    """The statutory publication of the latest fiscal year with pay or roster data (or None)."""

    @property
    def report_path(self) -> Path:
        return self.out_dir / "report" / "index.html"


class _Stages:
    """A rich progress display with one bar per stage (silent when not on a terminal run)."""

    def __init__(self, show: bool, lang: str) -> None:
        self.show = show
        self.lang = lang
        self._progress: Any = None

    def __enter__(self) -> _Stages:
        if self.show:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=False
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def stage(self, key: str) -> Iterator[None]:
        task = None
        if self._progress is not None:
            task = self._progress.add_task(message(f"stage.{key}", self.lang), total=1)
        yield
        if task is not None:
            self._progress.update(task, completed=1)


def _survey_tables(kpis: pl.DataFrame, datasets: dict[str, pl.LazyFrame], config: Config) -> dict[str, Any]:
    """Wave changes, drivers, reliability and the survey×HR link, when there is a survey."""
    if "survey" not in datasets:
        return {}
    from hrmetrics.survey import change, drivers, link
    from hrmetrics.survey.scores import survey_frames

    panel = link.survey_hr_panel(kpis)
    frames = survey_frames(datasets, config)
    items = frames[1] if frames is not None else None
    master = "survey_items" in datasets  # drivers and α need dimensions and roles: the master's
    return {
        "changes": change.wave_changes(kpis, config, source=datasets),
        "drivers": drivers.drivers(datasets, config) if master else None,
        "reliability": drivers.reliability(datasets, config) if master else None,
        "panel": panel,
        "association": _latest_association(panel),
        "items": None if items is None else items.select("wave", "item_id", "text", "dimension", "derived"),
    }


def _latest_association(panel: pl.DataFrame) -> dict[str, Any] | None:
    """Engagement vs overtime across divisions in the latest year only.

    Pooling every division-year would count the same division several times and overstate the
    certainty; one cross-section is what the scatter shows and what the interval is valid for.
    """
    from hrmetrics.survey import link

    if panel.is_empty():
        return None
    latest = panel.filter(pl.col("year") == pl.col("year").max())
    if latest.height < 3:
        return None
    return {**link.association(latest), "year": int(latest["year"][0])}


def run(
    data_dir: Path,
    out_dir: Path,
    plan: str | Path | Plan | None = None,
    config: Config | None = None,
    lang: str | None = None,
    show_progress: bool = False,
) -> RunResult:
    """Load every export in `data_dir` into `out_dir/store`, then compute and report everything."""
    from hrmetrics.intake import load_files
    from hrmetrics.kpis.engine import compute_kpis_audited
    from hrmetrics.plans import Plan, load_plan
    from hrmetrics.report.build import build_report
    from hrmetrics.store import Store

    config = config or find_config(Path(data_dir))
    lang = lang or config.lang
    if plan is not None and not isinstance(plan, Plan):  # a typo in the plan fails before the load
        plan = load_plan(plan, workspace=config.workspace)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _Stages(show_progress, lang) as stages:
        with stages.stage("load"):
            intake = load_files([Path(data_dir)], out_dir / "store", out_dir=out_dir, config=config,
                                lang=lang)
            require_files(intake, [data_dir])
            store = Store(out_dir / "store")
            datasets = store.datasets()
        with stages.stage("kpis"):
            kpis, account = compute_kpis_audited(datasets, config)
        with stages.stage("survey"):
            survey = _survey_tables(kpis, datasets, config)
        with stages.stage("progress"):
            progress, projections = _progress_and_projections(kpis, plan, config)
        with stages.stage("report"):
            report = build_report(
                out_dir, kpis, progress=progress, survey=survey or None,
                quality=intake.summary_frame(), rejects=intake.rejects, config=config, lang=lang,
                references=_references(config, lang), projections=projections, disclosure=account,
            )
        with stages.stage("publish"):
            result_publication = _publish_latest(kpis, progress, config, out_dir)
    result = RunResult(out_dir, intake, kpis, progress, survey, report, result_publication)
    if show_progress:
        from hrmetrics.console import print_run_summary

        print_run_summary(result, lang=lang)
    return result


def latest_publication_year(kpis: pl.DataFrame) -> int | None:
    """The fiscal year a yearly run publishes: the latest with pay data, else the latest roster."""
    for kpi in ("gender_pay_ratio", "female_staff_share"):
        years = kpis.filter(pl.col("kpi") == kpi)["year"].drop_nulls()
        if years.len():
            return int(years.max())  # type: ignore[arg-type]  # an Int column's max
    return None


def _publish_latest(kpis: pl.DataFrame, progress: pl.DataFrame | None, config: Config,
                    out_dir: Path) -> Any:
    """`OUT/publish/` (workbook, CSVs, HTML) for the latest year, and the page beside the report
    (`OUT/report/publication.html`)."""
    year = latest_publication_year(kpis)
    if year is None:
        return None
    from hrmetrics.publish import build_publication, write_publication
    from hrmetrics.publish.write import write_html

    pub = build_publication(kpis, year, config, progress)
    write_publication(pub, out_dir / "publish")
    write_html(pub, out_dir / "report" / "publication.html")
    return pub


def publish_command(year: int, out: Path, config: Config, plan: str | None = None,
                    kpis_file: Path | None = None, data_dir: Path | None = None,
                    store_dir: Path | None = None) -> list[Path]:
    """`hrmetrics publish --year FY2024 --out DIR`: the statutory publication of one fiscal year
    from a KPI table, a store or a data folder (progress too when a plan is given)."""
    from hrmetrics.publish import build_publication, write_publication

    kpis = _kpis_from(kpis_file, data_dir, store_dir, config)
    progress = _progress(kpis, plan, config) if plan else None
    pub = build_publication(kpis, year, config, progress)
    return write_publication(pub, out)


def _progress(kpis: pl.DataFrame, plan: str | Path | Plan | None, config: Config) -> pl.DataFrame | None:
    return _progress_and_projections(kpis, plan, config)[0]


def _progress_and_projections(
    kpis: pl.DataFrame, plan: str | Path | Plan | None, config: Config
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The progress table and, for the charts, each target's yearly projection band.

    The band is anchored at the latest actual value so it visibly starts where the data ends.
    """
    if plan is None:
        return None, None
    from hrmetrics.plans import Plan, load_plan
    from hrmetrics.progress import compute_progress, projection_frame

    loaded = plan if isinstance(plan, Plan) else load_plan(plan, workspace=config.workspace)
    progress = compute_progress(kpis, loaded, config)
    return progress, _anchor_bands(projection_frame(kpis, loaded, config), progress)


def _anchor_bands(bands: pl.DataFrame, progress: pl.DataFrame) -> pl.DataFrame:
    """Prepend, per KPI × unit, the latest actual as a zero-width band point."""
    if bands.is_empty():
        return bands
    last = (progress.filter(pl.col("actual").is_not_null()).sort("year")
            .group_by(["kpi", "breakdown", "unit_code"], maintain_order=True).last()
            .select("kpi", "breakdown", "unit_code", "year", pl.col("actual").alias("fitted")))
    anchors = last.with_columns(
        pl.col("fitted").alias(c) for c in ("pi80_low", "pi80_high", "pi95_low", "pi95_high")
    ).join(bands.select("kpi", "breakdown", "unit_code").unique(), on=["kpi", "breakdown", "unit_code"],
           nulls_equal=True)
    return pl.concat([anchors.select(bands.columns).cast(bands.schema), bands]).sort(
        ["kpi", "breakdown", "unit_code", "year"], nulls_last=True)


def _references(config: Config, lang: str) -> pl.DataFrame | None:
    """National reference values for the charts, unless the workspace turned them off."""
    if not config.national_reference:
        return None
    from hrmetrics.plans import references_frame

    return references_frame(config.workspace, lang)


def demo(out_dir: Path, lang: str = "ja", show_progress: bool = False, size: str | int = "demo") -> RunResult:
    """Generate the demo city (or N staff, `size=N`) into `out_dir/data` and run the whole chain."""
    from hrmetrics.demo.generator import generate_demo

    out_dir = Path(out_dir)
    data_dir = generate_demo(out_dir, size=size)
    config = with_overrides(find_config(data_dir), lang=lang)
    return run(data_dir, out_dir, plan="demo", config=config, lang=lang, show_progress=show_progress)


def kpis_command(data_dir: Path | None, store_dir: Path | None, out: Path, config: Config,
                 view: str = "restated") -> pl.DataFrame:
    """`hrmetrics kpis`: from a store, or from a data folder loaded into a temporary store."""
    from hrmetrics.kpis.engine import compute_kpis, write_kpis

    with _store_for(data_dir, store_dir, config) as store:
        table = compute_kpis(store, config, view=view)
    write_kpis(table, out)
    return table


def progress_command(plan: str, kpis_file: Path | None, data_dir: Path | None, store_dir: Path | None,
                     out: Path | None, config: Config) -> pl.DataFrame:
    """`hrmetrics progress`: the progress table printed and optionally written as CSV."""
    from hrmetrics.console import print_progress

    kpis = _kpis_from(kpis_file, data_dir, store_dir, config)
    table = _progress(kpis, plan, config)
    assert table is not None
    if out is not None:
        from hrmetrics.report.exports import write_csv

        write_csv(table, out)
    print_progress(table, lang=config.lang)
    return table


def require_files(intake: IntakeResult, paths: list[Path]) -> None:
    """An intake that found no file at all is the user's mistake (an empty or wrong folder), not
    a clean run: saying 'every row was accepted' of nothing would hide it."""
    if not intake.reports:
        raise UserError("no_input_files", paths=[str(p) for p in paths])


def _kpis_from(kpis_file: Path | None, data_dir: Path | None, store_dir: Path | None,
               config: Config) -> pl.DataFrame:
    """The KPI table a command reads: a saved table as it is, else computed from a store or a
    data folder (`--kpis`, `--store`, `--data`; one of them is required)."""
    from hrmetrics.kpis.engine import compute_kpis, read_kpis

    if kpis_file is not None:
        return read_kpis(kpis_file)
    if data_dir is None and store_dir is None:
        raise UserError("one_source", options="--kpis, --data, --store")
    with _store_for(data_dir, store_dir, config) as store:
        return compute_kpis(store, config)


@contextmanager
def _store_for(data_dir: Path | None, store_dir: Path | None, config: Config) -> Iterator[Any]:
    """A store to read: the given one, or a throwaway one loaded from a data folder."""
    from hrmetrics.store import Store

    if store_dir is not None:
        yield Store(store_dir)
        return
    from hrmetrics.intake import load_files

    assert data_dir is not None
    with tempfile.TemporaryDirectory(prefix="hrmetrics-") as tmp:
        intake = load_files([data_dir], Path(tmp) / "store", config=config, lang=config.lang)
        require_files(intake, [data_dir])
        yield Store(Path(tmp) / "store")


_STARTER_CONFIG = """\
# hrmetrics の設定 (workspace configuration)
[organisation]
name = "{name}"
name_en = "{name_en}"

[calendar]
# 年次休暇の集計年: "calendar" (暦年, 既定) または "fiscal" (年度)
leave_year = "calendar"

[workforce]
# 管理職とみなす職位 (section_chief = 課長級, deputy_director = 次長級, director = 部長級)
manager_grades = ["section_chief", "deputy_director", "director"]
# 職員定数 (例: organisation = 960)
quota = {{}}

[privacy]
# HR指標を表示する最小人数と、職員意識調査の最小回答者数 (3未満は不可)
min_group_hr = 3
min_group_survey = 5
# 職員番号の仮名化キー。空のままなら環境変数 HRMETRICS_PSEUDONYM_KEY を使います。
# pseudonym_key = ""

[report]
lang = "ja"
"""


def init_workspace(directory: Path, name: str = "○○市", name_en: str = "Our City") -> Path:
    """Create a starter workspace whose editable folders are copies of the packaged defaults."""
    from hrmetrics.resources import default_dir

    directory = Path(directory)
    if (directory / CONFIG_FILE).exists():
        raise UserError("workspace_exists", path=directory / CONFIG_FILE)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(_STARTER_CONFIG.format(name=name, name_en=name_en),
                                         encoding="utf-8")
    for kind in ("pipelines", "expectations", "reports"):
        shutil.copytree(default_dir(kind), directory / kind, dirs_exist_ok=True)
    shutil.copyfile(default_dir("plans") / "demo.toml", directory / "plan.toml")
    data = directory / "data"
    data.mkdir(exist_ok=True)
    (data / "README.txt").write_text(
        "このフォルダに人事・勤怠・職員意識調査・文書管理システムの出力ファイル (CSV/XLSX/Parquet) を置き、\n"
        f"  hrmetrics run --data {data} --plan {directory / 'plan.toml'} --out 出力先\n"
        "を実行してください。列名の対応は pipelines/*.toml で変更できます。\n",
        encoding="utf-8",
    )
    return directory


def audit_output(out_dir: str | Path, config: object | None = None) -> pl.DataFrame:
    """Re-run the audit on a finished output folder, from what was written there: the KPI table
    (kpis.parquet, else kpis.csv), the workspace settings and the questionnaire in its store.

    Everything else the folder publishes (progress, Excel, the report's chart data, packs) is
    built from that table after scrubbing, so it publishes no number the table does not."""
    from hrmetrics.disclosure import Context, questionnaire
    from hrmetrics.disclosure.audit import audit
    from hrmetrics.kpis.engine import read_kpis
    from hrmetrics.store import Store

    out_dir = Path(out_dir)
    source = next((p for p in (out_dir / "kpis.parquet", out_dir / "kpis.csv") if p.exists()), None)
    if source is None:
        raise MissingPath("no_kpi_table", path=out_dir)
    items = None
    store = out_dir / "store"
    if (store / "manifest.json").exists():
        st = Store(store)
        config = config or st.recorded_config()
        items = st.datasets().get("survey_items")
    config = config or find_config(out_dir)
    frame = items.collect() if isinstance(items, pl.LazyFrame) else items
    return audit(read_kpis(source), Context.from_config(config, questionnaire(frame)))
