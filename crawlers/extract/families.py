"""Which function parses an article page of each site family (data, for ``policywatch extract``).

The spiders call their family's parser directly; this table lets a tool parse one page "as the
crawler would" from the family name alone. A family missing here is parsed by the generic fallback.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from crawlers.extract.documents import ExtractedArticle

# family -> "module:function"; each takes (html, url, *, selectors=..., default_tz=...)
DETAIL_PARSERS: Mapping[str, str] = MappingProxyType(
    {
        "trs": "crawlers.extract.trs:parse_trs_detail",
        "wordpress": "crawlers.extract.wordpress:parse_wordpress_article",
        "hanweb": "crawlers.extract.hanweb:parse_hanweb_detail",
        "gkmlpt": "crawlers.extract.gkmlpt:parse_gkmlpt_detail",
        "arti": "crawlers.extract.arti:parse_arti_detail",
        "zcms": "crawlers.extract.zcms:parse_zcms_article",
        "chinadaily": "crawlers.extract.chinadaily:parse_chinadaily_article",
        "sichuan": "crawlers.extract.sichuan:parse_sichuan_detail",
        "generic": "crawlers.extract.generic:parse_generic",
    }
)


def detail_parser(family: str) -> tuple[str, Callable[..., ExtractedArticle]]:
    """``(name, function)`` of the family's article parser; the generic one for an unknown family."""
    target = DETAIL_PARSERS.get(family) or DETAIL_PARSERS["generic"]
    module_name, _, function_name = target.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        target = DETAIL_PARSERS["generic"]
        module_name, _, function_name = target.partition(":")
        function = getattr(importlib.import_module(module_name), function_name)
    return target, function


def parse_with(function: Callable[..., ExtractedArticle], html: str, url: str, **options: Any) -> ExtractedArticle:
    """Call a family parser with the keyword options it accepts (``selectors``, ``default_tz``...)."""
    accepted = inspect.signature(function).parameters
    return function(html, url, **{k: v for k, v in options.items() if k in accepted and v is not None})
