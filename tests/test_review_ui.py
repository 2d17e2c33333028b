"""The review app as an analyst and a viewer use it: headless Chromium (Debian's chromium and
chromedriver, as tests/test_airflow_ui.py drives them; skipped where they are missing) against
`uvicorn` serving review.create_app on SQLite and on PostgreSQL. The analyst logs in, approves one
summary with the keyboard, edits a second (the guard's flags are shown), rejects a third; the
digest made afterwards (`policywatch digest`) shows the edit and not the rejected one. A forged
POST without the CSRF token is refused, a <script> in a title stays text, a viewer cannot approve.
Screenshots (Chinese text) are saved under var/."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT
from test_airflow_ui import browser  # noqa: F401 - the same headless Chromium fixture
from typer.testing import CliRunner

from devtools.review_sample import SampleArticle, store_sample_day

pytestmark = pytest.mark.slow

DAY = date(2024, 3, 5)
PASSWORD = "correct horse battery"
SCRIPT_TITLE = '<script>document.title="owned"</script>中关村论坛开幕'
ARTICLES = [
    SampleArticle(
        "https://kjj.cq.gov.cn/ui/approve.html",
        "重庆市发布人工智能产业政策",
        "重庆市科技局发布人工智能产业发展政策，支持建设8个算力中心。政策自4月1日起施行。",
        "重庆市科技局发布人工智能产业发展政策，支持建设8个算力中心。",
        minute=40,
    ),
    SampleArticle(
        "https://kjj.cq.gov.cn/ui/edit.html",
        "重庆市启动青年科学家项目申报",
        "重庆市科技局启动2024年度青年科学家项目申报，资助金额最高50万元。申报截止日期为3月31日。",
        "重庆市科技局启动青年科学家项目申报。",
        minute=30,
    ),
    SampleArticle(
        "https://kjj.cq.gov.cn/ui/reject.html",
        "重庆市科技局召开党风廉政建设会议",
        "重庆市科技局召开党风廉政建设工作会议，部署全年工作。会议强调落实主体责任。",
        "重庆市科技局召开党风廉政建设工作会议。",
        minute=20,
    ),
    SampleArticle(
        "https://kjj.cq.gov.cn/ui/script.html",
        SCRIPT_TITLE,
        "2024中关村论坛在北京开幕，聚焦科技创新与国际合作。",
        "2024中关村论坛在北京开幕。",
        minute=10,
    ),
]
EDITED = "重庆市科技局启动2024年度青年科学家项目申报，资助最高80万元。"  # 80: not in the article


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def review_server(database_url, tmp_path, monkeypatch):
    """The review app on uvicorn in a thread, over a stored day; yields its base URL."""
    import uvicorn

    from review import ReviewSettings, create_app, hash_password
    from storage import add_user, session_scope

    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    store_sample_day(database_url, DAY, ARTICLES)
    hashed = hash_password(PASSWORD)
    with session_scope(database_url) as session:
        add_user(session, "ana", "analyst", hashed)
        add_user(session, "vic", "viewer", hashed)
    settings = ReviewSettings(database_url=database_url, secret="u" * 40, timezone=ZoneInfo("Asia/Shanghai"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait(driver, condition, what: str, timeout_s: float = 20):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:  # the page may be reloading after a form was sent
            value = condition(driver)
        except (StaleElementReferenceException, NoSuchElementException, AssertionError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    driver.save_screenshot(str(ROOT / "var" / "review-ui-failure.png"))
    raise TimeoutError(f"the review app did not show {what} (screenshot var/review-ui-failure.png)")


def _login(driver, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/?day={DAY.isoformat()}")
    _wait(driver, lambda d: "/login" in d.current_url and d.find_elements(By.NAME, "name"), "the login form")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".item"), "the queue after logging in")
    assert f"day={DAY.isoformat()}" in driver.current_url


def _item(driver, url: str):
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.CSS_SELECTOR, ".item"):
        if element.find_elements(By.CSS_SELECTOR, f'a[href="{url}"]'):
            return element
    raise AssertionError(f"no queue item links {url}")


def _status(driver, url: str) -> str:
    from selenium.webdriver.common.by import By

    return _item(driver, url).find_element(By.CSS_SELECTOR, ".status").text.lower()


def _forge_post(driver, summary_id: str, token: str | None) -> None:
    """Submit a decision form the page did not make (built by script, with or without a token)."""
    driver.execute_script(
        """
        const form = document.createElement("form");
        form.method = "post";
        form.action = arguments[0];
        const fields = {decision: "approve"};
        if (arguments[1]) fields.csrf_token = arguments[1];
        for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
        """,
        f"/summaries/{summary_id}/decision",
        token,
    )


def test_analyst_and_viewer_in_the_browser(review_server, browser, database_url, request):  # noqa: F811
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from policywatch.cli import app
    from storage import review_queue, session_scope

    base, driver = review_server, browser
    backend = request.node.callspec.params["database_url"]
    (ROOT / "var").mkdir(exist_ok=True)
    _login(driver, base, "ana")
    approve, edit, reject, script = (a.url for a in ARTICLES)

    # the <script> of a title is text: shown as typed, never run
    title = _item(driver, script).find_element(By.CSS_SELECTOR, "h2").text
    assert title == SCRIPT_TITLE and driver.title != "owned"

    # approve with the keyboard: click the item (it becomes current), press a
    _item(driver, approve).find_element(By.CSS_SELECTOR, ".meta").click()
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    _wait(driver, lambda d: "approved" in _status(d, approve), "the approved status")

    # edit: the guard flags the number the article does not state, and the edit is kept
    area = _item(driver, edit).find_element(By.CSS_SELECTOR, "form.edit textarea")
    area.clear()
    area.send_keys(EDITED)
    _item(driver, edit).find_element(By.CSS_SELECTOR, "form.edit button").click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "button.save-anyway"), "the guard's flags on the edit")
    assert "80" in driver.find_element(By.CSS_SELECTOR, ".error").text
    driver.save_screenshot(str(ROOT / "var" / f"review-ui-edit-flagged-{backend}.png"))
    driver.find_element(By.CSS_SELECTOR, "button.save-anyway").click()
    _wait(driver, lambda d: "edited" in _status(d, edit), "the edited status")
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert "the faithfulness guard flagged the edit" in flash and "80" in flash
    assert "flagged" in _item(driver, edit).find_element(By.CSS_SELECTOR, ".guard-flagged").text

    # reject with the keyboard: r goes to the reason, Enter sends it
    _item(driver, reject).find_element(By.CSS_SELECTOR, ".meta").click()
    driver.find_element(By.TAG_NAME, "body").send_keys("r")
    focused = driver.switch_to.active_element
    assert focused.get_attribute("name") == "reason"
    focused.send_keys("与科技政策无关", Keys.ENTER)
    _wait(driver, lambda d: "rejected" in _status(d, reject), "the rejected status")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(ROOT / "var" / f"review-ui-analyst-{backend}.png"))

    # a POST without the session's CSRF token is refused, and changes nothing
    script_id = _item(driver, script).get_attribute("data-summary")
    _forge_post(driver, script_id, None)
    _wait(driver, lambda d: "403" in d.find_element(By.TAG_NAME, "h1").text, "the 403 page")
    assert "CSRF" in driver.find_element(By.TAG_NAME, "body").text
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018

    with session_scope(database_url) as session:
        statuses = {i.url: i.status for i in review_queue(session, day=DAY, tz="Asia/Shanghai").items}
    assert statuses == {approve: "approved", edit: "edited", reject: "rejected", script: "unreviewed"}

    # the digest made now shows the edit, and not the rejected summary
    result = CliRunner().invoke(app, ["digest", "--date", DAY.isoformat(), "--format", "html"])
    assert result.exit_code == 0, result.output
    from config import get_settings

    digest = get_settings().digest_dir / f"{DAY.isoformat()}.html"
    html = digest.read_text(encoding="utf-8")
    assert EDITED in html and ARTICLES[0].summary in html
    assert ARTICLES[2].summary not in html and ARTICLES[1].summary not in html

    # a viewer reads the same queue, with no decision form and no key that decides
    driver.get(f"{base}/?day={DAY.isoformat()}")
    driver.find_element(By.CSS_SELECTOR, "header form button").click()
    _login(driver, base, "vic")
    assert not driver.find_elements(By.CSS_SELECTOR, "form.approve")
    _item(driver, script).find_element(By.CSS_SELECTOR, ".meta").click()
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    time.sleep(1)
    assert "unreviewed" in _status(driver, script)
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(ROOT / "var" / f"review-ui-viewer-{backend}.png"))
    token = driver.find_element(By.CSS_SELECTOR, "header input[name=csrf_token]").get_attribute("value")
    _forge_post(driver, script_id, token)  # with the viewer's own valid token
    _wait(driver, lambda d: "403" in d.find_element(By.TAG_NAME, "h1").text, "the viewer's 403 page")
    assert "viewer" in driver.find_element(By.TAG_NAME, "body").text
    with session_scope(database_url) as session:
        items = review_queue(session, day=DAY, tz="Asia/Shanghai", status="unreviewed").items
    assert [i.url for i in items] == [script]
