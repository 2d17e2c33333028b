"""The digest of a big day in bounded memory (issue 13): the day is read a chunk at a time
(storage.iter_digest_entries), each article reduced at once to its sketch, facts and theme counts
and its body dropped, the near-duplicate candidates' bodies read again (storage.article_bodies),
and the formats written in pieces. Every result is the one the whole-day code gave: the LSH's
pairs, the stories, the themes and every rendered format, byte for byte."""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import weakref
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from digest import DigestSection, build_digest_model, write_digest_files
from digest.dedup import (
    DedupConfig,
    NearDuplicateSearch,
    jaccard,
    near_duplicate_groups,
    normalized_text,
    shingle_hashes,
    url_key,
)
from digest.render import FORMATS, iter_sections_from_entries, render_format, sections_from_entries
from digest.stories import _sort_key, cluster_items, story_id
from digest.themes import OTHER, ThemeMatcher, load_themes

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, 30, tzinfo=UTC)


def synthetic_day(size: int):
    """bench/digest_synthetic.py's seeded day, with summaries on every third article and no body
    on some (every text path of the stories and themes)."""
    spec = importlib.util.spec_from_file_location("digest_synthetic", ROOT / "bench" / "digest_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    items = []
    for i, item in enumerate(module.synthetic_day(seed=7, size=size)[0]):
        if i % 3 == 0:
            item = dataclasses.replace(item, summary=item.body.split("\n")[0][:80])
        if i % 17 == 5:
            item = dataclasses.replace(item, body="")
        items.append(item)
    return items


def whole_day_groups(urls, titles, bodies, config=None):
    """The near-duplicate search as it was before the streaming one: every article's shingle
    set held, datasketch's LSH index queried after all were inserted."""
    from datasketch import MinHash, MinHashLSH

    config = config or DedupConfig()
    parent = list(range(len(urls)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    def union(i, j):
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_url = {}
    for i, url in enumerate(urls):
        by_url.setdefault(url_key(url), i)
        union(by_url[url_key(url)], i)
    shingles = [shingle_hashes(normalized_text(t, b), config.shingle) for t, b in zip(titles, bodies, strict=True)]
    lsh = MinHashLSH(threshold=max(0.1, config.threshold - 0.15), num_perm=config.num_perm)
    permutations = MinHash(num_perm=config.num_perm).permutations
    sketches = {}
    for i, hashes in enumerate(shingles):
        if hashes:
            sketch = MinHash(
                num_perm=config.num_perm, hashfunc=lambda v: v, permutations=permutations, scheme="affine32"
            )
            sketch.update_batch(hashes)
            sketches[i] = sketch
            lsh.insert(i, sketch)
    for i, sketch in sketches.items():
        for j in lsh.query(sketch):
            if (
                j > i
                and find(i) != find(j)
                and sketch.jaccard(sketches[j]) >= config.threshold - 0.15
                and jaccard(shingles[i], shingles[j]) >= config.threshold
            ):
                union(i, j)
    groups = {}
    for i in range(len(urls)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda members: members[0]), lsh, sketches


def joined_text_themes(matcher, titles, texts):
    """ThemeMatcher.match as it was: the keywords counted in the story's joined texts."""
    title, text = "\n".join(titles), "\n".join(texts)
    scores = []
    for order, theme in enumerate(matcher.themes):
        if theme.id != OTHER.id:
            score = 3 * matcher._hits(theme, title, title.lower()) + min(matcher._hits(theme, text, text.lower()), 5)
            if score >= 2:
                scores.append((-score, order, theme.id))
    return tuple(theme_id for _, _, theme_id in sorted(scores)) or (OTHER.id,)


@pytest.fixture(scope="module")
def day():
    return synthetic_day(600)


def test_the_lsh_pairs_are_datasketchs_and_the_groups_the_whole_day_searchs(day):
    urls, titles = [i.url for i in day], [i.title for i in day]
    bodies = [i.body or i.summary or "" for i in day]
    expected, lsh, sketches = whole_day_groups(urls, titles, bodies)
    search = NearDuplicateSearch()
    for url, title, body in zip(urls, titles, bodies, strict=True):
        search.add(url, title, body)
    lefts, rights = search.lsh_pairs()
    queried = {(min(i, j), max(i, j)) for i, sketch in sketches.items() for j in lsh.query(sketch) if j != i}
    assert list(zip(lefts.tolist(), rights.tolist(), strict=True)) == sorted(queried)
    assert len(queried) > len(search.candidates()) > 0  # the estimate rules some pairs out
    assert near_duplicate_groups(urls, titles, bodies) == expected
    assert any(len(group) > 1 for group in expected)
    # a stricter threshold, so that some candidates fail the exact check
    strict = DedupConfig(threshold=0.8)
    assert near_duplicate_groups(urls, titles, bodies, strict) == whole_day_groups(urls, titles, bodies, strict)[0]
    assert near_duplicate_groups(urls, titles, bodies, strict) != expected


def test_summed_theme_hits_are_the_hits_of_the_joined_texts():
    """ThemeMatcher scored a story on "\\n".join of its texts; the digest adds its articles'
    counts instead: the same, as no keyword spans the "\\n" (an English keyword is a whole word,
    and "\\n" ends one)."""
    themes = load_themes()
    matcher = ThemeMatcher(themes)
    keywords = sorted({k for t in themes for k in (*t.keywords_zh, *t.keywords_en)})
    assert len(keywords) > 10
    texts = []
    for n, keyword in enumerate(keywords):
        half = len(keyword) // 2
        # keywords whole, split across the join, upper-cased, glued to words and hyphens
        texts += [
            f"关于{keyword}的通知 {keyword.upper()} {keyword}",
            keyword[:half],
            keyword[half:] + f" x{keyword} {keyword}-y",
            f"{keyword}{keywords[(n + 1) % len(keywords)]}",
        ]
    joined = "\n".join(texts)
    for theme in themes:
        if theme.id == OTHER.id:
            continue
        column = themes.index(theme)
        assert matcher._hits(theme, joined, joined.lower()) == sum(matcher.text_hits(t)[column] for t in texts)
    stories = [texts[k : k + 7] for k in range(0, len(texts), 7)]
    for story in stories:
        titles = story[:2]
        assert matcher.match(titles, story) == joined_text_themes(matcher, titles, story)
    assert {matcher.match([], story)[0] for story in stories} - {OTHER.id}  # the texts do match themes


def _stored_day(session, items, sources=10):
    from storage import ArticleRecord, save_summary, start_crawl_run, upsert_article, upsert_source
    from storage.models import Article, CrawlRun

    for k in range(sources):
        upsert_source(
            session, id=f"s{k}", name=f"Source {k}", host=f"s{k}.test", language="zh", family="trs", enabled=True
        )
    runs = [start_crawl_run(session, source_id=f"s{k}", run_id="r", logical_date=DAY).id for k in range(sources)]
    for i, item in enumerate(items):
        record = ArticleRecord(
            url=item.url + f"#{i}",
            source_id=f"s{i % sources}",
            section="bench",
            title=item.title,
            published_at=item.published_at.astimezone(UTC),
            language=item.language,
            body=item.body,
            extra={"advertorial": True} if i % 50 == 7 else None,
        )
        upsert_article(session, record, session.get(CrawlRun, runs[i % sources]))
    session.flush()
    for article in session.query(Article).order_by(Article.id):
        if article.id % 3 == 0:
            text = (article.body or article.title)[:60]
            save_summary(
                session,
                article,
                text=text,
                language=article.language,
                backend="lead",
                model_id="lead",
                model_version="1",
                parameters={},
            )
    session.flush()


def test_the_streamed_day_is_the_whole_days_digest_in_every_format(migrated_session, day, tmp_path):
    from storage import article_bodies, digest_entries, iter_digest_entries

    session = migrated_session
    _stored_day(session, day[:300])
    whole = build_digest_model(DAY, sections_from_entries(digest_entries(session, DAY), UTC), NOW)

    tracked: list[weakref.ref] = []
    read_again: list[int] = []

    class Body(str):
        """A body whose life the test can follow."""

    def entries():
        for entry in iter_digest_entries(session, DAY, chunk=40):
            (section,) = iter_sections_from_entries([entry], UTC)
            item = section.items[0]
            body = Body(item.body)
            if body:  # an empty body is kept as it is: nothing to drop
                tracked.append(weakref.ref(body))
            yield DigestSection(entry.source.id, entry.source.name, [dataclasses.replace(item, body=body)])

    def bodies(items):
        gc.collect()
        # every article was read before the candidates' bodies are asked for, and none kept its own
        assert len(tracked) == sum(1 for e in whole_articles if e.article.body)
        assert not any(ref() is not None for ref in tracked)
        read_again.extend(item.article_id for item in items)
        return article_bodies(session, [item.article_id for item in items])

    whole_articles = digest_entries(session, DAY)
    streamed = build_digest_model(DAY, entries(), NOW, bodies=bodies)
    assert 0 < len(set(read_again)) < len(whole_articles) / 2  # only the candidates' bodies
    assert streamed.clustered and len(streamed.stories) == len(whole.stories)
    for name in FORMATS:
        assert render_format(streamed, name) == render_format(whole, name)
    files = write_digest_files(tmp_path, streamed)
    for name, path in zip(FORMATS, (files.html, files.markdown, files.json, files.atom), strict=True):
        assert path.read_text(encoding="utf-8") == render_format(whole, name)
    assert streamed.articles == whole.articles == 300 - 6  # 6 advertorials left out


def test_iter_digest_entries_are_digest_entries_in_chunks(migrated_session, day):
    from storage import article_bodies, digest_entries, iter_digest_entries

    session = migrated_session
    _stored_day(session, day[:120], sources=3)
    whole = [(e.article.id, e.source.id, e.summary_text) for e in digest_entries(session, DAY)]
    for chunk in (1, 7, 500):
        assert [
            (e.article.id, e.source.id, e.summary_text) for e in iter_digest_entries(session, DAY, chunk=chunk)
        ] == whole
    assert len(whole) == 120 - 3  # advertorials left out
    ids = [whole[5][0], 10**9, whole[0][0]]
    bodies = article_bodies(session, ids)
    assert bodies[1] == "" and bodies[0] == next(
        e.article.body for e in digest_entries(session, DAY) if e.article.id == ids[0]
    )


def test_the_stories_of_the_synthetic_day_are_those_of_the_whole_day_code(day):
    """cluster_items (bench/digest_dedup.py) merges the old search's groups (and zh/en pairs of
    them), and each story's themes from its articles' counts are those from its joined texts."""
    groups = cluster_items(day)
    urls, titles = [i.url for i in day], [i.title for i in day]
    bodies = [i.body or i.summary or "" for i in day]
    near = whole_day_groups(urls, titles, bodies)[0]
    # cross-language pairs only merge whole near-duplicate groups
    assert all(any(set(g) <= set(story) for story in groups) for g in near)
    assert len(groups) < len(near)  # and some were merged
    digest = build_digest_model(DAY, [DigestSection("s", "S", day)], NOW)
    themes = {story.id: story.themes for story in digest.stories}
    matcher = ThemeMatcher(digest.themes)
    for group in groups:
        members = sorted((day[i] for i in group), key=lambda item: _sort_key(SimpleNamespace(item=item)))
        texts = [m.summary or m.body[:3000] for m in members]
        assert themes[story_id(members[0].url)] == joined_text_themes(matcher, [m.title for m in members], texts)
    assert len(themes) == len(groups) and len(set(themes.values())) > 3


def whole_document_atom(digest):
    """The Atom feed as one feedgen document, as render_atom made it before it was written in
    pieces."""
    from feedgen.feed import FeedGenerator

    from digest.feeds import ATOM_TYPE, _aware, _with_entry_links, add_atom_entry

    feed = FeedGenerator()
    base = digest.first_day.isoformat()
    feed.id(f"tag:policywatch,2024:digest:{base}")
    feed.title(f"policywatch digest {digest.label}")
    feed.subtitle(f"{len(digest.new_stories)} new stories, {len(digest.also_found)} also found")
    feed.author(name="policywatch")
    feed.updated(_aware(digest.generated_at))
    feed.link(href=f"{base}.atom", rel="self", type=ATOM_TYPE)
    feed.link(href=f"{base}.html", rel="alternate", type="text/html")
    if digest.previous:
        feed.link(href=f"{digest.previous.isoformat()}.atom", rel="prev-archive", type=ATOM_TYPE)
    for story in digest.stories:
        add_atom_entry(feed, digest, story)
    return _with_entry_links(feed.atom_str(), digest.stories)


@pytest.mark.parametrize("size", [0, 1, 250])
def test_the_feeds_written_in_pieces_are_the_whole_documents(day, size, monkeypatch):
    import json

    import digest.feeds as feeds
    from digest.feeds import json_feed

    sections = [DigestSection("s", "S", day[:size])]
    digest = build_digest_model(DAY, sections, NOW, previous=date(2024, 3, 4))
    assert bool(digest.stories) == bool(size) and (size < 250 or len(digest.stories) > 150)
    assert render_format(digest, "json") == json.dumps(json_feed(digest), ensure_ascii=False, indent=2) + "\n"
    for batch in (1, 7, 10_000):
        monkeypatch.setattr(feeds, "ATOM_BATCH", batch)
        assert render_format(digest, "atom") == whole_document_atom(digest)
