"""Each source's recent runs for the operator: storage.recent_crawl_runs, policywatch.status (what
`policywatch sources status --json` prints) and the Sources page of the Airflow plugin, which shows
the same data."""

from __future__ import annotations

from datetime import date

import pytest

KJJ_LIST = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"


def _crawl(session, source_id: str, run_id: str, day: str, status: str, health: str, errors=(), reasons=(), new=0):
    from storage import finish_crawl_run, record_crawl_health, start_crawl_run

    run = start_crawl_run(session, source_id=source_id, run_id=run_id, logical_date=day)
    finish_crawl_run(
        session,
        run,
        status=status,
        pages_fetched=3,
        items_found=new,
        items_new=new,
        items_updated=0,
        items_unchanged=0,
        error_messages=list(errors),
    )
    record_crawl_health(session, run, requests=4, not_modified=0, pages_failed=0, health=health, reasons=list(reasons))


def _history(database_url: str) -> None:
    """kjj_cq: good on 03-03 and 03-04, broken (404) on 03-05; ichongqing: good on 03-05."""
    from config import get_settings
    from policywatch.pipeline import prepare_database
    from storage import session_scope

    settings = get_settings()
    prepare_database(settings)
    error = f"kjj_cq: list page {KJJ_LIST} answered HTTP 404"
    with session_scope(database_url) as session:
        _crawl(session, "kjj_cq", "day-3", "2024-03-03", "success", "ok", new=20)
        _crawl(session, "kjj_cq", "day-4", "2024-03-04", "success", "ok", new=5)
        _crawl(session, "ichongqing", "day-5", "2024-03-05", "success", "ok", new=7)
        _crawl(
            session,
            "kjj_cq",
            "day-5",
            "2024-03-05",
            "failed",
            "broken",
            errors=[error],
            reasons=[error + " (the last good run, day-4, found 5 items)"],
        )


