"""deploy/docker-compose.yml can't run here (no Docker daemon), so it must stay what the tests run:
the same launcher and profile, the same nginx template with the same variables as scripts/farm.py,
and no setting that .env.example doesn't explain."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Set

import yaml

from scripts.farm import TEMPLATE, nginx_values

ROOT = Path(__file__).resolve().parent.parent
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
    assert 'ENTRYPOINT [".venv/bin/python", "scripts/launch.py"' in dockerfile
    assert "make setup node_modules/.installed train" in dockerfile  # as `make run` builds it
    for name, service in {"rasa1": "rasa", "rasa2": "rasa", "actions1": "actions", "actions2": "actions"}.items():
        assert SERVICES[name]["command"] == ["--services", service]
        assert SERVICES[name]["environment"]["HEUPWIJZER_PROFILE"] == "production"
        assert SERVICES[name]["env_file"] == "../.env"
    internal = SERVICES["nginx"]["environment"]["HEUPWIJZER_ACTIONS_PORT"]
    assert SERVICES["rasa1"]["environment"]["HEUPWIJZER_ACTION_URL"] == f"http://nginx:{internal}/webhook"
    assert {"healthcheck", "depends_on"} <= set(SERVICES["rasa1"])
    assert all("healthcheck" in SERVICES[name] for name in ("actions1", "postgres", "redis"))


def test_every_setting_compose_reads_is_explained_in_env_example() -> None:
    explained = set(re.findall(r"^#?\s*(HEUPWIJZER_\w+)=", (ROOT / ".env.example").read_text(), re.M))
    read = variables((DEPLOY / "docker-compose.yml").read_text())
    assert read and read <= explained, read - explained
    for service in SERVICES.values():
        for key, value in dict(service.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET|TOKEN", key):
                assert str(value).startswith("${"), f"{key} is written in the compose file, not taken from .env"
