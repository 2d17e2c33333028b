"""A source breaks, as an operator sees it in the Airflow UI (headless Debian Chromium over the
`airflow_cluster` deployment): a good day for kjj_cq, then a day on which its list pages answer 404.

The failed crawl task is labelled with its source; it fails on its first try and the run fails
within a minute of it (no retries for a cause that waiting will not heal); the run's note links the
digest; the Sources page (the policywatch plugin) shows the broken source with its reason, its last
good run and the digest. Screenshots are saved under var/ (fonts-noto-cjk: the digest's Chinese)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from conftest import ROOT
from test_airflow_ui import _wait_for, browser  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.slow, pytest.mark.airflow_cluster]

DAG_ID = "policywatch_daily"
SOURCES = ["kjj_cq", "ichongqing"]
LISTS = ["kjj.cq.gov.cn/zwxx_176/tzgg/index.html", "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index.html"]
VAR = ROOT / "var"


def _run(cluster, day: str) -> tuple[str, str]:
    run_id = cluster.trigger(DAG_ID, conf={"date": day, "sources": SOURCES})
    return run_id, cluster.wait_for_run(DAG_ID, run_id, timeout_s=420)


def _login(driver, cluster) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{cluster.url}/")
    _wait_for(
        driver, lambda d: "/auth/login" in d.current_url and d.find_elements(By.NAME, "username"), 60, "the login form"
    )
    driver.find_element(By.NAME, "username").send_keys("admin")
    driver.find_element(By.NAME, "password").send_keys(cluster.password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_for(driver, lambda d: "/auth/login" not in d.current_url, 60, "the home page after logging in")


def _body(driver) -> str:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except StaleElementReferenceException:
        return ""


def test_a_broken_source_fails_fast_and_the_operator_finds_why(airflow_cluster, replay_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    cluster = airflow_cluster
    VAR.mkdir(exist_ok=True)
    cluster.wait_until(
        lambda: any(d["dag_id"] == DAG_ID for d in cluster.request("GET", "/api/v2/dags")["dags"]),
        180,
        "the DAG to be parsed",
    )
    good, state = _run(cluster, "2024-03-04")
    assert state == "success", [
        (ti["task_id"], ti["rendered_map_index"], ti["state"]) for ti in cluster.task_instances(DAG_ID, good)
    ]

    replay_server.faults.update({path: 404 for path in LISTS})
    try:
        broken, state = _run(cluster, "2024-03-05")
    finally:
        for path in LISTS:
            replay_server.faults.pop(path, None)
    assert state == "failed"

    # The failed task carries its source's name, failed on its first try, and the run ended soon after.
    crawls = {ti["rendered_map_index"]: ti for ti in cluster.task_instances(DAG_ID, broken) if ti["task_id"] == "crawl"}
    assert set(crawls) == set(SOURCES), crawls.keys()
    kjj = crawls["kjj_cq"]
    assert (kjj["state"], kjj["try_number"]) == ("failed", 1), kjj
    assert crawls["ichongqing"]["state"] == "success"
    run = cluster.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(broken, safe='')}")
    crawl_failed = datetime.fromisoformat(kjj["end_date"])
    run_failed = datetime.fromisoformat(run["end_date"])
    print(f"crawl[kjj_cq] failed at {crawl_failed}, the run {(run_failed - crawl_failed).total_seconds():.1f} s later")
    assert (run_failed - crawl_failed).total_seconds() < 60
    assert "Digest of 2024-03-05" in (run.get("note") or ""), run.get("note")

    _login(browser, cluster)

    # The run's task instances: crawl [kjj_cq] failed, named by its source.
    browser.get(f"{cluster.url}/dags/{DAG_ID}/runs/{quote(broken, safe=':+')}")
    rows = _wait_for(
        browser,
        lambda d: (
            [r.text for r in d.find_elements(By.CSS_SELECTOR, "table tbody tr")] if "kjj_cq" in _body(d) else None
        ),
        90,
        "the run's task instances",
    )
    browser.save_screenshot(str(VAR / "operator-run-broken-source.png"))
    failed_rows = [r for r in rows if r.startswith("crawl\nkjj_cq")]
    assert failed_rows and "Failed" in failed_rows[0].split("\n"), rows

    # The Sources page, inside the UI (the plugin's navigation entry)...
    browser.get(f"{cluster.url}/plugin/policywatch-sources")
    _wait_for(browser, lambda d: d.find_elements(By.TAG_NAME, "iframe"), 60, "the Sources page's frame")
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    _wait_for(browser, lambda d: "source-kjj_cq" in d.page_source, 60, "the sources in the frame")
    browser.switch_to.default_content()
    browser.save_screenshot(str(VAR / "operator-sources-page-in-ui.png"))

    # ...and on its own: the broken source's reason, its last good run, the digest link.
    browser.get(f"{cluster.url}/policywatch/sources")
    row = _wait_for(browser, lambda d: d.find_elements(By.ID, "source-kjj_cq"), 60, "the kjj_cq row")[0]
    browser.save_screenshot(str(VAR / "operator-sources-page.png"))
    text = row.text
    assert "broken (permanent)" in text and f"list page https://{LISTS[0]} answered HTTP 404" in text, text
    last_good = row.find_element(By.CSS_SELECTOR, "td.last-good").text
    assert last_good.startswith("2024-03-04"), last_good
    digest = row.find_element(By.LINK_TEXT, "digest 2024-03-05")
    assert digest.get_attribute("href").endswith("/policywatch/digests/2024-03-05.html")
    browser.get(digest.get_attribute("href"))
    _wait_for(browser, lambda d: "2024-03-05" in _body(d), 60, "the digest")
    browser.save_screenshot(str(VAR / "operator-digest-2024-03-05.png"))
    # the good day's digest holds kjj_cq's Chinese notices (fonts-noto-cjk renders them)
    browser.get(f"{cluster.url}/policywatch/digests/2024-03-04.html")
    _wait_for(browser, lambda d: "2024-03-04" in _body(d), 60, "the good day's digest")
    browser.save_screenshot(str(VAR / "operator-digest-2024-03-04.png"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in _body(browser))
    for name in ("run-broken-source", "sources-page-in-ui", "sources-page", "digest-2024-03-05", "digest-2024-03-04"):
        assert (VAR / f"operator-{name}.png").stat().st_size > 10_000
