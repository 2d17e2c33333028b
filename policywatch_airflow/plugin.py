"""policywatch's Airflow plugin: the Sources page in the UI, the review app (review/, behind its own
login, under /review with a "Review" entry in the navigation), the digest linked from each run's
note, and mapped tasks that keep their label when retried (retry_label.py).

Registered for every component through the plugins folder (``plugins/policywatch_ui_plugin.py``, which
`make airflow`, the tests' cluster and the Docker image point ``AIRFLOW__CORE__PLUGINS_FOLDER`` at)
and, for an installed package, the ``airflow.plugins`` entry point of pyproject.toml (Airflow loads
a plugin of one name once).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

from policywatch_airflow.retry_label import KeepLabelOnRetryMiddleware
from policywatch_airflow.sources_page import DAG_ID, URL_PREFIX, create_app

log = logging.getLogger(__name__)

REVIEW_PREFIX = "/review"


def review_apps() -> list[dict[str, Any]]:
    """The review app to mount, on the configured database; none (and one error line in the log)
    when POLICYWATCH_REVIEW_SECRET is not set: Airflow does not log anyone in to a plugin's app, so
    the app's own login, which needs the secret, is what protects it."""
    from config import ConfigError
    from review import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        log.error("policywatch review app not mounted: configuration error: %s", exc)
        return []
    return [{"app": app, "url_prefix": REVIEW_PREFIX, "name": "policywatch review"}]


def digest_note(logical_date: str, exists: bool) -> str:
    """The note of a policywatch_daily run: where its digest is (Markdown, as the UI renders notes)."""
    if not exists:
        return f"No digest was written for {logical_date}. [Sources]({URL_PREFIX}/sources)"
    return (
        f"Digest of {logical_date}: [{logical_date}.html]({URL_PREFIX}/digests/{logical_date}.html) · "
        f"[Sources]({URL_PREFIX}/sources)"
    )


class DigestNoteListener:
    """Sets a finished policywatch_daily run's note to its digest link (unless it has a note).

    The scheduler calls it with the run it is finishing, inside its own session: the note is added
    to that session (a second session would wait on the scheduler's lock of the run's row)."""

    @hookimpl
    def on_dag_run_success(self, dag_run: Any, msg: str) -> None:
        self._note(dag_run)

    @hookimpl
    def on_dag_run_failed(self, dag_run: Any, msg: str) -> None:
        self._note(dag_run)

    @staticmethod
    def _note(dag_run: Any) -> None:
        from sqlalchemy.orm.exc import DetachedInstanceError

        if dag_run.dag_id != DAG_ID:
            return
        try:
            if dag_run.note:
                return
        except DetachedInstanceError:
            # dag.test() (`airflow dags test`) finishes a run outside the scheduler's session: there
            # is no session to add the note to, and no UI reading it
            return
        try:
            from config import get_settings
            from policywatch_airflow.runs import run_window

            window = run_window(
                {"date": (dag_run.conf or {}).get("date"), "lookback_days": 0},
                data_interval_start=dag_run.data_interval_start,
                data_interval_end=dag_run.data_interval_end,
                run_after=dag_run.run_after,
            )
            day = window.logical_date.isoformat()
            dag_run.note = digest_note(day, (get_settings().digest_dir / f"{day}.html").is_file())
        except Exception:  # a note is a convenience: it must never disturb the scheduler
            log.exception("could not set the digest note of %s", dag_run.run_id)


_REVIEW_APPS = review_apps()


class PolicywatchPlugin(AirflowPlugin):
    name = "policywatch"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "policywatch sources"}, *_REVIEW_APPS]
    external_views = [
        {
            "name": "Sources",
            "href": f"{URL_PREFIX}/sources",
            "destination": "nav",
            "url_route": "policywatch-sources",
        },
        *(
            [{"name": "Review", "href": f"{REVIEW_PREFIX}/", "destination": "nav", "url_route": "policywatch-review"}]
            if _REVIEW_APPS
            else []
        ),
    ]
    # a retried mapped task keeps its label (crawl [kjj_cq], not crawl [0]): see retry_label.py
    fastapi_root_middlewares = [
        {
            "middleware": KeepLabelOnRetryMiddleware,
            "args": [],
            "kwargs": {},
            "name": "policywatch: keep labels on retry",
        }
    ]
    listeners = [DigestNoteListener()]
