"""The extractor's families are config.FAMILIES plus the generic fallback: each has one rules table
(``crawlers/extract/rules_<family>.py``) naming its article parser, and that parser supplies every
hook its rules name."""

from __future__ import annotations

import importlib

from config import FAMILIES
from crawlers.extract.families import detail_parser, detail_parsers, family_rules


def test_extraction_families_are_the_registry_families_plus_generic():
    assert set(family_rules()) == set(FAMILIES) | {"generic"}
    assert set(detail_parsers()) == set(FAMILIES) | {"generic"}


def test_each_family_parser_lives_in_its_family_module_and_reads_its_rules():
    for family, rules in family_rules().items():
        name, function = detail_parser(family)
        assert name == rules.parser == f"{function.__module__}:{function.__name__}"
        assert function.__module__ == f"crawlers.extract.{family}"
        module = importlib.import_module(function.__module__)
        assert module.PARSER.rules is rules
        assert rules.hooks() == set(module.PARSER.hooks), f"{family}: the hooks its rules name are the ones it defines"


def test_an_unknown_family_gets_the_generic_parser():
    assert detail_parser("no-such-family")[0] == "crawlers.extract.generic:parse_generic"
