"""One date normaliser for every source, plus dates recovered from URLs.

Regex first (fast and predictable), ``dateparser`` only as the last resort. Every result is an
*aware* datetime: a value without an offset is read in ``default_tz`` (Asia/Shanghai for the
Chinese government sites, see CATALOGUE §0.2), a date without a time is midnight of that day.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
# Plausible publication years; anything outside is a false match (phone numbers, ids...).
MIN_YEAR, MAX_YEAR = 1990, 2100

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_RE = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?![A-Za-z])"
)

_TIME = (
    r"(?:\s*(?:T|\s)?\s*(?P<H>[01]?\d|2[0-3])\s*[:：时]\s*(?P<M>[0-5]\d)"
    r"(?:\s*[:：分]\s*(?P<S>[0-5]\d)(?:\.\d+)?)?\s*秒?"
    r"\s*(?P<tz>Z|[+-](?:[01]\d):?[0-5]\d)?)?"
)
# 2024-03-05 · 2024/3/5 · 2024.03.05 · 2024年03月05日 14:35 · 2024年04月24日23:52 · 2024-03-05T10:30:00+08:00
_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20|21)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    + _TIME
)
# Mar 5,2024 · May 29,2020 · March 5, 2024 · Mar. 5 2024
_MONTH_FIRST = re.compile(
    r"(?<![A-Za-z])" + _MONTH_RE + r"\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<y>(?:19|20|21)\d{2})(?!\d)",
    re.IGNORECASE,
)
# 5 March 2024 · 05 Mar 2024
_DAY_FIRST = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s+" + _MONTH_RE + r"\s*,?\s*(?P<y>(?:19|20|21)\d{2})(?!\d)",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})\s*$")
_COMPACT = re.compile(r"^\s*(?P<y>(?:19|20|21)\d{2})(?P<m>\d{2})(?P<d>\d{2})\s*$")
_RFC822_HINT = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _build(
    tz: ZoneInfo, y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, offset: str | None = None
) -> datetime | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        if offset:
            return datetime(y, m, d, hh, mm, ss, tzinfo=_parse_offset(offset))
        return datetime(y, m, d, hh, mm, ss, tzinfo=tz)
    except ValueError:  # 2024-02-30, month 13...
        return None


def _parse_offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _from_match(match: re.Match[str], tz: ZoneInfo, month: int | None = None) -> datetime | None:
    groups = match.groupdict()
    hh = groups.get("H")
    return _build(
        tz,
        int(groups["y"]),
        month if month is not None else int(groups["m"]),
        int(groups["d"]),
        int(hh) if hh else 0,
        int(groups.get("M") or 0) if hh else 0,
        int(groups.get("S") or 0) if hh else 0,
        groups.get("tz") if hh else None,
    )


def parse_date(value: object, *, default_tz: str = DEFAULT_TZ) -> datetime | None:
    """Normalise a date/time as found on a page, in a feed, in JSON; None when no date is found.

    Accepts numeric dates with ``-``, ``/``, ``.`` or ``年月日`` (optional time, optional
    parentheses or labels such as ``日期：``), English ``Mar 5,2024`` / ``5 March 2024`` (also inside
    ``By XINYI LI|May 29,2020``), ISO 8601, RFC 822, epoch seconds / milliseconds (10 / 13 digits,
    as int or str), and ``datetime`` objects (naive ones are read in ``default_tz``).
    The result is always expressed in ``default_tz`` (a value with another offset is converted)
    and within MIN_YEAR..MAX_YEAR there, whatever branch read it (``datetime`` objects, ISO 8601
    and RFC 822 values included).
    """
    result = _parse_date(value, default_tz)
    if result is None:
        return None
    try:
        # one zone for everything stored: values with another offset are converted (same instant)
        result = result.astimezone(_zone(default_tz))
    except (OverflowError, ValueError):  # 0001-01-01T00:00+14:00 is before datetime.min in UTC
        return None
    return result if MIN_YEAR <= result.year <= MAX_YEAR else None


def _parse_date(value: object, default_tz: str) -> datetime | None:
    """The guts of :func:`parse_date`, before the conversion to ``default_tz``."""
    tz = _zone(default_tz)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, (int, float)):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = value.replace("\xa0", " ").replace("\u3000", " ").strip()
    if not text:
        return None

    epoch = _EPOCH.match(text)
    if epoch:
        number = int(epoch["n"])
        seconds = number / 1000 if len(epoch["n"]) == 13 else number
        result = datetime.fromtimestamp(seconds, tz=UTC).astimezone(tz)
        return result if MIN_YEAR <= result.year <= MAX_YEAR else None
    compact = _COMPACT.match(text)
    if compact:
        return _build(tz, int(compact["y"]), int(compact["m"]), int(compact["d"]))

    # ISO 8601 as a whole value (feeds, meta article:published_time, JSON APIs).
    if "T" in text and re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)

    # RFC 822 (RSS pubDate): "Tue, 05 Mar 2024 02:30:00 +0000".
    if _RFC822_HINT.match(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)

    for match in _NUMERIC.finditer(text):
        result = _from_match(match, tz)
        if result is not None:
            return result
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        for match in pattern.finditer(text):
            month = _MONTHS[match["mon"].lower()[:3]]
            result = _from_match(match, tz, month=month)
            if result is not None:
                return result

    if _NUMERIC.search(text):
        return None  # a numeric Y-M-D that is not a real date (2024-13-01): do not let dateparser guess
    return _dateparser_fallback(text, default_tz)


def _dateparser_fallback(text: str, default_tz: str) -> datetime | None:
    """Last resort; only for short texts that carry a 4-digit year (dateparser guesses wildly otherwise)."""
    if len(text) > 80 or not re.search(r"(?:19|20|21)\d{2}", text):
        return None
    try:
        import dateparser  # slow import: only when needed
    except ImportError:  # pragma: no cover - dateparser is a declared dependency
        return None
    parsed = dateparser.parse(
        text,
        settings={
            "TIMEZONE": default_tz,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["year", "month"],
        },
    )
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed


# Dates in URL paths (CATALOGUE §0.7), most specific first.
_URL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("trs", re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+")),  # TRS t20240305_123.html
    ("rmzxw", re.compile(r"/c/(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})/")),  # rmzxw /c/2024-03-05/
    ("people", re.compile(r"/n\d/(?P<y>\d{4})/(?P<m>\d{2})(?P<d>\d{2})/")),  # people.com.cn /n1/2024/0305/
    ("chinadaily", re.compile(r"/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/")),  # China Daily /2024-03/05/
    ("ymd", re.compile(r"/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)")),  # WordPress, Hanweb, Sichuan
    ("compact", re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/")),  # Shanghai /20240305/
)
_ARTI = re.compile(r"ARTI(?P<ms>\d{13})")  # cppcc.gov.cn: epoch milliseconds inside the id


def date_from_url(url: str, *, default_tz: str = DEFAULT_TZ) -> datetime | None:
    """The publication date encoded in an article URL (midnight ``default_tz``), or None."""
    if not url:
        return None
    tz = _zone(default_tz)
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", url.split("#", 1)[0], flags=re.I)
    path = path.split("?", 1)[0]
    for _name, pattern in _URL_PATTERNS:
        for match in pattern.finditer(path):
            result = _build(tz, int(match["y"]), int(match["m"]), int(match["d"]))
            if result is not None:
                return result
    arti = _ARTI.search(path)
    if arti:
        return parse_date(arti["ms"], default_tz=default_tz)
    return None