@pytest.fixture
def history(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    _history(database_url)
    digests = tmp_path / "var" / "digests"
    digests.mkdir(parents=True)
    (digests / "2024-03-05.html").write_text("<h1>digest 2024-03-05 科技</h1>", encoding="utf-8")
    return database_url


def test_recent_crawl_runs_are_each_sources_newest_first(history):
    from storage import recent_crawl_runs, session_scope

    with session_scope(history) as session:
        runs = recent_crawl_runs(session, per_source=2)
        assert [r.run_id for r in runs["kjj_cq"]] == ["day-5", "day-4"]
        assert [r.run_id for r in runs["ichongqing"]] == ["day-5"]
        assert len(recent_crawl_runs(session, per_source=10)["kjj_cq"]) == 3
        with pytest.raises(ValueError, match="per_source"):
            recent_crawl_runs(session, per_source=0)


def test_status_shows_the_broken_source_its_kind_its_last_good_run_and_the_digest(history):
    from policywatch.status import source_statuses

    by_id = {s["id"]: s for s in source_statuses(runs=2)}
    kjj = by_id["kjj_cq"]
    assert [r["run_id"] for r in kjj["runs"]] == ["day-5", "day-4"] and kjj["last_run"] == kjj["runs"][0]
    assert (kjj["last_run"]["health"], kjj["last_run"]["kind"]) == ("broken", "permanent")
    assert kjj["last_run"]["digest"].endswith("2024-03-05.html")
    assert kjj["last_good_run"]["run_id"] == "day-4" and kjj["last_good_run"]["kind"] is None
    assert kjj["counts"] == {"ok": 1, "degraded": 0, "broken": 1, "failed": 1}
    assert by_id["ichongqing"]["last_good_run"]["run_id"] == "day-5"
    assert by_id["gdstc_gd"]["last_run"] is None and by_id["gdstc_gd"]["runs"] == []


def test_the_sources_page_shows_the_same_data(history):
    from fastapi.testclient import TestClient

    from policywatch.status import source_statuses
    from policywatch_airflow.sources_page import create_app, login_required

    app = create_app()
    client = TestClient(app)
    assert client.get("/sources").status_code == 401  # the UI's login is needed

    app.dependency_overrides[login_required] = lambda: None
    page = client.get("/sources?runs=2")
    assert page.status_code == 200
    html = page.text
    assert "1 broken: kjj_cq" in html
    row = html[html.index('id="source-kjj_cq"') :].split("</tr>", 1)[0]
    assert f"list page {KJJ_LIST} answered HTTP 404" in row and "broken (permanent)" in row
    assert '<td class="last-good"><a href="/dags/policywatch_daily/runs/day-4" target="_top">2024-03-04</a>' in row
    assert 'href="/policywatch/digests/2024-03-05.html"' in row
    assert client.get("/sources.json?runs=2").json() == source_statuses(runs=2)
    digest = client.get("/policywatch/digests/2024-03-05.html".removeprefix("/policywatch"))
    assert digest.status_code == 200 and "科技" in digest.text
    assert client.get("/digests/..%2Fpolicywatch.db").status_code == 404
    assert client.get("/digests/2024-03-06.html").status_code == 404


def test_the_digest_note_of_a_run():
    from policywatch_airflow.plugin import digest_note

    assert digest_note("2024-03-05", True) == (
        "Digest of 2024-03-05: [2024-03-05.html](/policywatch/digests/2024-03-05.html) · [Sources](/policywatch/sources)"
    )
    assert digest_note(date(2024, 3, 5).isoformat(), False).startswith("No digest was written for 2024-03-05.")


def test_a_retried_task_keeps_its_label():
    """The execution API's up_for_retry update loses its null label; everything else is untouched."""
    import asyncio
    import json

    from policywatch_airflow.retry_label import KeepLabelOnRetryMiddleware, without_null_label

    retry = json.dumps({"state": "up_for_retry", "end_date": "2024-03-05T00:00:00Z", "rendered_map_index": None})
    assert json.loads(without_null_label(retry.encode())) == {
        "state": "up_for_retry",
        "end_date": "2024-03-05T00:00:00Z",
    }
    failed = json.dumps({"state": "failed", "rendered_map_index": None}).encode()
    labelled = json.dumps({"state": "up_for_retry", "rendered_map_index": "kjj_cq"}).encode()
    assert without_null_label(failed) == failed and without_null_label(labelled) == labelled
    assert without_null_label(b"not json") == b"not json"

    seen = []

    async def app(scope, receive, send):
        message = await receive()
        seen.append((scope["path"], dict(scope["headers"]).get(b"content-length"), message["body"]))

    async def call(path: str, body: bytes):
        messages = [{"type": "http.request", "body": body[:10], "more_body": True}]
        messages.append({"type": "http.request", "body": body[10:], "more_body": False})

        async def receive():
            return messages.pop(0)

        scope = {"type": "http", "method": "PATCH", "path": path, "headers": [(b"content-length", b"1")]}
        await KeepLabelOnRetryMiddleware(app)(scope, receive, None)

    ti = "/execution/task-instances/01a23af9-657f-73e3-a594-11e10261e19d/state"
    asyncio.run(call(ti, retry.encode()))
    asyncio.run(call("/api/v2/other", retry.encode()))
    assert json.loads(seen[0][2]) == {"state": "up_for_retry", "end_date": "2024-03-05T00:00:00Z"}
    assert seen[0][1] == str(len(seen[0][2])).encode()
    assert seen[1][2] == retry.encode()[:10]  # not its path: passed through as it came


def test_no_plugin_file_hides_a_package_of_the_project():
    """Airflow imports plugins/<stem>.py as the top-level module <stem>: plugins/policywatch.py made
    every task's `import policywatch.pipeline` fail."""
    import tomllib

    from conftest import ROOT

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
    stems = {path.stem for path in (ROOT / "plugins").glob("*.py")}
    assert stems and not stems & set(packages), stems
