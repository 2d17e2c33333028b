"""The normaliser of key facts: Chinese and English dates to ISO 8601 (with the time when given),
amounts to yuan as an integer (the text kept beside), Chinese numerals through ``cn2an``.

* dates: 2024年3月20日, 二〇二四年三月二十日, 3月20日 (the year from the notice), 2024-03-20,
  2024.3.20, 2024/03/20, each with an optional time (17:00, 17：00, 17时30分, 下午5点); March 20,
  2024 and 20 March 2024;
* amounts: 50万元, 不超过200万元, 1.2亿元, 五十亿元, 3,000元, 100-200万元 (a range: its upper end,
  and its lower end as ``low``), 2 million yuan, RMB 500,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import cn2an

from summarizer.key_facts.rules import RULES

ZH_NUM = "[0-9０-９〇零一二三四五六七八九十两]"
_FULLWIDTH = str.maketrans("０１２３４５６７８９：．，", "0123456789:.,")

TIME = (
    r"(?:\s*(?:上午|下午|晚上)?\s*(?P<{p}h>[0-9]{{1,2}})(?:[:：](?P<{p}m>[0-9]{{2}})"
    r"|\s*[时点](?:\s*(?P<{p}m2>[0-9]{{1,2}})\s*分)?)(?!\s*[0-9]))?"
)


def _date(p: str) -> str:
    """A date (with an optional time) whose groups are prefixed ``p``."""
    zh = (
        rf"(?:(?P<{p}y>(?:19|20)[0-9]{{2}}|[一二]〇[〇一二三四五六七八九零]{{2}}|[一二][零〇][〇一二三四五六七八九零]{{2}})\s*年\s*)?"
        rf"(?P<{p}mo>{ZH_NUM}{{1,3}})\s*月\s*(?P<{p}d>{ZH_NUM}{{1,3}})\s*[日号]"
    )
    iso = rf"(?P<{p}iy>(?:19|20)[0-9]{{2}})[-./](?P<{p}imo>[0-9]{{1,2}})[-./](?P<{p}id>[0-9]{{1,2}})(?![0-9])"
    return rf"(?:{zh}|{iso})" + TIME.format(p=p)


DATE = re.compile(_date("a"))
# DATE 至 DATE, DATE—DATE; the end may be a bare day ("2月27日至28日")
RANGE = re.compile(
    _date("a") + r"\s*(?:至|到|—|–|－|-|~|～)\s*(?:" + _date("b") + r"|(?P<bare>" + ZH_NUM + r"{1,3})\s*日)"
)

_MONTHS = {name: i + 1 for i, name in enumerate(RULES.en_months)}
EN_DATE = re.compile(
    r"\b(?:(?P<mon>"
    + "|".join(RULES.en_months)
    + r")\.?\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,?\s*(?P<y>(?:19|20)[0-9]{2})"
    r"|(?P<d2>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<mon2>"
    + "|".join(RULES.en_months)
    + r")\.?,?\s+(?P<y2>(?:19|20)[0-9]{2}))\b",
    re.IGNORECASE,
)


def zh_int(text: str) -> int:
    """An integer written with Arabic or Chinese digits: "20", "二十", "二〇二四", "１２"."""
    text = text.translate(_FULLWIDTH).strip()
    if text.isdigit():
        return int(text)
    if re.fullmatch("[〇零一二三四五六七八九]+", text):  # digit by digit: 二〇二四
        return int("".join(str("〇一二三四五六七八九".index(c)) if c != "零" else "0" for c in text))
    return int(cn2an.cn2an(text.replace("两", "二"), "smart"))


@dataclass(frozen=True)
class DateValue:
    """A normalised date: ``iso`` is YYYY-MM-DD or YYYY-MM-DDTHH:MM; ``year_given`` False when
    the year came from the notice (3月20日)."""

    iso: str
    year_given: bool


def _hour(match: re.Match[str], p: str) -> tuple[int, int] | None:
    hour = match.group(f"{p}h")
    if hour is None:
        return None
    minute = match.group(f"{p}m") or match.group(f"{p}m2") or "0"
    h = int(hour)
    if "下午" in match.group(0) or "晚上" in match.group(0):
        h = h + 12 if h < 12 else h
    return h, int(minute)


def date_of(match: re.Match[str], p: str, default_year: int | None) -> DateValue | None:
    """The date of the groups ``p`` of ``match`` (None: no year known, or not a real date)."""
    try:
        if match.group(f"{p}iy"):
            year, month, day, given = int(match[f"{p}iy"]), int(match[f"{p}imo"]), int(match[f"{p}id"]), True
        elif match.group(f"{p}mo"):
            given = match.group(f"{p}y") is not None
            year = zh_int(match[f"{p}y"]) if given else default_year
            month, day = zh_int(match[f"{p}mo"]), zh_int(match[f"{p}d"])
        else:
            return None
        if year is None:
            return None
        value = date(year, month, day)
        hm = _hour(match, p)
    except (ValueError, KeyError):
        return None
    if hm is None:
        return DateValue(value.isoformat(), given)
    hour, minute = hm
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return DateValue(value.isoformat(), given)
    if hour == 24:
        hour, minute = 23, 59
    return DateValue(datetime(year, month, day, hour, minute).isoformat(timespec="minutes"), given)


def parse_date(text: str, default_year: int | None = None) -> DateValue | None:
    """The first date of ``text`` (the end of a range), normalised; None when there is none."""
    ranged = RANGE.search(text)
    plain = DATE.search(text)
    if ranged is not None and plain is not None and ranged.start() == plain.start():
        return range_end(ranged, default_year)
    if plain is not None:
        return date_of(plain, "a", default_year)
    english = EN_DATE.search(text)
    return en_date(english) if english else None


def range_end(match: re.Match[str], default_year: int | None) -> DateValue | None:
    """The end of a date range: its year and month default to those of the start."""
    start = date_of(match, "a", default_year)
    if start is None:
        return None
    if match.group("bare"):
        year, month = int(start.iso[:4]), int(start.iso[5:7])
        try:
            return DateValue(date(year, month, zh_int(match["bare"])).isoformat(), start.year_given)
        except ValueError:
            return None
    end = date_of(match, "b", int(start.iso[:4]))
    if end is not None and not end.year_given:  # 2024年1月15日至2月28日: the year of the start
        end = DateValue(end.iso, start.year_given)
    return end


def en_date(match: re.Match[str]) -> DateValue | None:
    month = _MONTHS[(match["mon"] or match["mon2"]).lower()]
    try:
        value = date(int(match["y"] or match["y2"]), month, int(match["d"] or match["d2"]))
    except ValueError:
        return None
    return DateValue(value.isoformat(), True)


# ----------------------------------------------------------------------------------- amounts

_NUMBER = r"(?:[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?|[〇零一二三四五六七八九十百千两]+(?:点[〇零一二三四五六七八九]+)?)"
_UNITS = sorted(RULES.units, key=len, reverse=True)
_BOUNDS = sorted(RULES.bounds, key=len, reverse=True)
AMOUNT = re.compile(
    r"(?P<bound>" + "|".join(map(re.escape, _BOUNDS)) + r")?\s*"
    r"(?:(?P<low>" + _NUMBER + r")\s*(?P<lowunit>万|亿)?(?:元)?\s*(?:-|—|–|－|~|～|至|到)\s*)?"
    r"(?P<num>" + _NUMBER + r")\s*(?P<unit>" + "|".join(map(re.escape, _UNITS)) + r")"
)
EN_AMOUNT = re.compile(
    r"(?P<bound>up to |no more than |a maximum of )?(?:(?:RMB|CNY|¥)\s*)?(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*"
    r"(?P<scale>million|billion|thousand)?\s*(?P<unit>yuan|RMB|CNY)?",
    re.IGNORECASE,
)


def number_value(text: str) -> float:
    text = text.translate(_FULLWIDTH).replace(",", "")
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return float(text)
    return float(cn2an.cn2an(text.replace("两", "二"), "smart"))


@dataclass(frozen=True)
class AmountValue:
    """An amount in yuan (``low`` the lower end of a range) and its text as written."""

    yuan: int
    low: int | None
    text: str
    start: int


def amounts(text: str) -> list[AmountValue]:
    """Every amount in yuan of ``text`` (Chinese and English forms)."""
    found = []
    for match in AMOUNT.finditer(text):
        unit = RULES.units[match["unit"]]
        try:
            yuan = round(number_value(match["num"]) * unit)
            low = None
            if match["low"]:
                low_unit = {"万": 10_000, "亿": 100_000_000}.get(match["lowunit"] or "", unit)
                low = round(number_value(match["low"]) * low_unit)
        except (ValueError, KeyError):
            continue
        if yuan > 0:
            found.append(AmountValue(yuan, low, match.group(0).strip(), match.start()))
    for match in EN_AMOUNT.finditer(text):
        if not (match["unit"] or re.match(r"(?:RMB|CNY|¥)", match.group(0).lstrip(), re.IGNORECASE)):
            continue
        scale = {"million": 1_000_000, "billion": 1_000_000_000, "thousand": 1_000}.get(
            (match["scale"] or "").lower(), 1
        )
        yuan = round(float(match["num"].replace(",", "")) * scale)
        if yuan > 0:
            found.append(AmountValue(yuan, None, match.group(0).strip(), match.start()))
    return found


def amount_text_value(text: str) -> int | None:
    """The yuan of an amount's text as written (the guard's re-normalisation), or None."""
    found = amounts(text)
    return found[0].yuan if found else None
