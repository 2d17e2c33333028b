"""The policywatch Scrapy project: one spider per site family, configured by the source registry.

Layout: ``settings`` (polite defaults), ``middlewares`` (replay), ``items``, ``extract/`` (pure
parsing functions, no Scrapy), ``spiders/`` (``trs``, ``wordpress``), ``pipelines`` (storage),
``extensions`` (crawl-run bookkeeping), ``run`` (``python -m crawlers.run``).
"""
