"""Keep a mapped task's label across a retry (a workaround of Airflow 3.3.2, in the api-server).

The label of a mapped task (``rendered_map_index``, e.g. ``kjj_cq`` for ``crawl``) is rendered from
the task's arguments before it runs and stored. When a try fails and is retried, Airflow 3.3.2's
task runner builds its ``RetryTask`` message without the label, the supervisor sends
``"rendered_map_index": null`` with the ``up_for_retry`` state, and the execution API stores that
NULL on the task instance and on the archived try: the UI shows ``crawl [0]`` while the task waits
for its retry, and for that try forever. A final ``failed`` or ``success`` state carries the label.

This ASGI middleware (a root middleware of the plugin, so it wraps the api-server's execution API)
drops that one ``null`` from an ``up_for_retry`` state update: the label already stored is kept.
Nothing else is changed; every other request passes through untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STATE_PATH = re.compile(r"(?:.*)/execution/task-instances/[0-9a-fA-F-]{36}/state")


def without_null_label(body: bytes) -> bytes:
    """The body of an ``up_for_retry`` state update without ``"rendered_map_index": null``."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body
    if (
        not isinstance(payload, dict)
        or payload.get("state") != "up_for_retry"
        or "rendered_map_index" not in payload
        or payload["rendered_map_index"] is not None
    ):
        return body
    del payload["rendered_map_index"]
    return json.dumps(payload).encode()


class KeepLabelOnRetryMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "PATCH" or not _STATE_PATH.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = without_null_label(b"".join(chunks))
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": headers}, replay, send)
