"""The `hrmetrics` command: each command is a thin call into the Python API.

Heavy modules are imported inside the commands so `hrmetrics --help` stays instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

LANG = click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="表示言語 / language")
CONFIG = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=None,
    help="hrmetrics.toml またはワークスペースのフォルダ",
)


DATA_HELP = "出力ファイルを置いたフォルダ (読み込んで一時ストアに入れます)"
STORE_HELP = "hrmetrics load で作ったストアのフォルダ"


def _config(config_path: Path | None, lang: str | None, data_dir: Path | None = None,
            store_dir: Path | None = None):
    """--config if given, else the workspace around the data folder, else the workspace that
    loaded the store, else the defaults — so a stricter privacy setting is never dropped."""
    from hrmetrics.config import Config, find_config, load_config, with_overrides

    if config_path is not None:
        config = load_config(config_path)
    elif data_dir is not None:
        config = find_config(data_dir)
    elif store_dir is not None:
        from hrmetrics.store import Store

        config = Store(store_dir).recorded_config()
    else:
        config = Config()
    return with_overrides(config, lang=lang)


def _existing(*paths: Path | None) -> None:
    """Every path the user named exists (checked here, not by click, so the message is in the
    chosen language like every other)."""
    from hrmetrics.errors import MissingPath

    for path in paths:
        if path is not None and not path.exists():
            raise MissingPath("path_missing", path=path)


def _one_of(**options: object) -> None:
    """Exactly one of these options was given."""
    from hrmetrics.errors import UserError

    if sum(v is not None for v in options.values()) != 1:
        raise UserError("one_source", options=", ".join(f"--{k}" for k in options))


def _suffix(path: Path | None, allowed: tuple[str, ...]) -> None:
    """An output file's type, checked before any work so a typo does not cost a whole run."""
    from hrmetrics.errors import UserError

    if path is not None and path.suffix.lower() not in allowed:
        raise UserError("bad_suffix", path=path.name, allowed=list(allowed))


def _require_files(result: object, paths: tuple[Path, ...]) -> None:
    from hrmetrics.workflow import require_files

    require_files(result, list(paths))  # type: ignore[arg-type]


def _data_dir(paths: tuple[Path, ...]) -> Path:
    """The folder whose workspace config applies to these inputs."""
    first = paths[0]
    return first if first.is_dir() else first.parent


class _Group(click.Group):
    """The command group, turning a failure into a message instead of a traceback.

    A bad plan, setting, spec or file is the user's to fix, so it ends with its sentence in the
    chosen language and exit code 2. `HRMETRICS_DEBUG=1` lets the traceback through for us.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["hrmetrics_argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("HRMETRICS_DEBUG"):
                raise
            click.echo(failure_text(exc, _argv_lang(ctx.meta.get("hrmetrics_argv", []))), err=True)
            ctx.exit(2)


def _argv_lang(argv: list[str]) -> str:
    """The --lang of the command line (the group fails before the command has parsed it)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "ja"
        if arg.startswith("--lang="):
            return "en" if arg.endswith("=en") else "ja"
    return "ja"


def failure_text(exc: BaseException, lang: str = "ja") -> str:
    """The sentence shown for a failed command: our own errors speak for themselves (in `lang`
    where they can); anything else is named by type, with the way to see the traceback."""
    from hrmetrics.console import visible
    from hrmetrics.messages import message

    speak = getattr(exc, "message", None)
    if callable(speak):
        text = str(speak(lang))
    elif isinstance(exc, (ValueError, OSError)):
        text = str(exc)
    else:
        text = message("unexpected_failure", lang, kind=type(exc).__name__, detail=exc)
    text = message("error_prefix", lang) + text
    return "\n".join(visible(line) for line in text.splitlines())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hrmetrics")
