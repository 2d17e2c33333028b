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


def _run(cluster, day: str, sources: list[str] = SOURCES) -> tuple[str, str]:
    run_id = cluster.trigger(DAG_ID, conf={"date": day, "sources": sources})
    return run_id, cluster.wait_for_run(DAG_ID, run_id, timeout_s=420)


def _archived_tries(cluster, run_id: str) -> list[tuple[int, str | None]]:
    from sqlalchemy import text

    from storage import make_engine

    engine = make_engine(cluster.meta_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT try_number, rendered_map_index FROM task_instance_history "
                    "WHERE run_id = :run AND task_id = 'crawl' ORDER BY try_number"
                ),
                {"run": run_id},
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


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

    # A transient cause (ichongqing's feed answers 500) is retried with backoff, labelled on every try.
    replay_server.faults["www.ichongqing.info/feed/"] = 500
    try:
        flaky, state = _run(cluster, "2024-03-05", ["ichongqing"])  # kjj_cq's last run stays the broken one
    finally:
        replay_server.faults.pop("www.ichongqing.info/feed/", None)
    assert state == "failed"
    (retried,) = [ti for ti in cluster.task_instances(DAG_ID, flaky) if ti["task_id"] == "crawl"]
    assert (retried["try_number"], retried["rendered_map_index"]) == (3, "ichongqing"), retried
    # the earlier tries, as archived (the REST API's tries omit the label: read Airflow's database)
    earlier = _archived_tries(cluster, flaky)
    assert earlier == [(1, "ichongqing"), (2, "ichongqing")], earlier

    _login(browser, cluster)

    # The failed task's log: the one-line report first, its cause below, no traceback.
    browser.get(f"{cluster.url}/dags/{DAG_ID}/runs/{quote(broken, safe=':+')}/tasks/crawl/mapped/{kjj['map_index']}")
    log = _wait_for(browser, lambda d: "permanent failure: not retried" in _body(d) and _body(d), 90, "the task's log")
    browser.save_screenshot(str(VAR / "operator-task-log-broken-source.png"))
    assert "answered HTTP 404" in log and "Traceback" not in log, log[-3000:]
    assert "permanent failure: not retried" in log

    # The digest asset's events: each extra starts with its readable summary.
    (asset,) = cluster.request("GET", "/api/v2/assets?name_pattern=policywatch_digest")["assets"]
    browser.get(f"{cluster.url}/assets/{asset['id']}")
    _wait_for(browser, lambda d: "Asset Events" in _body(d), 60, "the asset's events")
    browser.save_screenshot(str(VAR / "operator-asset-events.png"))
    # Airflow's UI folds each event's extra ({ … }); unfolded, its first key is the summary line
    events = cluster.request("GET", f"/api/v2/assets/events?asset_id={asset['id']}&order_by=-timestamp")
    extra = events["asset_events"][0]["extra"]
    assert next(iter(extra)) == "summary" and extra["summary"].startswith("digest 2024-03-05: "), extra
    assert extra["path"].endswith("2024-03-05.html") and extra["link"] == "/policywatch/digests/2024-03-05.html"

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
    for name in (
        "run-broken-source",
        "task-log-broken-source",
        "asset-events",
        "sources-page-in-ui",
        "sources-page",
        "digest-2024-03-05",
        "digest-2024-03-04",
    ):
        assert (VAR / f"operator-{name}.png").stat().st_size > 10_000
