"""The bottom layer: run-time configuration and the source registry. Imports no other package
of the project, so every layer above may read it."""

from config.redact import redact, safe_url
from config.settings import (
    PACKAGE_DIR,
    SMTP_SECURITY,
    SUMMARIZER_BACKENDS,
    ConfigError,
    Settings,
    SmtpSettings,
    bool_env,
    get_settings,
)
from config.sources import (
    FAMILIES,
    Registry,
    RegistryError,
    Section,
    SourceConfig,
    SummaryConfig,
    UnknownSourceError,
    load_registry,
)

__all__ = [
    "FAMILIES",
    "PACKAGE_DIR",
    "SMTP_SECURITY",
    "SUMMARIZER_BACKENDS",
    "ConfigError",
    "Registry",
    "RegistryError",
    "Section",
    "Settings",
    "SmtpSettings",
    "SourceConfig",
    "SummaryConfig",
    "UnknownSourceError",
    "bool_env",
    "get_settings",
    "load_registry",
    "redact",
    "safe_url",
]
