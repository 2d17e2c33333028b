"""The Airflow UI, as an operator sees it: headless Chromium (Debian's chromium and chromedriver,
installed by `make test` where missing) logs in to the api-server of the `airflow_cluster`
deployment and opens a finished policywatch_daily run: every task, each source by name, shows as
succeeded. A screenshot is saved under var/."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.airflow_cluster]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DAG_ID = "policywatch_daily"
SOURCES = ["kjj_cq", "ichongqing"]


@pytest.fixture
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian's chromium and chromium-driver are needed (make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # Without the background-networking flags Chromium's own connections fail here and stall it.
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1000",
    ):
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


def _finished_run(cluster) -> str:
    """A successful policywatch_daily run: one the Celery test left, else a new one."""
    runs = cluster.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"]
    done = [r["dag_run_id"] for r in runs if r["state"] == "success"]
    if done:
        return done[-1]
    cluster.wait_until(
        lambda: any(d["dag_id"] == DAG_ID for d in cluster.request("GET", "/api/v2/dags")["dags"]),
        180,
        "the DAG to be parsed",
    )
    run_id = cluster.trigger(DAG_ID, conf={"date": "2024-03-05", "sources": SOURCES})
    assert cluster.wait_for_run(DAG_ID, run_id, timeout_s=300) == "success"
    return run_id


def _wait_for(driver, condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition(driver)
        if value:
            return value
        time.sleep(0.5)
    driver.save_screenshot(str(ROOT / "var" / "airflow-ui-failure.png"))
    raise TimeoutError(f"the UI did not show {what} in {timeout_s:.0f} s (screenshot var/airflow-ui-failure.png)")


def test_a_finished_run_shows_every_task_succeeded(airflow_cluster, browser):
    from selenium.webdriver.common.by import By

    cluster = airflow_cluster
    run_id = _finished_run(cluster)
    expected = {(ti["task_id"], ti["rendered_map_index"] or "") for ti in cluster.task_instances(DAG_ID, run_id)}
    (ROOT / "var").mkdir(exist_ok=True)

    # Log in through the login form, as an operator would.
    browser.get(f"{cluster.url}/")
    _wait_for(
        browser, lambda d: "/auth/login" in d.current_url and d.find_elements(By.NAME, "username"), 60, "the login form"
    )
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(cluster.password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_for(browser, lambda d: "/auth/login" not in d.current_url, 60, "the home page after logging in")

    # The run's page lists its task instances: task, map index (the source), state.
    browser.get(f"{cluster.url}/dags/{DAG_ID}/runs/{quote(run_id, safe=':+')}")

    def task_rows(driver):
        from selenium.common.exceptions import StaleElementReferenceException

        try:  # the table re-renders while its data loads: read it whole, or try again
            rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")]
        except StaleElementReferenceException:
            return None
        return rows if len(rows) >= len(expected) else None

    rows = _wait_for(browser, task_rows, 90, f"the {len(expected)} task instances of {run_id}")
    page = browser.find_element(By.TAG_NAME, "body").text
    screenshot = ROOT / "var" / f"airflow-ui-{DAG_ID}-{re.sub(r'[^A-Za-z0-9_.-]', '_', run_id)}.png"
    browser.save_screenshot(str(screenshot))

    assert run_id in page and f"{len(expected)} Task Instances" in page
    shown = {}
    for row in rows:
        cells = row.split("\n")
        task_id = cells[0]
        source = cells[1] if task_id == "crawl" else ""
        shown[(task_id, source)] = row
    assert set(shown) == expected, rows
    for key, row in shown.items():
        assert "Success" in row.split("\n"), f"{key} is not shown as succeeded: {row!r}"
    assert {source for task, source in shown if task == "crawl"} >= set(SOURCES)
    assert screenshot.stat().st_size > 10_000
