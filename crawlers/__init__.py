"""The policywatch Scrapy project: one spider per site family, configured by the source registry.

Layout: ``settings`` (polite defaults), ``middlewares`` (replay, registry headers), ``items``,
``extract/`` (pure parsing functions, no Scrapy), ``spiders/`` (``base``: what every family spider
shares — the article path and error recording; ``failures``: their errbacks; one module per family),
``pipelines`` (storage), ``extensions`` (crawl-run bookkeeping), ``runstate`` (the crawl's
:class:`~crawlers.runstate.CrawlRunState`), ``incremental`` / ``conditional`` (daily runs stop at
what is stored), ``run`` (``python -m crawlers.run``).

Crawl-run state lives on ONE object, :class:`crawlers.runstate.CrawlRunState` (the crawl_runs row,
the fatal and page errors, the list completeness, the summary), owned by
``crawlers.extensions.CrawlRunRecorder`` (created at spider_opened, finished at spider_closed) and
reached by every other component through ``crawlers.extensions.crawl_run_state(crawler)`` — never
through attributes of the spider.
"""
