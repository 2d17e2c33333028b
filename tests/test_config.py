"""config/settings.py: settings from the environment, with bad values named."""

import pytest

from config import ConfigError, get_settings


def test_defaults_put_everything_under_var(monkeypatch, tmp_path):
    for name in (
        "POLICYWATCH_DATABASE_URL",
        "POLICYWATCH_VAR_DIR",
        "POLICYWATCH_REPLAY_URL",
        "POLICYWATCH_SUMMARY_SENTENCES",
        "POLICYWATCH_TIMEZONE",
        "POLICYWATCH_SOURCES_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLICYWATCH_HOME", str(tmp_path))
    settings = get_settings()
    assert settings.var_dir == tmp_path / "var"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}"
    assert settings.digest_dir == tmp_path / "var" / "digests"
    assert settings.replay_url is None
    assert settings.summary_sentences == 3
    assert str(settings.timezone) == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("POLICYWATCH_SUMMARY_SENTENCES", "many", "POLICYWATCH_SUMMARY_SENTENCES='many' is not an integer"),
        ("POLICYWATCH_SUMMARY_SENTENCES", "9", "POLICYWATCH_SUMMARY_SENTENCES=9 is outside 1..3"),
        ("POLICYWATCH_REPLAY_URL", "127.0.0.1:8765", "must start with http://"),
        ("POLICYWATCH_TIMEZONE", "Mars/Olympus", "not a known time zone"),
        (
            "POLICYWATCH_DIGEST_REQUIRE_REVIEW",
            "maybe",
            "POLICYWATCH_DIGEST_REQUIRE_REVIEW: 'maybe' is not true or false",
        ),
        ("POLICYWATCH_DIGEST_APPROVAL", "2", "POLICYWATCH_DIGEST_APPROVAL: '2' is not true or false"),
    ],
)
def test_bad_values_are_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_settings()


@pytest.mark.parametrize(
    ("value", "expected"), [("", False), ("true", True), ("Yes", True), ("0", False), ("OFF", False)]
)
def test_review_switches_read_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("POLICYWATCH_DIGEST_REQUIRE_REVIEW", value)
    monkeypatch.setenv("POLICYWATCH_DIGEST_APPROVAL", value)
    settings = get_settings()
    assert (settings.digest_require_review, settings.digest_approval) == (expected, expected)
