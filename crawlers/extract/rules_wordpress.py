"""Extraction rules of the WordPress family (www.ichongqing.info), kept as DATA.

The feed needs no rule (feedparser reads it); these are the article pages' rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import AttachmentRules, BodyRules, FamilyRules, Hook, Meta, Nothing, Url

WORDPRESS_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("h1.entry-title", "h1.amp-wp-title", "article h1", "h1"),
        "title_meta": ("og:title", "twitter:title"),
        "date_meta": ("article:published_time", "og:article:published_time", "datePublished", "pubdate"),
        "byline": (".entry-meta .byline", ".byline", ".amp-wp-byline", ".entry-meta", ".post-meta"),
        "body": (
            "div.entry-content",
            ".amp-wp-article-content",
            "article .post-content",
            ".td-post-content",
            "article",
        ),
        # removed from the body before reading it: photo credits, share / related blocks, ads
        "drop": (
            "figure",
            "figcaption",
            "script",
            "style",
            "noscript",
            "iframe",
            "form",
            "ins",
            ".sharedaddy",
            ".share",
            ".share-buttons",
            ".social-share",
            ".jp-relatedposts",
            ".related",
            ".related-posts",
            ".wp-caption-text",
            ".post-tags",
            ".entry-footer",
            "amp-ad",
        ),
    }
)
# Title suffix of the site name in <title> ("T | ichongqing").
WORDPRESS_TITLE_SUFFIX_RE = re.compile(r"\s*[|｜–—-]\s*(?:ichongqing|iChongqing)[^|]*$", re.I)
# Byline "By XINYI LI|Mar 5,2024": author before the bar.
WORDPRESS_BYLINE_RE = re.compile(r"^\s*By\s*[:：]?\s*(?P<author>[^|｜\n]+?)\s*(?:[|｜]|$)", re.I)
# Paragraphs that are only a photo/video credit: "(Photo/Zhou Qi)", "(Photo by …)", "Photo: …".
WORDPRESS_CREDIT_LINE_RE = re.compile(
    r"^[(（]?\s*(?:photo|photos|video|graphic|poster|image)s?\s*(?:/|by|:|：)[^)）]{0,80}[)）]?$", re.I
)
# Author metas, after the byline and JSON-LD (a value that is a URL is a profile page, no name).
WORDPRESS_AUTHOR_METAS = ("author", "article:author", "twitter:data1")
WORDPRESS_AUTHOR_REJECT_RE = re.compile(r"http")

RULES = FamilyRules(
    parser="crawlers.extract.wordpress:parse_wordpress_article",
    selectors=WORDPRESS_RULES,
    url=Hook("canonical_link"),  # an AMP copy or a ?p= short link is stored under the real article URL
    title=(Hook("title"),),
    body=BodyRules(dropped_lines=WORDPRESS_CREDIT_LINE_RE),
    published=(
        Meta("date_meta"),
        Hook("jsonld_date"),
        Hook("time"),
        Hook("byline_date"),
        Url(),
        Url(requested=True),
        Nothing(),
    ),
    author=(
        Hook("byline_author"),
        Hook("jsonld_author"),
        Meta(names=WORDPRESS_AUTHOR_METAS, reject=WORDPRESS_AUTHOR_REJECT_RE),
    ),
    extras=(("keywords", Hook("tags")), ("column_name", Hook("section"))),
    attachments=AttachmentRules(body=True, always=False),
)
