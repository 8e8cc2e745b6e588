"""Where the project's files are: the one place that knows the checkout's layout.

The package is installed editable (`pip install -e .`, as `make` and the Dockerfile do), so the
project root is the folder above the package: content/, domain.yml, models/ and .state/ live there.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
DOMAIN = ROOT / "domain.yml"
NLU_DATA = ROOT / "data" / "nlu"
MODELS = ROOT / "models"
MODEL = MODELS / "heupwijzer.tar.gz"
BASELINE_MODEL = MODELS / "baseline.tar.gz"
BUILD = ROOT / "build"
SPACY_MODEL_FILE = BUILD / "spacy-model"
VENV_BIN = ROOT / ".venv" / "bin"
ENV_EXAMPLE = ROOT / ".env.example"
WEB = ROOT / "web"
REPORTS = ROOT / "reports"
