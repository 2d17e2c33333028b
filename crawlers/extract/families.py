"""Which function parses an article page of each site family (for ``policywatch extract``).

The spiders call their family's parser directly; this table lets a tool parse one page "as the
crawler would" from the family name alone. It is not declared here: each ``rules_<family>.py``
names its family and parser (``RULES``), and config.FAMILIES is the list of families
(tests/test_extract_families.py checks both agree). An unknown family gets the generic parser.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.family import FamilyRules

RULES_PREFIX = "rules_"


@cache
def family_rules() -> Mapping[str, FamilyRules]:
    """Every family's rules, by family name: the ``RULES`` of each ``crawlers/extract/rules_*.py``."""
    found: dict[str, FamilyRules] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith(RULES_PREFIX):
            rules = getattr(importlib.import_module(f"crawlers.extract.{module.name}"), "RULES", None)
            if isinstance(rules, FamilyRules):
                found[rules.family] = rules
    return MappingProxyType(found)


def detail_parsers() -> Mapping[str, str]:
    """family -> "module:function" of its article parser; each takes (html, url, *, selectors=..., default_tz=...)."""
    return MappingProxyType({family: rules.parser for family, rules in family_rules().items()})


def detail_parser(family: str) -> tuple[str, Callable[..., ExtractedArticle]]:
    """``(name, function)`` of the family's article parser; the generic one for an unknown family."""
    parsers = detail_parsers()
    target = parsers.get(family) or parsers["generic"]
    module_name, _, function_name = target.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        target = parsers["generic"]
        module_name, _, function_name = target.partition(":")
        function = getattr(importlib.import_module(module_name), function_name)
    return target, function


def parse_with(function: Callable[..., ExtractedArticle], html: str, url: str, **options: Any) -> ExtractedArticle:
    """Call a family parser with the keyword options it accepts (``selectors``, ``default_tz``...)."""
    accepted = inspect.signature(function).parameters
    return function(html, url, **{k: v for k, v in options.items() if k in accepted and v is not None})
