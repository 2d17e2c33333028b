"""Labelled metadata of government pages: "文  号：川科政〔2024〕3号", "索引号：115000…" and the like.

TRS open-government pages put them in table cells (``table.zwxl-table td``), Sichuan pages in
``.abstract li`` / ``.topbox`` cells, Hanweb pages in an xxgk table. Labels are matched without their spaces and colon against
:data:`~crawlers.extract.rules.METADATA_LABELS`, which names the ``extra`` key each one fills.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from crawlers.extract.html import normalize_space
from crawlers.extract.rules import METADATA_LABELS

# "label：value" (full-width or ASCII colon; the label may be spaced out as in "文  号"; a label
# has no digits, so "10:30" in a value is never taken for one)
_LABELLED = re.compile(r"^\s*(?P<label>[^:：0-9]{1,12}?)\s*[:：]\s*(?P<value>.*)$", re.S)


def split_label(text: str) -> tuple[str, str] | None:
    """``("文号", "川科政〔2024〕3号")`` for ``"文  号：川科政〔2024〕3号"``; None without a label."""
    match = _LABELLED.match(text or "")
    if not match:
        return None
    label = re.sub(r"\s+", "", match["label"])
    return label, normalize_space(match["value"])


def label_value_pairs(texts: Iterable[str]) -> list[tuple[str, str]]:
    """``(label, value)`` pairs in page order. A text that is only a label ("文号：", a table cell)
    takes the next unlabelled text as its value (the next cell); a label left without one gets ""."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for raw in texts:
        text = normalize_space(raw)
        if not text:
            continue
        found = split_label(text)
        if found is None:
            if pending is not None:
                pairs.append((pending, text))
                pending = None
            continue
        if pending is not None:
            pairs.append((pending, ""))
            pending = None
        if found[1]:
            pairs.append(found)
        else:
            pending = found[0]
    if pending is not None:
        pairs.append((pending, ""))
    return pairs


def labelled_fields(texts: Iterable[str], labels: Mapping[str, str] = METADATA_LABELS) -> dict[str, str]:
    """The known labelled values among ``texts`` as ``{extra key: value}``; empty values are left out
    (a notice prints "文  号：" with nothing after it), the first value of a key wins."""
    return fields_of(label_value_pairs(texts), labels)


def fields_of(pairs: Iterable[tuple[str, str]], labels: Mapping[str, str] = METADATA_LABELS) -> dict[str, str]:
    """:func:`labelled_fields` of pairs already split."""
    fields: dict[str, str] = {}
    for label, value in pairs:
        key = labels.get(label)
        if key and value and key not in fields:
            fields[key] = value
    return fields
