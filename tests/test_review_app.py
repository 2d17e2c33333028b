"""The review app (review/) through FastAPI's TestClient, on SQLite and PostgreSQL: login, the
session, CSRF, the login rate limit, roles, escaping of scraped text, and decisions stored
append-only (an edit with the guard's flags)."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from devtools.review_sample import SampleArticle, store_sample_day

DAY = date(2024, 3, 5)
PASSWORD = "correct horse battery"
SECRET = "s" * 40
SCRIPT = '<script>alert("owned")</script>'
ARTICLES = [
    SampleArticle(
        "https://kjj.cq.gov.cn/a/1.html",
        "重庆市支持12家人工智能实验室",
        "重庆市科技局决定支持12家实验室开展人工智能研究。申报截止时间为3月31日。",
        "重庆市科技局决定支持12家实验室开展人工智能研究。",
        minute=30,
    ),
    SampleArticle(
        "https://kjj.cq.gov.cn/a/2.html",
        f"Title {SCRIPT} here",
        f"Body <img src=x onerror=alert(1)> and {SCRIPT}.",
        "Body text.",
        source_id="en_cppcc",
        language="en",
        minute=20,
    ),
    SampleArticle(
        "javascript:alert(document.cookie)",
        "A link that is no link",
        "Some body.",
        "Some body.",
        source_id="en_cppcc",
        language="en",
        minute=10,
    ),
]


def _settings(url: str, **changes):
    from review import ReviewSettings

    return ReviewSettings(database_url=url, secret=SECRET, timezone=ZoneInfo("Asia/Shanghai"), **changes)


@pytest.fixture
def review_db(database_url):
    from review import hash_password
    from storage import add_user, session_scope

    store_sample_day(database_url, DAY, ARTICLES)
    hashed = hash_password(PASSWORD)
    with session_scope(database_url) as session:
        add_user(session, "ana", "analyst", hashed)
        add_user(session, "vic", "viewer", hashed)
    return database_url


@pytest.fixture
def client(review_db):
    from review import create_app

    with TestClient(create_app(_settings(review_db)), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def queue(client: TestClient, **params) -> str:
    response = client.get("/", params={"day": DAY.isoformat(), **params})
    assert response.status_code == 200, response.text[:500]
    return response.text


def summary_ids(database_url: str) -> dict[str, int]:
    from storage import review_queue, session_scope

    with session_scope(database_url) as session:
        page = review_queue(session, day=DAY, tz="Asia/Shanghai")
    return {item.url: item.summary_id for item in page.items}


def reviews_of(database_url: str, summary_id: int) -> list:
    from storage import session_scope, summary_reviews

    with session_scope(database_url) as session:
        return summary_reviews(session, summary_id)


def decide(client: TestClient, summary_id: int, page: str, **fields):
    return client.post(f"/summaries/{summary_id}/decision", data={"csrf_token": csrf_of(page), **fields})


def test_pages_need_a_login_and_a_right_password(client):
    first = client.get("/", params={"day": "2024-03-05", "source": "kjj_cq"})
    assert first.status_code == 303 and first.headers["location"] == "/login?next=day%3D2024-03-05%26source%3Dkjj_cq"
    form = client.get(first.headers["location"]).text
    assert 'name="next" value="day=2024-03-05&amp;source=kjj_cq"' in form
    assert login(client, "ana", "wrong password").status_code == 401
    assert login(client, "nobody").status_code == 401
    assert client.get("/").status_code == 303

    response = login(client, "ana")
    assert response.status_code == 303 and response.headers["location"] == "/"
    token = csrf_of(client.get("/login").text)
    back = client.post(
        "/login", data={"name": "ana", "password": PASSWORD, "csrf_token": token, "next": "day=2024-03-05&x=1"}
    )
    assert back.headers["location"] == "/?day=2024-03-05"  # only the queue's own keys, never a URL
    cookie = response.headers["set-cookie"].lower()
    assert "policywatch_review=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = queue(client)
    assert "重庆市支持12家人工智能实验室" in page and "3 summaries" in page and "ana (analyst)" in page

    client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert client.get("/").status_code == 303


def test_a_changed_password_ends_open_sessions(client, review_db):
    from review import hash_password
    from storage import session_scope, set_user_password

    assert login(client, "ana").status_code == 303
    queue(client)
    with session_scope(review_db) as session:
        set_user_password(session, "ana", hash_password("another password"))
    assert client.get("/").status_code == 303
    assert login(client, "ana", "another password").status_code == 303


def test_a_post_without_the_sessions_csrf_token_is_refused(client, review_db):
    ids = summary_ids(review_db)
    target = ids["https://kjj.cq.gov.cn/a/1.html"]
    # the login form itself: no token, or one of another session
    assert client.post("/login", data={"name": "ana", "password": PASSWORD}).status_code == 403
    assert login(client, "ana").status_code == 303
    page = queue(client)
    forged = client.post(f"/summaries/{target}/decision", data={"decision": "approve"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = client.post(f"/summaries/{target}/decision", data={"decision": "approve", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert reviews_of(review_db, target) == []
    assert decide(client, target, page, decision="approve").status_code == 303
    assert [r.decision for r in reviews_of(review_db, target)] == ["approve"]


def test_login_attempts_are_limited_per_name_and_per_address(review_db):
    from review import create_app, hash_password
    from storage import add_user, session_scope

    with session_scope(review_db) as session:
        add_user(session, "ed", "analyst", hash_password(PASSWORD))
    app = create_app(_settings(review_db, login_limit="5/minute"))

    def client_at(address: str) -> TestClient:
        return TestClient(app, follow_redirects=False, client=(address, 50000))

    # one address: five wrong tries, then even the right password is refused, for any name
    with client_at("192.0.2.1") as client:
        assert [login(client, "ana", "wrong").status_code for _ in range(5)] == [401] * 5
        refused = login(client, "ana")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "too many login attempts" in refused.text
        assert login(client, "someone-else").status_code == 429
    # one name tried from five addresses: refused from a sixth; other names still log in there
    for number in range(5):
        with client_at(f"198.51.100.{number}") as client:
            assert login(client, "vic", "wrong").status_code == 401
    with client_at("203.0.113.9") as client:
        assert login(client, "vic").status_code == 429
        assert login(client, "ed").status_code == 303


def test_a_viewer_reads_but_cannot_decide(client, review_db):
    target = summary_ids(review_db)["https://kjj.cq.gov.cn/a/1.html"]
    assert login(client, "vic").status_code == 303
    page = queue(client)
    assert "重庆市支持12家人工智能实验室" in page and "vic (viewer)" in page
    assert "/decision" not in page  # no decision form
    refused = decide(client, target, page, decision="approve")
    assert refused.status_code == 403 and "viewer" in refused.text
    assert reviews_of(review_db, target) == []


def test_scraped_markup_is_shown_as_text_and_only_http_links_are_links(client):
    assert login(client, "ana").status_code == 303
    page = queue(client)
    assert SCRIPT not in page and "<img src=x" not in page
    assert "Title &lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; here" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(document.cookie)" in page
    assert 'href="https://kjj.cq.gov.cn/a/1.html"' in page
    # the only script is the page's own, allowed by its nonce
    policy = client.get("/", params={"day": DAY.isoformat()}).headers["content-security-policy"]
    assert "script-src 'nonce-" in policy and "unsafe-inline" not in policy


def test_decisions_are_appended_and_an_edit_goes_through_the_guard(client, review_db):
    target = summary_ids(review_db)["https://kjj.cq.gov.cn/a/1.html"]
    assert login(client, "ana").status_code == 303
    page = queue(client)
    assert decide(client, target, page, decision="approve", next="?day=2024-03-05").headers["location"] == (
        f"/?day=2024-03-05#s{target}"
    )
    # the edit states a number the article does not: the page shows the guard's flags, nothing is
    # stored until the analyst saves it anyway; then it is stored with the flags
    edited = "重庆市科技局决定支持99家实验室开展人工智能研究。"
    flagged = decide(client, target, page, decision="edit", text=edited)
    assert flagged.status_code == 200 and "The faithfulness guard flagged this edit" in flagged.text
    assert "number &#39;99&#39;" in flagged.text and "Save anyway" in flagged.text
    assert [r.decision for r in reviews_of(review_db, target)] == ["approve"]
    response = decide(client, target, flagged.text, decision="edit", text=edited, confirmed="1")
    assert response.status_code == 303
    shown = queue(client)
    assert "the faithfulness guard flagged the edit" in shown and "99" in shown and "edited" in shown
    assert decide(client, target, page, decision="reject", reason="").status_code == 400
    assert decide(client, target, page, decision="reject", reason="off topic").status_code == 303
    assert decide(client, target, page, decision="publish").status_code == 400
    assert decide(client, 10**6, page, decision="approve").status_code == 404

    # an edit the guard finds faithful is stored at once
    other = summary_ids(review_db)["https://kjj.cq.gov.cn/a/2.html"]
    assert decide(client, other, page, decision="edit", text="The body, in short.").status_code == 303
    assert reviews_of(review_db, other)[0].guard["passed"] is True

    reviews = reviews_of(review_db, target)  # newest first
    assert [r.decision for r in reviews] == ["reject", "edit", "approve"]
    assert reviews[0].reason == "off topic" and reviews[0].reviewer == "ana"
    edit = reviews[1]
    assert edit.edited_text == edited and edit.guard["passed"] is False
    assert {"kind": "number", "text": "99"} in [{k: u[k] for k in ("kind", "text")} for u in edit.guard["unsupported"]]
    assert "rejected" in queue(client, status="rejected") and "1 summaries" in queue(client, status="rejected")
    history = client.get(f"/summaries/{target}/reviews").text
    assert history.count("<tr>") == 4 and "off topic" in history


def test_filters_and_paging(client):
    assert login(client, "ana").status_code == 303
    assert "1 summaries" in queue(client, source="kjj_cq") and "2 summaries" in queue(client, language="en")
    ai = queue(client, theme="ai_digital")
    assert "重庆市支持12家人工智能实验室" in ai and "A link that is no link" not in ai
    first, second = queue(client, size=2), queue(client, size=2, page=2)
    assert "page 1 of 2" in first and "page 2 of 2" in second and "A link that is no link" in second
    assert "A link that is no link" not in first
    assert "0 summaries" in queue(client, day="2024-03-06")


def test_a_stale_page_cannot_decide_on_a_remade_summary(client, review_db):
    from devtools.review_sample import IDENTITY
    from storage import get_article, save_summary, session_scope

    target = summary_ids(review_db)["https://kjj.cq.gov.cn/a/1.html"]
    assert login(client, "ana").status_code == 303
    page = queue(client)
    seen = re.search(rf'/summaries/{target}/decision".*?name="seen" value="([^"]+)"', page, re.S).group(1)
    with session_scope(review_db) as session:
        article = get_article(session, "https://kjj.cq.gov.cn/a/1.html")
        save_summary(session, article, text="申报截止时间为3月31日。", language="zh", **IDENTITY)
    refused = decide(client, target, page, decision="approve", seen=seen)
    assert refused.status_code == 409 and "reload" in refused.text
    assert reviews_of(review_db, target) == []


def test_mounted_under_a_prefix_it_redirects_to_its_own_login(review_db):
    from fastapi import FastAPI

    from review import create_app

    outer = FastAPI()
    outer.mount("/review", create_app(_settings(review_db)))
    with TestClient(outer, follow_redirects=False) as client:
        response = client.get("/review/")
        assert response.status_code == 303 and response.headers["location"] == "/review/login"
        form = client.get("/review/login").text
        assert 'action="/review/login"' in form
        posted = client.post("/review/login", data={"name": "ana", "password": PASSWORD, "csrf_token": csrf_of(form)})
        assert posted.status_code == 303 and posted.headers["location"] == "/review/"
        assert 'action="/review/logout"' in client.get("/review/", params={"day": "2024-03-05"}).text


def test_no_secret_is_a_configuration_error(monkeypatch):
    from config import ConfigError
    from review import review_settings

    monkeypatch.delenv("POLICYWATCH_REVIEW_SECRET", raising=False)
    with pytest.raises(ConfigError, match="POLICYWATCH_REVIEW_SECRET is not set"):
        review_settings()
    assert review_settings(demo=True).demo
    monkeypatch.setenv("POLICYWATCH_REVIEW_SECRET", "short")
    with pytest.raises(ConfigError, match="too short"):
        review_settings()


def test_the_airflow_plugin_mounts_the_app_only_with_a_secret(monkeypatch, tmp_path):
    import policywatch_airflow.plugin as plugin
    from policywatch_airflow.plugin import PolicywatchPlugin, review_apps

    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_REVIEW_SECRET", SECRET)
    (mounted,) = review_apps()
    assert mounted["url_prefix"] == "/review"
    with TestClient(mounted["app"], root_path="/review", follow_redirects=False) as client:
        assert client.get("/review/").headers["location"] == "/review/login"
    monkeypatch.delenv("POLICYWATCH_REVIEW_SECRET")
    errors = []  # Airflow's logging configuration replaces the handlers caplog relies on
    monkeypatch.setattr(plugin.log, "error", lambda message, *args: errors.append(message % args))
    assert review_apps() == []
    assert errors and errors[0].startswith(
        "policywatch review app not mounted: configuration error: POLICYWATCH_REVIEW_SECRET is not set"
    )
    # the navigation has a Review entry exactly when the app is mounted
    prefixes = [a["url_prefix"] for a in PolicywatchPlugin.fastapi_apps]
    assert ("/review" in prefixes) == any(v["name"] == "Review" for v in PolicywatchPlugin.external_views)


def test_a_notice_shows_its_key_facts_line(client, review_db, monkeypatch):
    from config import get_settings
    from policywatch.facts import rebuild_key_facts

    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", review_db)
    report = rebuild_key_facts(get_settings())
    assert report.with_facts >= 1, report
    assert login(client, "ana").status_code == 303
    page = queue(client)
    # the deadline 申报截止时间为3月31日 of the notice, in the year it was published
    assert re.search(r'<div class="key-facts">[^<]*截止 2024-03-31', page), page[:3000]
    assert page.count('class="key-facts"') == 1  # the English items have none
