"""Shared fixtures.

`demo_run` runs the whole demo chain (`hrmetrics.workflow.demo`, ~40 s) ONCE per test session in
a temporary folder; `tests/test_e2e_demo.py` and `tests/test_e2e_cli.py` both read its outputs.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The RunResult of `hrmetrics demo` (Japanese) in a session-wide temporary folder."""
    from hrmetrics.workflow import demo

    out = tmp_path_factory.mktemp("e2e_demo")
    return demo(out, lang="ja")


@pytest.fixture(scope="session")
def demo_frames():
    """The generator's canonical demo frames (clean: the written files add 5 bad rows)."""
    from hrmetrics.demo.generator import build_demo_frames

    return build_demo_frames()
