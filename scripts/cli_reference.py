"""Write docs/cli.md from the commands' --help (run after changing a command or an option)."""

from pathlib import Path

from hrmetrics.cli import cli_reference

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    target.write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {target}")
