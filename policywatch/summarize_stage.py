"""The summarize stage: new and changed articles through the configured summarizer, the model
loaded once (and not at all when nothing is pending), each source with its own summary
configuration, every summary stored with the faithfulness guard's decision and its article's key
facts. Short transactions, each retried after a lost connection; the model's work is never
repeated. The summarize lock is checked before each batch is saved: a lock a restarted PostgreSQL
dropped is taken back, or, if another summarizer took it, the stage stops with
:class:`~policywatch.locking.RunLocked` (the summaries saved so far are kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from config import Registry, Settings, get_settings, load_registry
from policywatch.facts import store_key_facts
from policywatch.locking import StageLock, summarize_lock
from policywatch.reports import SummarizeReport

if TYPE_CHECKING:
    from summarizer import Summarizer

SUMMARY_BATCH_SIZE = 16


def load_configured_summarizer(
    settings: Settings | None = None, backend: str | None = None, **overrides: Any
) -> Summarizer:
    """The configured backend (``backend`` overrides POLICYWATCH_SUMMARIZER), its model loaded
    once, with the options of POLICYWATCH_SUMMARIZER_CONFIG and then ``overrides``."""
    from summarizer import load_summarizer

    settings = settings or get_settings()
    name = backend or settings.summarizer
    options = {**settings.summarizer_options, **overrides}
    options.setdefault("max_sentences", settings.summary_sentences)
    # POLICYWATCH_SUMMARIZER_MODEL names the model of the configured backend; lead has none
    model = None if name == "lead" else options.pop("model", settings.summarizer_model)
    return load_summarizer(name, model=model, **options)


def summarize_pending(
    settings: Settings | None = None,
    *,
    source_ids: list[str] | None = None,
    limit: int | None = None,
    summarizer: Summarizer | None = None,
    resummarize: bool = False,
    backend: str | None = None,
    reg: Registry | None = None,
) -> SummarizeReport:
    """Summarize new and changed articles (no summary of their current content); load the model
    once. Each source's articles get the shipped summary configuration with the source's own
    ``[sources.summary]`` (policywatch/summary_config.py); a source named in ``source_ids`` that the
    registry no longer has gets the shipped one. ``resummarize`` also redoes every summary that
    this backend and model did not make with the current model version and parameters (an older
    model or configuration), without re-crawling. Every summary is stored with the faithfulness
    guard's decision; an article already within the length budget is stored as its own text,
    flagged as such (``storage.is_article_text``); every article summarized gets its key facts
    (policywatch/facts.py). When no article needs one (and no ``summarizer`` is given), the model
    is not loaded: the report then names the configured backend, with no model id or version."""
    import time

    from policywatch.summary_config import configured_for
    from storage import any_article_without_current_summary, session_scope

    settings = settings or get_settings()
    started = time.perf_counter()
    if summarizer is None and not resummarize:
        with session_scope(settings.database_url) as session:
            nothing_new = not any_article_without_current_summary(session, source_ids=source_ids)
        if nothing_new:  # every article has a summary of its current content: no model to load
            return SummarizeReport(
                summarized=0,
                backend=backend or settings.summarizer,
                model_id="",
                model_version="",
                seconds=time.perf_counter() - started,
            )
    base = summarizer or load_configured_summarizer(settings, backend)
    reg = reg or load_registry(settings.sources_file)  # a daily run passes the registry it read once
    known = {source.id for source in reg.sources}
    plans: list[tuple[Summarizer, list[str] | None, list[str] | None]] = [
        (configured_for(base, settings, source), [source.id], None)
        for source in reg.sources
        if source_ids is None or source.id in source_ids
    ]
    if source_ids is None:  # articles of sources the registry no longer has: the shipped one
        plans.append((configured_for(base, settings), None, sorted(known)))
    elif unknown := [source_id for source_id in source_ids if source_id not in known]:
        plans.append((configured_for(base, settings), unknown, None))
    done = 0
    with summarize_lock(settings) as lock:  # what is pending is read under the lock: nobody else summarizes it
        for system, ids, others_than in plans:
            if limit is not None and done >= limit:
                break
            rest = None if limit is None else limit - done
            done += _summarize_locked(
                settings,
                system,
                lock,
                source_ids=ids,
                except_source_ids=others_than,
                limit=rest,
                resummarize=resummarize,
            )
    return SummarizeReport(
        summarized=done,
        backend=base.backend,
        model_id=base.model_id,
        model_version=base.model_version,
        seconds=time.perf_counter() - started,
    )


def _summarize_locked(
    settings: Settings,
    summarizer: Summarizer,
    lock: StageLock,
    *,
    source_ids: list[str] | None,
    limit: int | None,
    resummarize: bool,
    except_source_ids: list[str] | None = None,
) -> int:
    from storage import articles_for_summary, articles_to_summarize, retrying, save_summary, session_scope
    from summarizer import Document
    from summarizer.guard import check as guard_check
    from summarizer.length import ARTICLE_TEXT

    identity = dict(
        backend=summarizer.backend,
        model_id=summarizer.model_id,
        model_version=summarizer.model_version,
        parameters=summarizer.parameters,
    )
    url = settings.database_url

    def pending() -> list[int]:
        with session_scope(url) as session:
            return articles_to_summarize(
                session,
                **identity,
                source_ids=source_ids,
                except_source_ids=except_source_ids,
                limit=limit,
                outdated=resummarize,
                ids_only=True,
            )

    def read(batch_ids: list[int]) -> list[Any]:
        with session_scope(url) as session:
            return articles_for_summary(session, batch_ids)  # plain data: readable after the session

    def write(results: list[tuple[Any, Any, dict]]) -> int:
        with session_scope(url) as session:
            for article, summary, guard in results:
                save_summary(
                    session,
                    article,
                    text=summary.text,
                    language=summary.language,
                    guard=guard,
                    article_text=summary.kind == ARTICLE_TEXT,
                    **identity,
                )
        return len(results)

    # the database is read and written in short transactions, each run again after a lost
    # connection; the model's work between them is never repeated
    article_ids = retrying(pending, what="reading the articles to summarize")
    done = 0
    for start in range(0, len(article_ids), SUMMARY_BATCH_SIZE):
        batch_ids = article_ids[start : start + SUMMARY_BATCH_SIZE]
        articles = retrying(lambda ids=batch_ids: read(ids), what="reading articles to summarize")
        docs = [Document(title=a.title, body=a.body, language=a.language) for a in articles]
        results = [
            (article, summary, summary.guard or guard_check(summary.text, f"{article.title}\n{article.body}").to_dict())
            for article, summary in zip(articles, summarizer.summarize_batch(docs), strict=True)
            if summary.text
        ]
        # a restarted PostgreSQL drops the lock: taken back, or another summarizer has the rest
        lock.ensure("saving the next summaries")
        done += retrying(lambda batch=results: write(batch), what="saving summaries")
        # new and changed articles get their key facts with their summary (a crawl's upsert of a
        # changed article drops the old ones with its old ``extra``)
        retrying(lambda ids=batch_ids: store_key_facts(settings, ids), what="storing key facts")
    return done
