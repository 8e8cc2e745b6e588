"""Every setting Heupwijzer reads from its environment: one typed object, read once per process.

The launcher (`heupwijzer run`) fills each server's environment from `.env` and its own options;
each process reads it here (`settings()`), and the modules get values, never the environment. This
is the one module that reads `os.environ`. `.env.example` lists and explains every field that is
not set by the launcher itself (tests/test_settings.py checks both ways).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from dotenv import dotenv_values
from pydantic import BaseSettings, Field, ValidationError, validator

DEFAULT_ACTION_MAX_BYTES = 4 * 1024 * 1024


def default_deduce_cache() -> str:
    return str(Path.home() / ".cache" / "heupwijzer" / "deduce")


class Settings(BaseSettings):
    """The variables, by field. An empty variable counts as not set (the launcher sets every
    variable .env.example lists, empty when not given)."""

    # The chat page and the widget
    cors_origins: str = Field("", env="HEUPWIJZER_CORS_ORIGINS")
    public_rasa_url: str = Field("", env="HEUPWIJZER_PUBLIC_RASA_URL")
    widget_storage: str = Field("session", env="HEUPWIJZER_WIDGET_STORAGE")
    rest_token: str = Field("", env="HEUPWIJZER_REST_TOKEN")
    # Privacy
    id_secret: str = Field("", env="HEUPWIJZER_ID_SECRET")
    action_token: str = Field("", env="HEUPWIJZER_ACTION_TOKEN")
    retention_days: str = Field("", env="HEUPWIJZER_RETENTION_DAYS")  # checked by heupwijzer.store.retention
    # The practice's insights page
    insights_password: str = Field("", env="HEUPWIJZER_INSIGHTS_PASSWORD")
    trusted_proxies: str = Field("", env="HEUPWIJZER_TRUSTED_PROXIES")
    # Operations: who may read /metrics (heupwijzer/observe/metrics.py)
    metrics_token: str = Field("", env="HEUPWIJZER_METRICS_TOKEN")
    log_format: str = Field("", env="HEUPWIJZER_LOG_FORMAT")  # json or text; empty: json in production
    # Production: PostgreSQL and Redis
    profile: str = Field("embedded", env="HEUPWIJZER_PROFILE")
    db_host: str = Field("", env="HEUPWIJZER_DB_HOST")
    db_port: str = Field("", env="HEUPWIJZER_DB_PORT")
    db_name: str = Field("", env="HEUPWIJZER_DB_NAME")
    db_user: str = Field("", env="HEUPWIJZER_DB_USER")
    db_password: str = Field("", env="HEUPWIJZER_DB_PASSWORD")
    redis_host: str = Field("127.0.0.1", env="HEUPWIJZER_REDIS_HOST")
    redis_port: int = Field(6379, env="HEUPWIJZER_REDIS_PORT")
    redis_db: int = Field(0, env="HEUPWIJZER_REDIS_DB")
    redis_password: str = Field("", env="HEUPWIJZER_REDIS_PASSWORD")
    # Channels (credentials.yml reads the same variables through Rasa)
    telegram_token: str = Field("", env="TELEGRAM_TOKEN")
    telegram_secret_token: str = Field("", env="TELEGRAM_SECRET_TOKEN")
    telegram_webhook_url: str = Field("", env="TELEGRAM_WEBHOOK_URL")
    telegram_api_base_url: str = Field("", env="TELEGRAM_API_BASE_URL")
    twilio_account_sid: str = Field("", env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("", env="TWILIO_AUTH_TOKEN")
    twilio_whatsapp_number: str = Field("", env="TWILIO_WHATSAPP_NUMBER")
    twilio_webhook_url: str = Field("", env="TWILIO_WEBHOOK_URL")
    twilio_api_base_url: str = Field("", env="TWILIO_API_BASE_URL")
    whatsapp_access_token: str = Field("", env="WHATSAPP_ACCESS_TOKEN")
    whatsapp_app_secret: str = Field("", env="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: str = Field("", env="WHATSAPP_VERIFY_TOKEN")
    whatsapp_phone_number_id: str = Field("", env="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_api_base_url: str = Field("", env="WHATSAPP_API_BASE_URL")
    # The practice's details: content/practice.yml, or another file, each overridable
    practice_file: str | None = Field(None, env="HEUPWIJZER_PRACTICE_FILE")
    practice_name: str | None = Field(None, env="HEUPWIJZER_PRACTICE_NAME", keep_empty=True)
    practice_phone: str | None = Field(None, env="HEUPWIJZER_PRACTICE_PHONE", keep_empty=True)
    practice_email: str | None = Field(None, env="HEUPWIJZER_PRACTICE_EMAIL", keep_empty=True)
    practice_booking_url: str | None = Field(None, env="HEUPWIJZER_PRACTICE_BOOKING_URL", keep_empty=True)
    practice_opening_hours: str | None = Field(None, env="HEUPWIJZER_PRACTICE_OPENING_HOURS", keep_empty=True)
    practice_address: str | None = Field(None, env="HEUPWIJZER_PRACTICE_ADDRESS", keep_empty=True)
    practice_colour: str | None = Field(None, env="HEUPWIJZER_PRACTICE_COLOUR", keep_empty=True)
    # The action server's limit on a request (the whole conversation travels with every call)
    action_max_bytes: int = Field(DEFAULT_ACTION_MAX_BYTES, env="HEUPWIJZER_ACTION_MAX_BYTES")
    # Set by the launcher for its servers (not in .env.example)
    actions_host: str = Field("127.0.0.1", env="SANIC_HOST", launcher=True)
    # Where deduce keeps its built lookup tables (a minute to build): per machine, like Rasa's
    # training cache, not per install. Set by the Makefile's user or the image, not in .env.example
    # (launcher=True keeps it out of that file's check).
    deduce_cache: str = Field(default_factory=default_deduce_cache, env="DEDUCE_CACHE_DIRECTORY", launcher=True)

    class Config:
        case_sensitive = True

    @validator("*", pre=True)
    def empty_means_not_set(cls, value: Any, field: Any) -> Any:  # noqa: N805  (pydantic's validator)
        """A practice detail set empty stays empty: the practice check then names it."""
        if field.field_info.extra.get("keep_empty"):
            return value
        return field.default if isinstance(value, str) and not value.strip() else value

    @property
    def production(self) -> bool:
        return self.profile.strip() == "production"

    @classmethod
    def variables(cls, launcher: bool | None = None) -> Dict[str, str]:
        """Field name -> its environment variable (only the launcher's own, or only the others)."""
        return {
            name: field.field_info.extra["env"]
            for name, field in cls.__fields__.items()
            if launcher is None or bool(field.field_info.extra.get("launcher")) == launcher
        }

    @classmethod
    def of(cls, environ: Mapping[str, str]) -> Settings:
        """The settings of a given environment (the launcher's plans, a test), not of this process."""
        given = {name: environ[env] for name, env in cls.variables().items() if env in environ}
        # pydantic converts the strings to the fields' types (its mypy plugin fails on mypy 2)
        return _Given(**given)  # type: ignore[arg-type]


def problems(environ: Mapping[str, str]) -> List[str]:
    """What is wrong with the settings of this environment, one line each naming the variable."""
    try:
        Settings.of(environ)
    except ValidationError as error:
        variables = Settings.variables()
        lines = []
        for problem in error.errors():
            variable = variables.get(str(problem["loc"][0]), str(problem["loc"][0]))
            expected = "geheel getal" if "integer" in problem["type"] else "geldige waarde"
            lines.append(f"{variable}={environ.get(variable, '')!r} is geen {expected}")
        return lines
    return []


class _Given(Settings):
    class Config:
        case_sensitive = True

        @classmethod
        def customise_sources(cls, init_settings: Any, env_settings: Any, file_secret_settings: Any) -> Tuple:
            return (init_settings,)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read once."""
    return Settings()  # type: ignore[call-arg]  # pydantic reads the fields from the environment


def environment() -> Dict[str, str]:
    """A copy of this process's environment: what the launcher hands down to its servers."""
    return dict(os.environ)


def apply(values: Mapping[str, str]) -> None:
    """Run this process with these variables (`heupwijzer purge` and `insights` do as the servers)."""
    os.environ.update(values)
    settings.cache_clear()


def read_env_file(path: Path | None) -> Dict[str, str]:
    """KEY=VALUE lines of a .env file (python-dotenv: comments, quotes and `export` understood; a
    `$` in a secret stays a `$`)."""
    if path is None or not path.is_file():
        return {}
    return {key: value or "" for key, value in dotenv_values(path, interpolate=False).items()}
