"""deploy/docker-compose.yml can't run here (no Docker daemon), so it must stay what the tests run:
the same launcher and profile, the same nginx template with the same variables as tests/harness/farm.py,
and no setting that .env.example doesn't explain."""

from __future__ import annotations

import re
from typing import Any, Dict, Set

import yaml

from heupwijzer.paths import ROOT
from tests.harness.farm import TEMPLATE, nginx_values

DEPLOY = ROOT / "deploy"
COMPOSE: Dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES: Dict[str, Any] = COMPOSE["services"]


def variables(text: str) -> Set[str]:
    return set(re.findall(r"\$\{(HEUPWIJZER_\w+)[^}]*\}", text))


def test_nginx_in_compose_renders_the_template_the_tests_render() -> None:
    nginx = SERVICES["nginx"]
    source, target = nginx["volumes"][0].split(":")[:2]
    assert (DEPLOY / source).resolve() == TEMPLATE
    assert target.startswith("/etc/nginx/templates/") and target.endswith(".template")
    used = variables(TEMPLATE.read_text())
    assert set(nginx["environment"]) == used == set(nginx_values(1, 2, ["r"], ["a"], "w"))
    for name in ("rasa1", "rasa2", "actions1", "actions2", "web"):
        assert any(value.startswith(f"{name}:") for value in nginx["environment"].values()), name


def test_instances_run_the_launcher_with_the_production_profile() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT [".venv/bin/heupwijzer", "run"' in dockerfile
    assert "make setup node_modules/.installed train REQUIREMENTS=requirements.txt" in dockerfile  # as `make run`
    for name, service in {"rasa1": "rasa", "rasa2": "rasa", "actions1": "actions", "actions2": "actions"}.items():
        assert SERVICES[name]["command"] == ["--services", service]
        assert SERVICES[name]["environment"]["HEUPWIJZER_PROFILE"] == "production"
        assert SERVICES[name]["env_file"] == "../.env"
    internal = SERVICES["nginx"]["environment"]["HEUPWIJZER_ACTIONS_PORT"]
    assert SERVICES["rasa1"]["environment"]["HEUPWIJZER_ACTION_URL"] == f"http://nginx:{internal}/webhook"
    assert {"healthcheck", "depends_on"} <= set(SERVICES["rasa1"])
    # compose waits for what the launcher waits for: the instance's readiness (model, store, Redis, actions)
    assert "http://127.0.0.1:5005/health/ready" in " ".join(SERVICES["rasa1"]["healthcheck"]["test"])
    assert all("healthcheck" in SERVICES[name] for name in ("actions1", "postgres", "redis"))


def test_every_setting_compose_reads_is_explained_in_env_example() -> None:
    explained = set(re.findall(r"^#?\s*(HEUPWIJZER_\w+)=", (ROOT / ".env.example").read_text(), re.M))
    read = variables((DEPLOY / "docker-compose.yml").read_text())
    assert read and read <= explained, read - explained
    for service in SERVICES.values():
        for key, value in dict(service.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET|TOKEN", key):
                assert str(value).startswith("${"), f"{key} is written in the compose file, not taken from .env"


def run_stage(dockerfile: str) -> str:
    return dockerfile.rsplit("\nFROM ", 1)[1]


def test_the_image_holds_neither_tests_nor_test_tools() -> None:
    stage = run_stage((DEPLOY / "Dockerfile").read_text())
    copied = [word for line in stage.splitlines() if line.startswith("COPY ") for word in line.split()[1:-1]]
    copied = [path.removeprefix("/app/") for path in copied if not path.startswith("--")]
    assert copied and not [path for path in copied if path.startswith(("tests", "tools")) or path == "."], copied
    assert "COPY . ." not in stage
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "locust", "mypy", "ruff", "py-spy", "import-linter"):
        assert f"\n{tool}==" not in runtime, f"{tool} is a development tool: requirements-dev.txt"
        assert f"\n{tool}==" in (ROOT / "requirements-dev.txt").read_text().lower(), tool


def test_the_image_has_every_file_the_servers_read() -> None:
    stage = run_stage((DEPLOY / "Dockerfile").read_text())
    copied = " ".join(line for line in stage.splitlines() if line.startswith("COPY "))
    needed = ["heupwijzer", "actions", "content", "data/nlu", "web", "domain.yml", "config.yml", "endpoints.yml",
              "credentials.yml", ".env.example", "deploy/endpoints.production.yml", "models/heupwijzer.tar.gz",
              "node_modules/rasa-webchat", "node_modules/@fontsource/inter/files", ".venv", "build"]  # fmt: skip
    for path in needed:
        assert f" {path}" in copied or f"/{path} " in copied, path


def test_the_image_keeps_the_deduce_tables_its_build_stage_built() -> None:
    """Without them every instance would build deduce's tables (a minute) at each start."""
    build, run = (DEPLOY / "Dockerfile").read_text().rsplit("\nFROM ", 1)
    for stage in (build, run):
        assert "DEDUCE_CACHE_DIRECTORY=/app/build/deduce" in stage
    assert "COPY --from=build /app/build build" in run
