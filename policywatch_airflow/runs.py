"""What a DAG run collects: its window of publication dates, and the DAG's settings from the
environment. Standard library only: DAG files import it at parse time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_LOOKBACK_DAYS = 30


def env_int(name: str, default: int) -> int:
    """An integer environment variable; a malformed value is refused with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no environment variable, read as the CLI reads it (``config.bool_env``: a bad value
    is a ConfigError naming the variable)."""
    from config import bool_env

    return bool_env(name, default)


def env_date(name: str) -> date | None:
    """A YYYY-MM-DD environment variable, None when unset; a malformed value is refused with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None


def local_timezone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai")


@dataclass(frozen=True)
class RunWindow:
    """The day a run collects (crawl_runs.logical_date, the digest's date) and the publication
    dates its crawl keeps: ``since`` .. ``until``, both included."""

    logical_date: date
    since: date | None
    until: date
    # the first local day of the data interval (no look-back): the digest's stories published
    # from this day on are "new today"; None: not known (a window made by hand)
    interval_first: date | None = field(default=None, compare=False)

    def describe(self) -> str:
        return f"{self.logical_date} (published {self.since or '…'} .. {self.until})"


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def run_window(
    params: Mapping[str, Any],
    *,
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    run_after: datetime | None = None,
    tz: ZoneInfo | None = None,
) -> RunWindow:
    """The window of a DAG run.

    A scheduled or backfilled run collects its data interval: it keeps what was published from
    the interval's first local day minus ``lookback_days`` (sites publish late and back-date
    notices; re-reading a known article costs nothing, the upsert keeps one row) up to the
    interval's last local day, and never anything published after it, so a backfilled day holds
    only what that day could have seen. Params override: ``date`` (collect that day, as a manual
    run of it), ``since`` (an explicit first day), ``lookback_days``.
    """
    tz = tz or local_timezone()
    lookback = int(params.get("lookback_days") if params.get("lookback_days") is not None else DEFAULT_LOOKBACK_DAYS)
    if lookback < 0:
        raise ValueError(f"lookback_days must be >= 0, not {lookback}")
    chosen = _as_date(params.get("date"))
    if chosen is not None:
        first = last = chosen
    else:
        end = data_interval_end or run_after
        if end is None:
            raise ValueError("a run without a data interval needs params.date")
        last = end.astimezone(tz).date()
        first = (data_interval_start or end).astimezone(tz).date()
    since = _as_date(params.get("since")) or first - timedelta(days=lookback)
    if since > last:
        raise ValueError(f"since {since} is after the run's last day {last}")
    return RunWindow(logical_date=last, since=since, until=last, interval_first=first)
