"""The Sources page of the Airflow UI: each source's verdict and reasons over its last runs, its last
good run, counts, and links to the digest of each run's day and to the run in Airflow.

A small read-only FastAPI app (mounted by policywatch_airflow/plugin.py under ``/policywatch``) over
``policywatch.status.source_statuses``, the same data as ``policywatch sources status --json``:

* ``/policywatch/sources``: the page (linked from the UI's navigation, shown inside it);
* ``/policywatch/sources.json?runs=N``: the data, one object per source;
* ``/policywatch/digests/<date>.html`` (or ``.md``): a day's digest.

Every route needs the UI's login (its session cookie or a bearer token), as the UI's own API does.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

URL_PREFIX = "/policywatch"
DEFAULT_RUNS = 7
DAG_ID = "policywatch_daily"
COLOURS = {"ok": "#1a7f37", "degraded": "#9a6700", "broken": "#cf222e", None: "#57606a"}
_DIGEST_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.(html|md)")


def _statuses(runs: int) -> list[dict[str, Any]]:
    from policywatch.status import source_statuses

    return source_statuses(runs=runs)


def digest_href(run: dict[str, Any] | None) -> str | None:
    """The link to the digest of a run's day, once it is written."""
    if not run or not run.get("digest"):
        return None
    return f"{URL_PREFIX}/digests/{run['logical_date']}.html"


def run_href(run: dict[str, Any]) -> str:
    from urllib.parse import quote

    return f"/dags/{DAG_ID}/runs/{quote(run['run_id'], safe='')}"


def _verdict(run: dict[str, Any] | None) -> str:
    if run is None:
        return '<span class="verdict">never crawled</span>'
    health = run["health"] if run["status"] != "running" else None
    text = health or run["status"]
    kind = f" ({run['kind']})" if run.get("kind") else ""
    return f'<span class="verdict" style="color:{COLOURS.get(health, COLOURS[None])}">{escape(text)}{kind}</span>'


def _history(runs: list[dict[str, Any]]) -> str:
    cells = []
    for run in runs:
        colour = COLOURS.get(run["health"], COLOURS[None])
        title = f"{run['run_id']}: {run['status']}, health {run['health']}, {run['new']} new"
        cells.append(
            f'<a class="run" href="{escape(run_href(run))}" target="_top" title="{escape(title)}" '
            f'style="background:{colour}">{escape(run["logical_date"][5:])}</a>'
        )
    return "".join(cells) or "–"


def _row(status: dict[str, Any]) -> str:
    last, good = status["last_run"], status["last_good_run"]
    reasons = "".join(f"<li>{escape(r)}</li>" for r in (last or {}).get("health_reasons", []))
    if not status["enabled"]:
        reasons = f"<li>disabled: {escape(status['disabled_reason'] or '')}</li>" + reasons
    good_text = (
        f'<a href="{escape(run_href(good))}" target="_top">{escape(good["logical_date"])}</a> '
        f"({good['found']} found, {good['new']} new)"
        if good
        else "none"
    )
    counts = status["counts"]
    digest = digest_href(last)
    digest_cell = (
        f'<a href="{escape(digest)}" target="_blank">digest {escape(last["logical_date"])}</a>' if digest else "–"
    )
    last_cell = (
        f'<a href="{escape(run_href(last))}" target="_top">{escape(last["logical_date"])}</a> · {_verdict(last)}'
        if last
        else _verdict(None)
    )
    return (
        f'<tr id="source-{escape(status["id"])}" class="source">'
        f"<td><b>{escape(status['id'])}</b><br><small>{escape(status['name'])}</small></td>"
        f"<td>{last_cell}<ul>{reasons}</ul></td>"
        f'<td class="history">{_history(status["runs"])}</td>'
        f'<td class="last-good">{good_text}</td>'
        f"<td>{counts['ok']} ok · {counts['degraded']} degraded · {counts['broken']} broken</td>"
        f"<td>{digest_cell}</td></tr>"
    )


def render_page(statuses: list[dict[str, Any]], runs: int) -> str:
    broken = [s["id"] for s in statuses if s["last_run"] and s["last_run"]["health"] == "broken"]
    summary = f"{len(broken)} broken: {', '.join(broken)}" if broken else "no source broken"
    rows = "".join(_row(s) for s in statuses)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policywatch sources</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 1rem; color: #1f2328; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
td ul {{ margin: .2rem 0 0 1rem; padding: 0; font-size: .85rem; }}
.verdict {{ font-weight: 600; }}
.run {{ display: inline-block; color: #fff; font-size: .75rem; padding: .1rem .3rem; margin: 0 .1rem .1rem 0;
        border-radius: 3px; text-decoration: none; }}
</style></head><body>
<h1>Sources</h1>
<p id="summary">{escape(summary)} · the last {runs} runs of each source, newest first ·
<a href="{URL_PREFIX}/sources.json?runs={runs}">JSON</a> (as <code>policywatch sources status --json</code>)</p>
<table><thead><tr><th>source</th><th>last run: verdict and reasons</th><th>last {runs} runs</th>
<th>last good run</th><th>counts (last {runs})</th><th>digest</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>"""


async def login_required(request: Request) -> None:
    """The UI's login: its session cookie (the page is shown inside the UI) or a bearer token, read
    by Airflow's own check when a request comes (the plugin is imported by every component; only
    the api-server serves it)."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    authorization = request.headers.get("authorization", "")
    bearer = authorization[7:] if authorization.lower().startswith("bearer ") else None
    await resolve_user_from_token(bearer or request.cookies.get(COOKIE_NAME_JWT_TOKEN))


def create_app() -> FastAPI:
    app = FastAPI(title="policywatch sources", dependencies=[Depends(login_required)])

    @app.get("/sources", response_class=HTMLResponse)
    def sources_page(runs: int = Query(DEFAULT_RUNS, ge=1, le=60)) -> str:
        return render_page(_statuses(runs), runs)

    @app.get("/sources.json")
    def sources_json(runs: int = Query(DEFAULT_RUNS, ge=1, le=60)) -> list[dict[str, Any]]:
        return _statuses(runs)

    @app.get("/digests/{name}")
    def digest(name: str) -> FileResponse:
        from config import get_settings

        path = get_settings().digest_dir / name
        if not _DIGEST_FILE.fullmatch(name) or not path.is_file():
            raise HTTPException(status_code=404, detail=f"no digest {name}")
        return FileResponse(path, media_type="text/html" if name.endswith(".html") else "text/markdown")

    return app
