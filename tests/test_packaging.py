"""The editable folders must ship inside a normal (non-editable) install, not only in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    hatchling = Path(sys.executable).with_name("hatchling")
    subprocess.run([str(hatchling), "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    return next(out.glob("hrmetrics-*.whl"))


def test_wheel_carries_every_default_folder(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in ("pipelines", "expectations", "reports", "plans"):
        shipped = {n for n in names if n.startswith(f"hrmetrics/_defaults/{kind}/")}
        in_repo = {f"hrmetrics/_defaults/{kind}/{p.relative_to(ROOT / kind).as_posix()}"
                   for p in (ROOT / kind).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        assert in_repo, f"{kind}/ is empty in the repository"
        assert shipped == in_repo, kind
    assert "hrmetrics/fonts/ipaexg.ttf" in names
    assert "hrmetrics/py.typed" in names  # PEP 561: type checkers read the package's annotations


def test_installed_wheel_resolves_defaults_inside_the_package(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    code = (
        "import hrmetrics.resources as r;"
        "print(r.default_dir('pipelines'));"
        "print(r.resource_path('pipelines', 'overtime.toml'))"
    )
    proc = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(target)},
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    first, second = proc.stdout.splitlines()
    assert first == str(target / "hrmetrics" / "_defaults" / "pipelines")
    assert second.endswith("_defaults/pipelines/overtime.toml")
