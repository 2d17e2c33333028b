"""crawlers/extract/dates.py, property-based (hypothesis): every format the normaliser reads gives
back the instant it was written from, in the configured zone; re-reading its own output is a
fixed point; whatever the input, it never raises and every date it returns is aware, in the
configured zone and within MIN_YEAR..MAX_YEAR."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.extract.dates import MAX_YEAR, MIN_YEAR, date_from_url, parse_date

PROPERTIES = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
ZONES = st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Europe/London", "Asia/Kolkata"])
# wall-clock times of the plausible years (minute precision: what pages print)
WALL = st.datetimes(min_value=datetime(MIN_YEAR, 1, 2), max_value=datetime(MAX_YEAR, 12, 30)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _formats(d: datetime) -> list[str]:
    """The page formats of a wall-clock time (no offset: read in the configured zone)."""
    return [
        f"{d:%Y-%m-%d %H:%M}",
        f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}",
        f"{d.year}年{d.month:02d}月{d.day:02d}日{d:%H:%M}",
        f"发布时间：{d:%Y/%m/%d %H:%M:%S}",
        f"（{d:%Y.%m.%d %H:%M}）",
        f"{d:%Y-%m-%dT%H:%M:%S}",
    ]


def _in_range_and_zone(result: datetime | None, zone: str) -> None:
    if result is None:
        return
    assert result.tzinfo is not None and result.utcoffset() == result.astimezone(ZoneInfo(zone)).utcoffset()
    assert MIN_YEAR <= result.year <= MAX_YEAR


@PROPERTIES
@given(WALL, ZONES)
def test_every_page_format_reads_back_the_wall_clock_time_in_the_configured_zone(wall, zone):
    tz = ZoneInfo(zone)
    for text in _formats(wall):
        result = parse_date(text, default_tz=zone)
        assert result is not None, text
        assert result.replace(tzinfo=None) == wall.replace(tzinfo=tz).astimezone(tz).replace(tzinfo=None) or (
            result == wall.replace(tzinfo=tz)  # a wall time skipped by a DST change: the same instant
        ), text
        assert result.tzinfo == tz or result.utcoffset() == wall.replace(tzinfo=tz).utcoffset()


@PROPERTIES
@given(WALL, ZONES)
def test_english_dates_give_midnight_of_that_day(wall, zone):
    month = MONTHS[wall.month - 1]
    for text in (
        f"{month} {wall.day},{wall.year}",
        f"{wall.day} {month} {wall.year}",
        f"By XINYI LI|{month}. {wall.day}, {wall.year}",
    ):
        result = parse_date(text, default_tz=zone)
        assert result is not None and result.date() == wall.date(), text
        assert (result.hour, result.minute) == (0, 0) or result.utcoffset() != ZoneInfo(zone).utcoffset(wall)


@PROPERTIES
@given(WALL, OFFSETS, ZONES)
def test_an_explicit_offset_is_the_same_instant_expressed_in_the_configured_zone(wall, offset, zone):
    aware = wall.replace(tzinfo=offset)
    for text in (aware.isoformat(), email.utils.format_datetime(aware)):
        result = parse_date(text, default_tz=zone)
        if not MIN_YEAR <= aware.astimezone(ZoneInfo(zone)).year <= MAX_YEAR:
            assert result is None, text
            continue
        assert result == aware, text
        assert result.utcoffset() == aware.astimezone(ZoneInfo(zone)).utcoffset()


@PROPERTIES
@given(WALL, ZONES)
def test_reading_its_own_output_is_a_fixed_point(wall, zone):
    for text in _formats(wall):
        once = parse_date(text, default_tz=zone)
        assert parse_date(once.isoformat(), default_tz=zone) == once
        assert parse_date(once, default_tz=zone) == once


@PROPERTIES
@given(st.integers(min_value=0, max_value=2**42), ZONES)
def test_epoch_seconds_and_milliseconds_are_the_same_instant(number, zone):
    for value, seconds in ((number, number), (str(number), number)):
        if len(str(value)) != 10:
            continue
        result = parse_date(value, default_tz=zone)
        _in_range_and_zone(result, zone)
        if result is not None:
            assert result == datetime.fromtimestamp(seconds, tz=UTC)
    millis = str(number)
    if len(millis) == 13:
        result = parse_date(millis, default_tz=zone)
        _in_range_and_zone(result, zone)
        if result is not None:
            assert abs(result - datetime.fromtimestamp(number / 1000, tz=UTC)) < timedelta(milliseconds=1)


ANYTHING = st.one_of(
    st.text(max_size=60),
    st.text(st.sampled_from("0123456789-/.:年月日时分秒T Z+"), max_size=40),
    st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", fullmatch=True),
    st.from_regex(r"(Mon|Tue), \d{2} (Jan|Mar) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", fullmatch=True),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), OFFSETS)),
    # ISO 8601 and RFC 822 of any year, any offset: 0001-01-01T00:00+14:00 is before datetime.min in UTC
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS).flatmap(
        lambda d: st.sampled_from([d.isoformat(), email.utils.format_datetime(d)])
    ),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-10:00", "Tue, 05 Mar 9999 02:30:00 +0000"]),
)


@PROPERTIES
@given(ANYTHING, ZONES)
def test_never_raises_and_every_date_is_aware_in_range_and_in_the_configured_zone(value, zone):
    _in_range_and_zone(parse_date(value, default_tz=zone), zone)


@PROPERTIES
@given(st.text(st.sampled_from("/abcdt0123456789_-.ARTIcn"), max_size=50), ZONES)
def test_dates_from_urls_never_raise_and_stay_in_range(path, zone):
    _in_range_and_zone(date_from_url(f"https://kjj.cq.gov.cn/{path}", default_tz=zone), zone)
