"""The package's layers (pyproject.toml, [tool.importlinter]): a wrong import arrow fails `make lint`."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Set

import pytest

from heupwijzer.paths import ROOT, VENV_BIN
from heupwijzer.stop_words import dutch_stop_words

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


@pytest.mark.parametrize(
    "module,wrong_import,arrow",
    [
        (
            "heupwijzer/content.py",
            "from heupwijzer.server import launch",
            "heupwijzer.content -> heupwijzer.server.launch",
        ),
        ("heupwijzer/channels/rest.py", "import actions.replies", "heupwijzer.channels.rest -> actions.replies"),
        ("heupwijzer/store/retention.py", "import tools.bench", "heupwijzer.store.retention -> tools.bench"),
    ],
    ids=["content imports the server", "channels import the actions", "the package imports a tool"],
)
def test_a_wrong_import_breaks_the_contract(tmp_path: Path, module: str, wrong_import: str, arrow: str) -> None:
    copy = copy_of_the_code(tmp_path)
    path = copy / module
    path.write_text(path.read_text() + f"\n{wrong_import}  # noqa\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert arrow in done.stdout


def test_no_path_tricks_anywhere() -> None:
    tricks = ("sys" + ".path", "E" + "402")  # spelled apart so that this file does not hold them
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.split():
        text = (ROOT / name).read_text(encoding="utf-8")
        assert not [trick for trick in tricks if trick in text], name


def heavy_imports(*modules: str) -> Set[str]:
    """Which of Rasa, TensorFlow, spaCy and thinc a fresh process imports along with these modules."""
    heavy = "{'rasa', 'tensorflow', 'spacy', 'thinc'}"
    code = f"import sys, {', '.join(modules)}\nprint(sorted({heavy} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(ast.literal_eval(result.stdout.strip()))


def test_the_action_server_and_the_insights_page_start_without_tensorflow() -> None:
    """Only Rasa needs TensorFlow: importing it (through spaCy, for a list of stop words) cost the
    action server 8 s of every start."""
    modules = ("actions.conversation", "heupwijzer.server.action_server", "heupwijzer.insights.report")
    assert heavy_imports(*modules) & {"tensorflow", "spacy", "thinc"} == set()


def test_the_dutch_stop_words_are_spacys() -> None:
    from spacy.lang.nl.stop_words import STOP_WORDS

    assert dutch_stop_words() == frozenset(STOP_WORDS) and "het" in dutch_stop_words()


def test_the_launcher_starts_without_rasa() -> None:
    """`heupwijzer run` and every test that starts it: Rasa's import alone is 2 CPU s."""
    assert heavy_imports("heupwijzer.server.launch") & {"rasa", "tensorflow"} == set()