def cli() -> None:
    """hrmetrics — 職員の人事指標・職員意識調査の分析 (HR metrics for municipalities).

    Exit codes: 0 done; 1 some rows were rejected (validate, load) or a hidden group can be
    recovered (audit); 2 the command could not run (its message says why). Add --lang en to any
    command for English messages.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="rejects/ を書き出すフォルダ")
@CONFIG
@LANG
def validate(paths: tuple[Path, ...], out: Path | None, config_path: Path | None, lang: str | None) -> None:
    """Validate export files without storing them (exit 1 if any row is rejected)."""
    from hrmetrics.console import print_intake
    from hrmetrics.intake import validate_files

    _existing(*paths, config_path)
    config = _config(config_path, lang, _data_dir(paths))
    result = validate_files(list(paths), out_dir=out, config=config, lang=config.lang, show_progress=True)
    _require_files(result, paths)
    print_intake(result, lang=config.lang)
    sys.exit(0 if result.all_accepted else 1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(path_type=Path), required=True, help=STORE_HELP)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="rejects/ を書き出すフォルダ")
@CONFIG
@LANG
def load(paths: tuple[Path, ...], store_dir: Path, out: Path | None, config_path: Path | None,
         lang: str | None) -> None:
    """Validate export files and store the accepted rows."""
    from hrmetrics.console import print_intake
    from hrmetrics.intake import load_files

    _existing(*paths, config_path)
    config = _config(config_path, lang, _data_dir(paths))
    result = load_files(list(paths), store_dir, out_dir=out, config=config, lang=config.lang,
                        show_progress=True)
    _require_files(result, paths)
    print_intake(result, lang=config.lang)
    sys.exit(0 if result.all_accepted else 1)


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, help=STORE_HELP)
@click.option("--out", type=click.Path(path_type=Path), required=True, help=".csv または .parquet")
@click.option("--as-was", is_flag=True, help="組織改正前の所属のまま集計する (restate しない)")
@CONFIG
@LANG
def kpis(data_dir: Path | None, store_dir: Path | None, out: Path, as_was: bool,
         config_path: Path | None, lang: str | None) -> None:
    """Compute the long KPI table from a data folder or a store."""
    from hrmetrics.kpis.engine import KPI_SUFFIXES
    from hrmetrics.workflow import kpis_command

    _one_of(data=data_dir, store=store_dir)
    _existing(data_dir, store_dir, config_path)
    _suffix(out, KPI_SUFFIXES)
    config = _config(config_path, lang, data_dir, store_dir)
    kpis_command(data_dir=data_dir, store_dir=store_dir, out=out, config=config,
                 view="as_was" if as_was else "restated")


@cli.command()
@click.option("--plan", "plan", required=True, help="計画ファイル (TOML) またはプリセット名")
@click.option("--kpis", "kpis_file", type=click.Path(path_type=Path), default=None,
              help="hrmetrics kpis が書いた KPI 表 (.csv / .parquet)")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None, help=DATA_HELP)
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None, help=STORE_HELP)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="進捗表の出力先 (.csv)")
@CONFIG
@LANG
def progress(plan: str, kpis_file: Path | None, data_dir: Path | None, store_dir: Path | None,
             out: Path | None, config_path: Path | None, lang: str | None) -> None:
    """Progress against a plan: trajectory, gap, S/A/B rating and projection."""
    from hrmetrics.workflow import progress_command

    _one_of(kpis=kpis_file, data=data_dir, store=store_dir)
    _existing(kpis_file, data_dir, store_dir, config_path)
    _suffix(out, (".csv",))
    config = _config(config_path, lang, data_dir, store_dir)
    progress_command(plan=plan, kpis_file=kpis_file, data_dir=data_dir, store_dir=store_dir,
                     out=out, config=config)


@cli.command()
@click.argument("plan", required=False)
@CONFIG
@LANG
def plan(plan: str | None, config_path: Path | None, lang: str | None) -> None:
    """Show a plan (file or preset) with baselines, targets and sources; no argument lists presets."""
    from hrmetrics.plans import format_plan, list_presets, load_plan

    _existing(config_path)
    config = _config(config_path, lang)
    if plan is None:
        for name in list_presets(config.workspace):
            click.echo(name)
        return
    from hrmetrics.console import visible

    text = format_plan(load_plan(plan, workspace=config.workspace), lang=config.lang)
    click.echo("\n".join(visible(line) for line in text.splitlines()))  # plan text may hold ESC


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), required=True, help=DATA_HELP)
@click.option("--plan", "plan", default=None, help="計画ファイル (TOML) またはプリセット名")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="出力先フォルダ (store, 報告書, kpis.csv など)")
@CONFIG
@LANG
def run(data_dir: Path, plan: str | None, out: Path, config_path: Path | None, lang: str | None) -> None:
    """Whole chain for your own exports: load, KPIs, survey, progress, reports."""
    from hrmetrics.workflow import run as run_chain

    _existing(data_dir, config_path)
    config = _config(config_path, lang, data_dir)
    run_chain(data_dir, out, plan=plan, config=config, lang=config.lang, show_progress=True)


@cli.command()
@click.option("--year", "year_text", required=True, help="公表する年度 (FY2024 / 令和6年度 / 2024)")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--kpis", "kpis_file", type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--data", "data_dir", type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--store", "store_dir", type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--plan", "plan", default=None, help="特定事業主行動計画の計画ファイルまたはプリセット名")
@CONFIG
@LANG
def publish(year_text: str, out: Path, kpis_file: Path | None, data_dir: Path | None, store_dir: Path | None,
            plan: str | None, config_path: Path | None, lang: str | None) -> None:
    """Statutory publication (女性活躍推進法 §21 情報公表, 給与の男女の差異, 実施状況) for one FY."""
    from hrmetrics.publish.model import parse_year
    from hrmetrics.workflow import publish_command

    config = _config(config_path, lang, data_dir)
    year = parse_year(year_text, config.lang)
    paths = publish_command(year, out, config, plan=plan, kpis_file=kpis_file, data_dir=data_dir,
                            store_dir=store_dir)
    for p in paths:
        click.echo(str(p))


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("hrmetrics-demo"), show_default=True,
              help="出力先フォルダ")
@click.option("--staff", type=click.IntRange(300, 1_000_000), default=None,
              help="職員数 N (300〜1,000,000) の規模の組織を生成 (既定: みどり市 約1,200人) / "
                   "generate an organisation of N overtime-eligible staff")
@click.option("--generate-only", is_flag=True, help="データと設定だけを書き出す / write the workspace only")
@LANG
def demo(out: Path, staff: int | None, generate_only: bool, lang: str | None) -> None:
    """Generate the demo city (or an organisation of --staff N) and run the whole chain on it."""
    size = "demo" if staff is None else staff
    if generate_only:
        from hrmetrics.demo.generator import generate_demo

        click.echo(generate_demo(out, size=size))
        return
    from hrmetrics.workflow import demo as run_demo

    run_demo(out, lang=lang or "ja", show_progress=True, size=size)


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@CONFIG
@LANG
def audit(out: Path, config_path: Path | None, lang: str | None) -> None:
    """Attack a finished output folder as a reader would (exit 1 if any hidden group is recoverable)."""
    from hrmetrics.console import print_audit
    from hrmetrics.workflow import audit_output

    _existing(out, config_path)
    config = load_if(config_path, lang)
    results = audit_output(out, config)
    bad = print_audit(results, lang=(config.lang if config else lang) or "ja")
    sys.exit(1 if bad else 0)


def load_if(config_path: Path | None, lang: str | None):
    """--config when given (with --lang applied); otherwise None, so the folder's own settings apply."""
    if config_path is None:
        return None
    return _config(config_path, lang)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@LANG
def init(directory: Path, lang: str | None) -> None:
    """Create a starter workspace (config, plan, editable pipelines/expectations/reports)."""
    from hrmetrics.messages import message
    from hrmetrics.workflow import init_workspace

    path = init_workspace(directory)
    click.echo(message("workspace_created", lang or "ja", path=path))


def cli_reference() -> str:
    """docs/cli.md: the --help of the group and of every command, in order (a test keeps the
    file equal to this, so the reference cannot drift from the code)."""
    width = 100
    root = click.Context(cli, info_name="hrmetrics", terminal_width=width, max_content_width=width,
                         help_option_names=["-h", "--help"])
    parts = ["# Command reference", "",
             "Generated from `hrmetrics --help` by `python scripts/cli_reference.py`; "
             "`tests/test_cli.py` checks that it is current.", "",
             "## hrmetrics", "", "```text", cli.get_help(root), "```"]
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command is not None
        ctx = click.Context(command, info_name=name, parent=root, terminal_width=width,
                            max_content_width=width, help_option_names=["-h", "--help"])
        parts += ["", f"## hrmetrics {name}", "", "```text", command.get_help(ctx), "```"]
    return "\n".join(parts) + "\n"


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
