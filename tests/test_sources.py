"""config/sources.py: the registry is validated at load time, with the file, source and field named."""

from pathlib import Path

import pytest

from config import PACKAGE_DIR, RegistryError, load_registry

GOOD = """
[[sources]]
id = "kjj_cq"
name = "Chongqing S&T Bureau"
host = "kjj.cq.gov.cn"
language = "zh"
family = "trs"

[[sources.sections]]
name = "通知公告"
url = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_registry_is_valid():
    registry = load_registry(PACKAGE_DIR / "sources.toml")
    ids = [s.id for s in registry.enabled()]
    assert "kjj_cq" in ids and "ichongqing" in ids
    assert registry.get("kjj_cq").family == "trs"


def test_unknown_family_names_file_source_and_field(tmp_path):
    path = _write(tmp_path, GOOD.replace('family = "trs"', 'family = "joomla"'))
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message and "'kjj_cq'" in message and "'family'" in message


def test_unknown_key_is_refused(tmp_path):
    path = _write(tmp_path, GOOD.replace('language = "zh"', 'language = "zh"\nselector = "div"'))
    with pytest.raises(RegistryError, match=r"source 'kjj_cq', field 'selector': Extra inputs"):
        load_registry(path)


def test_wrong_type_is_refused(tmp_path):
    path = _write(tmp_path, GOOD.replace('language = "zh"', 'language = "zh"\ndownload_delay = "slow"'))
    with pytest.raises(RegistryError, match=r"field 'download_delay'"):
        load_registry(path)


def test_disabled_source_needs_a_reason(tmp_path):
    path = _write(tmp_path, GOOD.replace('family = "trs"', 'family = "trs"\nenabled = false'))
    with pytest.raises(RegistryError, match="disabled_reason"):
        load_registry(path)


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(_write(tmp_path, "[[sources]\n"))
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.toml")


def test_duplicate_ids_and_unknown_lookup(tmp_path):
    path = _write(tmp_path, GOOD + GOOD)
    with pytest.raises(RegistryError, match="declared twice"):
        load_registry(path)
    registry = load_registry(_write(tmp_path, GOOD))
    with pytest.raises(RegistryError, match="unknown source 'nope'"):
        registry.get("nope")


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("https://", "url 'https://' has no host"),
        ("https:///zwxx_176/index.html", "has no host"),
        ("https://www.cq.gov.cn/zwxx_176/index.html", "is on www.cq.gov.cn, not on the source's host kjj.cq.gov.cn"),
        ("https://kjj.cq.gov.cn.evil.example/x/", "not on the source's host kjj.cq.gov.cn"),
    ],
)
def test_section_url_without_host_or_on_another_host_is_refused(tmp_path, url, cause):
    """issue 13, finding 3: such a section was accepted and then silently skipped by the crawl."""
    path = _write(tmp_path, GOOD.replace("https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html", url))
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert "source 'kjj_cq', field 'sections'" in message and "sections[0] ('通知公告')" in message, message
    assert cause in message, message


def test_section_host_check_is_case_insensitive(tmp_path):
    path = _write(tmp_path, GOOD.replace("https://kjj.cq.gov.cn/", "https://KJJ.cq.gov.cn/"))
    assert load_registry(path).get("kjj_cq").sections[0].url.startswith("https://KJJ.")
