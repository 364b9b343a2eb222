"""Where the editable folders (pipelines/, expectations/, reports/, plans/) are found.

A workspace may override any file; otherwise the defaults shipped in the package are used. In a
wheel they sit in `hrmetrics/_defaults/<kind>/`; in a source checkout (editable install) they are
the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

Kind = Literal["pipelines", "expectations", "reports", "plans"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_dir(kind: Kind) -> Path:
    """The packaged default folder for `kind`."""
    shipped = _PACKAGE_DIR / "_defaults" / kind
    if shipped.is_dir():
        return shipped
    checkout = _PACKAGE_DIR.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"hrmetrics の既定フォルダ {kind}/ が見つかりません (インストールが壊れています)")


def resource_path(kind: Kind, name: str, workspace: Path | None = None) -> Path:
    """Path of `name` in `kind`: the workspace's copy if it has one, else the default."""
    if workspace is not None:
        local = Path(workspace) / kind / name
        if local.exists():
            return local
    path = default_dir(kind) / name
    if not path.exists():
        raise FileNotFoundError(f"{kind}/{name} が見つかりません")
    return path


def list_resources(kind: Kind, pattern: str, workspace: Path | None = None) -> list[Path]:
    """All files matching `pattern`, workspace copies shadowing defaults of the same name."""
    found = {p.name: p for p in sorted(default_dir(kind).glob(pattern))}
    if workspace is not None and (Path(workspace) / kind).is_dir():
        found.update({p.name: p for p in sorted((Path(workspace) / kind).glob(pattern))})
    return [found[k] for k in sorted(found)]


def font_dir() -> Path:
    """Folder with the bundled Japanese font (IPAexGothic) for PNG/SVG rendering."""
    return _PACKAGE_DIR / "fonts"
