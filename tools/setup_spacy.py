"""Make sure a Dutch spaCy pipeline is installed and record which one Rasa must use.

Usage: python tools/setup_spacy.py REQUESTED OUTPUT_FILE

REQUESTED is the value of HEUPWIJZER_SPACY_MODEL:
  nl_core_news_sm        the official small Dutch model (preferred). It lives on GitHub,
                         not on PyPI; when it cannot be installed we fall back (see below).
  nl_heupwijzer_offline  our offline fallback: spaCy's Dutch language data plus the lookup
                         lemmatizer from spacy-lookups-data, built locally and installed as
                         its own package. It never pretends to be nl_core_news_sm.

The effective pipeline name is written to OUTPUT_FILE (only when it changes, so that make
retrains only when the pipeline changes) and printed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from heupwijzer.settings import environment

OFFICIAL = "nl_core_news_sm"
OFFICIAL_VERSION = "3.4.0"
OFFICIAL_URL = environment().get(
    "HEUPWIJZER_SPACY_MODEL_URL",
    "https://github.com/explosion/spacy-models/releases/download/"
    f"{OFFICIAL}-{OFFICIAL_VERSION}/{OFFICIAL}-{OFFICIAL_VERSION}-py3-none-any.whl",
)
OFFLINE = "nl_heupwijzer_offline"
OFFLINE_VERSION = "3.4.0"
KNOWN = (OFFICIAL, OFFLINE)


def log(message: str) -> None:
    print(f"[heupwijzer:spacy] {message}", flush=True)


def is_installed(name: str) -> bool:
    """As spacy.util.is_package, without importing spaCy (which imports TensorFlow: 10 s)."""
    from importlib.metadata import PackageNotFoundError, distribution

    for candidate in (name, name.replace("_", "-")):
        try:
            distribution(candidate)
            return True
        except PackageNotFoundError:
            continue
    return False


def pip_install(*args: str, quiet_failure: bool = False) -> bool:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args]
    result = subprocess.run(command, check=False, capture_output=quiet_failure, text=True)
    if result.returncode != 0 and quiet_failure:
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        log(f"pip could not install it: {reason[:300]}")
    return result.returncode == 0


def reachable(url: str, timeout: float = 10) -> bool:
    """Whether the download location answers at all: pip takes some 20 s to give up on a name that
    does not resolve, and every `make` asks again while the offline pipeline is in use."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return True  # a file, a mirror with a login: pip knows how to read it, and decides
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return True  # it answered; pip reports what is wrong
    except Exception as error:
        log(f"not reachable: {type(error).__name__}")
        return False
    return True


def install_official() -> bool:
    if not reachable(OFFICIAL_URL):
        log(f"{OFFICIAL_URL} is not reachable")
        return False
    log(f"installing {OFFICIAL} {OFFICIAL_VERSION} from {OFFICIAL_URL}")
    ok = pip_install("--no-deps", "--timeout", "15", "--retries", "0", OFFICIAL_URL, quiet_failure=True)
    return ok and is_installed(OFFICIAL)


def build_offline() -> None:
    """Build the offline Dutch pipeline and install it as the package nl_heupwijzer_offline."""
    import spacy
    from spacy.cli.package import package

    log(f"building offline Dutch pipeline {OFFLINE} (spaCy 'nl' + lookup lemmatizer)")
    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the nl lemma lookup table from spacy-lookups-data
    nlp.meta.update(
        {
            "name": OFFLINE.split("_", 1)[1],
            "version": OFFLINE_VERSION,
            "description": "Heupwijzer offline fallback: spaCy Dutch tokenizer and lookup "
            "lemmatizer (spacy-lookups-data). Not nl_core_news_sm.",
            "author": "Heupwijzer",
            "license": "MIT",
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        source, dist = Path(tmp, "pipeline"), Path(tmp, "dist")
        dist.mkdir()
        nlp.to_disk(source)
        package(source, dist, create_meta=False, create_sdist=True, silent=True, force=True)
        sdists = sorted(dist.glob(f"{OFFLINE}-{OFFLINE_VERSION}/dist/*.tar.gz"))
        if not sdists or not pip_install("--no-deps", "--no-build-isolation", str(sdists[0])):
            raise SystemExit(f"ERROR: could not install the offline pipeline {OFFLINE}")


def resolve(requested: str) -> str:
    if requested not in KNOWN:
        raise SystemExit(f"ERROR: HEUPWIJZER_SPACY_MODEL={requested!r} is not supported; use one of {', '.join(KNOWN)}")
    if requested == OFFICIAL:
        if is_installed(OFFICIAL) or install_official():
            return OFFICIAL
        log(
            f"WARNING: {OFFICIAL} could not be installed (its download location is not reachable). "
            f"Falling back to the offline pipeline {OFFLINE}."
        )
    if not is_installed(OFFLINE):
        build_offline()
    return OFFLINE


def main() -> None:
    requested, output = sys.argv[1], Path(sys.argv[2])
    effective = resolve(requested)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not output.exists() or output.read_text().strip() != effective:
        output.write_text(effective + "\n")
    log(f"spaCy pipeline in use: {effective} (requested: {requested})")


if __name__ == "__main__":
    main()
