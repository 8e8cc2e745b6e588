"""The package's layers (pyproject.toml, [tool.importlinter]): a wrong import arrow fails `make lint`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from heupwijzer.paths import ROOT, VENV_BIN

LINT_IMPORTS = str(VENV_BIN / "lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=where, capture_output=True, text=True, check=False)


def test_the_layers_hold() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def copy_of_the_code(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    for name in ("heupwijzer", "actions", "tools"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "tests").mkdir()
    (copy / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_content_importing_the_server_breaks_the_layers(tmp_path: Path) -> None:
    copy = copy_of_the_code(tmp_path)
    content = copy / "heupwijzer" / "content.py"
    content.write_text(content.read_text() + "\nfrom heupwijzer.server import launch  # noqa\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "heupwijzer.content -> heupwijzer.server.launch" in done.stdout


def test_channels_importing_the_actions_breaks_the_layers(tmp_path: Path) -> None:
    copy = copy_of_the_code(tmp_path)
    rest = copy / "heupwijzer" / "channels" / "rest.py"
    rest.write_text(rest.read_text() + "\nimport actions.replies  # noqa\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "heupwijzer.channels.rest -> actions.replies" in done.stdout


def test_the_package_importing_a_tool_breaks_the_contract(tmp_path: Path) -> None:
    copy = copy_of_the_code(tmp_path)
    store = copy / "heupwijzer" / "store" / "retention.py"
    store.write_text(store.read_text() + "\nimport tools.bench  # noqa\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "heupwijzer.store.retention -> tools.bench" in done.stdout


def test_no_path_tricks_anywhere() -> None:
    tricks = ("sys" + ".path", "E" + "402")  # spelled apart so that this file does not hold them
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.split():
        text = (ROOT / name).read_text(encoding="utf-8")
        assert not [trick for trick in tricks if trick in text], name
