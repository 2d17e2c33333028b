"""Labelled metadata of government pages: "文  号：川科政〔2024〕3号", "索引号：115000…" and the like.

TRS open-government pages put them in table cells (``table.zwxl-table td``), Sichuan pages in
``.abstract li`` / ``.topbox`` cells. Labels are matched without their spaces and colon against
:data:`~crawlers.extract.rules.METADATA_LABELS`, which names the ``extra`` key each one fills.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from crawlers.extract.common import normalize_space
from crawlers.extract.rules import METADATA_LABELS

# "label：value" (full-width or ASCII colon; the label may be spaced out as in "文  号")
_LABELLED = re.compile(r"^\s*(?P<label>[^:：]{1,12}?)\s*[:：]\s*(?P<value>.*)$", re.S)


def split_label(text: str) -> tuple[str, str] | None:
    """``("文号", "川科政〔2024〕3号")`` for ``"文  号：川科政〔2024〕3号"``; None without a label."""
    match = _LABELLED.match(text or "")
    if not match:
        return None
    label = re.sub(r"\s+", "", match["label"])
    return label, normalize_space(match["value"])


def labelled_fields(texts: Iterable[str], labels: Mapping[str, str] = METADATA_LABELS) -> dict[str, str]:
    """The known labelled values among ``texts`` as ``{extra key: value}``; empty values are left out
    (a notice prints "文  号：" with nothing after it), the first value of a key wins."""
    fields: dict[str, str] = {}
    for text in texts:
        found = split_label(text)
        if not found or not found[1]:
            continue
        key = labels.get(found[0])
        if key and key not in fields:
            fields[key] = found[1]
    return fields
