"""Spiders, one per site family; the spider name is the registry ``family``."""
