"""The dependency rules of DESIGN.md bite: lint-imports passes on the real tree and fails on a
copy that breaks them (a screen importing a driver; a codec importing the pipeline)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in ("kiosk", "fleet", "sim"):
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "fonts", "locale"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    return tmp_path


def add_module(tree: Path, relative: str, source: str) -> None:
    path = tree / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(tree).parents:
        init = tree / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text('"""Test package."""\n', encoding="utf-8")
    path.write_text(source, encoding="utf-8")


def test_real_tree_keeps_every_contract(tree_copy: Path) -> None:
    result = lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_screen_importing_a_driver_is_caught(tree_copy: Path) -> None:
    add_module(tree_copy, "kiosk/screens/sneaky.py",
               '"""A screen that reaches for hardware."""\nimport kiosk.devices.base\n')
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "Screens render snapshots" in result.stdout
    assert "kiosk.screens.sneaky -> kiosk.devices.base" in result.stdout


def test_codec_importing_the_pipeline_is_caught(tree_copy: Path) -> None:
    add_module(tree_copy, "kiosk/issuance/pipeline_probe.py", '"""Pipeline stand-in."""\n')
    add_module(tree_copy, "kiosk/devices/gizmo/codec.py",
               '"""An impure codec."""\nfrom kiosk.issuance import pipeline_probe\n')
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "Codecs are pure" in result.stdout
    assert "kiosk.devices.gizmo.codec -> kiosk.issuance" in result.stdout


def test_indirect_import_is_caught(tree_copy: Path) -> None:
    add_module(tree_copy, "kiosk/bridge.py",
               '"""Not forbidden itself, but it reaches a driver."""\nimport kiosk.devices.base\n')
    add_module(tree_copy, "kiosk/screens/innocent.py",
               '"""Looks innocent."""\nimport kiosk.bridge\n')
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "kiosk.screens.innocent -> kiosk.bridge" in result.stdout
    assert "kiosk.bridge -> kiosk.devices.base" in result.stdout
