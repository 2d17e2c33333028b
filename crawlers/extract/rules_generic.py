"""Rules of the generic fallback extractor (crawlers/extract/generic.py), as DATA.

Meta names come from the gov-site standard (CATALOGUE §0.2: ArticleTitle, PubDate, ContentSource,
Keywords, ColumnName), the People's Daily family (``publishdate``, ``source``), Open Graph /
article:* and the Dublin Core / news names htmldate and trafilatura also read. Each list is walked
in order; the first non-empty value wins. The trafilatura options and the line filters were
chosen on the fundus evaluation pages (bench/extraction.py; figures in bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from crawlers.extract.family import AttachmentRules, BodyRules, FamilyRules, Header, Hook, Meta, Nothing, TitleTag
from crawlers.extract.rules import HEADER_DATE_RE, HEADER_SOURCE_RE

GENERIC_META: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("ArticleTitle", "og:title", "twitter:title", "headline", "dc.title", "title"),
        "date": (
            "PubDate",
            "publishdate",
            "pubdate",
            "firstpublishedtime",
            "article:published_time",
            "og:article:published_time",
            "datePublished",
            "dc.date.issued",
            "dc.date",
            "date",
            "publish-date",
            "parsely-pub-date",
            "sailthru.date",
            "cXenseParse:recs:publishtime",
        ),
        "source_office": ("ContentSource", "source", "contentsource", "dc.publisher"),
        "author": ("Author", "author", "article:author", "byl", "dc.creator", "sailthru.author"),
        "keywords": ("Keywords", "keywords", "news_keywords", "article:tag"),
        "column": ("ColumnName", "article:section", "columnname"),
        "description": ("Description", "description", "og:description"),
        "language": ("language", "content-language", "dc.language", "og:locale"),
    }
)

# trafilatura.extract options of the fallback. include_comments=False: reader comments are not the
# article (+0.8 F1 points on the evaluation pages); favor_precision / favor_recall both lose F1 there.
TRAFILATURA_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "include_comments": False,
        "include_tables": True,
        "include_images": False,
        "include_links": False,
        "deduplicate": False,
        "favor_precision": False,
        "favor_recall": False,
    }
)

# A line that occurs more than once in the extracted text is page furniture ("External content not
# available", "Read more") — unless it is long enough to be a real repeated paragraph.
REPEATED_LINE_MAX_CHARS = 200
# Lines that are only a photo/video credit or an agency line: "STR/Getty images", "Foto: dpa",
# "(Photo/Zhou Qi)", "图片来源：新华社".
CREDIT_LINE_RES = (
    re.compile(
        r"^[(（]?\s*(?:photo|photos|foto|fotos|bild|image|picture|video|graphic|poster|quelle|图片来源|图|摄影|来源)"
        r"\s*(?:/|by|:|：)[^)）]{0,80}[)）]?$",
        re.I,
    ),
    re.compile(
        r"^[^.!?。！？]{0,60}(?:/|\||｜)\s*(?:getty ?images?|afp|reuters|dpa|imago|picture[- ]alliance|"
        r"ap photo|epa|keystone|shutterstock|xinhua|新华社)[^.!?。！？]{0,40}$",
        re.I,
    ),
    re.compile(r"^[^.!?。！？]{0,40}(?:getty ?images?|afp via getty images|imago images|picture alliance)$", re.I),
)

# A label some sites put inside the source meta itself (people.com.cn: content="来源：新华网").
SOURCE_LABEL_RE = re.compile(r"^\s*(?:来源|来自|信息来源|发布机构|source)\s*[:：]\s*", re.I)

# Page chrome dropped before looking for attachment links outside the article.
CHROME_CSS = ("header", "footer", "nav", "aside", ".header", ".footer", ".nav", "#header", "#footer")

# A CJK share of letters above this makes an undeclared page Chinese (kana: Japanese, Hangul: Korean).
CJK_LANGUAGE_SHARE = 0.3

# "Title - Site name" in <title>.
GENERIC_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|｜–—]\s*[^-_|｜–—]{1,40}$")

# Badges some portals put before a headline ("原创 | ", "【独家】"): not part of the title.
TITLE_BADGE_RE = re.compile(
    r"^\s*(?:[【\[(（]\s*(?:原创|独家|首发|快讯)\s*[】\])）]|(?:原创|独家|首发)\s*[|｜丨:：·])\s*"
)

# ----------------------------------------------------------------------------- title votes
# crawlers/extract/generic_title.py: the sources of the headline, most trusted first (a tie between
# two headlines goes to the one the earlier source states: the visible <h1>, then the structured data).
TITLE_SOURCE_PRIORITY = ("h1", "json-ld", "meta", "social", "heading", "title")
TITLE_SOCIAL_META_NAMES = frozenset({"og:title", "twitter:title"})
TITLE_META_NAMES = frozenset({"articletitle", "title", "headline", "dc.title", "sharetitle"})
# Headings besides <h1> that can carry the headline: <h2>..<h6>, an element whose class or id says
# "title" (Chinese CMSs: <div class="title">, <span class="Title">), none inside a link (a menu, a
# headline list).
TITLE_HEADING_XPATH = (
    "//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6"
    " or contains(translate(@class, 'TITLE', 'title'), 'title') or contains(translate(@id, 'TITLE', 'title'), 'title')]"
    "[not(ancestor-or-self::a) and not(ancestor::head)]"
)
# Where a <title> or og:title splits into headline, column and site name: " - ", " | ", "_", "--",
# "•", and a space between two Han characters ("标题 东区办事处_中山网", "标题 湖南省某医院": Chinese
# writes no spaces between words, so a space there is a separator).
TITLE_SEPARATOR_RE = re.compile(
    r"\s*(?:--+|__+|——|[_|｜•·])\s*|\s+[-–—:]\s+|(?<=[\u3400-\u9fff])-(?=\S)|(?<=\S)-(?=[\u3400-\u9fff])"
    r"|(?<=[\u3400-\u9fff\]】)）])\s+(?=[\u3400-\u9fff【\[(（])"
)
TITLE_MAX_SEGMENTS = 8
TITLE_MIN_CHARS = 4
# Marks after which an attribute value may have been cut by an unescaped quote in the page.
TITLE_QUOTES = frozenset("\"'“”‘’「」『』")
# A full-width space between a number and the Han word it counts is typesetting (an indent after a
# line break in a headline set on two lines: "调整2007　年末"), not a word space (which it is
# between two words: Japanese "解消　以前は").
TITLE_LAYOUT_SPACE_RE = re.compile(r"(?<=[0-9])\s*\u3000+\s*(?=[\u3400-\u9fff])")

# ----------------------------------------------------------------------------- dates
# crawlers/extract/generic_dates.py: blocks left out before htmldate looks for the page's date (their
# <time>s and dates are other articles'): class or id naming a related / recommended / ranking /
# side / "more" block (English and pinyin names), and <aside>, <nav>, <footer>.
RELATED_BLOCK_RE = re.compile(
    r"(?:^|[\s_-])(?:related\w*|relate|recommend\w*|recom|tuijian|xiangguan|xgwz|xgxw|xglj|sidebar|side|aside"
    r"|rank\w*|paihang|hot(?:news|list)?|more(?:news)?|also-?read|read-?more|teaser\w*|outbrain|taboola)(?:$|[\s_-])",
    re.I,
)
RELATED_BLOCK_TAGS = frozenset({"aside", "nav", "footer"})
# "发布时间：18-03-08 23:16": a labelled date with a two-digit year.
SHORT_YEAR_BYLINE_RE = re.compile(
    r"(?:发布时间|发布日期|日期|时间)\s*[:：]\s*(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"
    r"(?:\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)

# The generic parser reads no registry selectors: GENERIC_META is the whole table.
RULES = FamilyRules(
    parser="crawlers.extract.generic:parse_generic",
    selectors=GENERIC_META,
    # the headline two or more of the page's candidates agree on (generic_title.voted_title) →
    # metas but the page's <title> → one <h1> the <title> repeats → trafilatura's → an <h1> → <title>
    title=(
        Hook("voted_title"),
        Meta("title", stop=-1),
        Hook("lone_h1"),
        Hook("trafilatura_title"),
        Hook("first_h1"),
        TitleTag(cut=GENERIC_TITLE_SUFFIX_RE),
        Nothing(),
    ),
    body=BodyRules(key=None, hook=Hook("generic_body"), fallback=False),
    # the header label ("发布时间：", "日期:") is read in the whole page's text
    # metas → JSON-LD → the labelled byline → htmldate without the related blocks (generic_dates)
    published=(
        Meta("date"),
        Hook("jsonld_date"),
        Header(HEADER_DATE_RE),
        Hook("short_year_byline"),
        Hook("htmldate"),
        Nothing(),
    ),
    office=(Meta("source_office", strip=SOURCE_LABEL_RE), Header(HEADER_SOURCE_RE)),
    author=(Hook("author"),),
    extras=(("keywords", Hook("keywords")), ("column_name", Meta("column")), Hook("language")),
    attachments=AttachmentRules(without=CHROME_CSS),
)

# ----------------------------------------------------------------------------- extraction confidence
# crawlers/extract/confidence.py: each factor below its floor multiplies the score down and names a
# reason; crawlers/health.py degrades a source whose generic-fallback extractions score under
# LOW_CONFIDENCE (crawlers.health). Chosen so every labelled page of bench/ whose body is right
# scores above it, and furniture-only extractions (a menu, a list of headlines) below.
CONFIDENCE_MIN_BODY_CHARS = 120  # characters without spaces; a notice of 2 sentences is ~100
CONFIDENCE_MAX_LINK_DENSITY = 0.3  # share of the body's characters that are the page's link texts
CONFIDENCE_MIN_PAGE_SHARE = 0.03  # the body's share of the page's visible text
CONFIDENCE_TITLE_DISAGREES = 0.8  # factor when no other title candidate agrees with the title

# ----------------------------------------------------------------------------- body precision
# Lines of an extracted body that are page furniture whatever the site (Chinese and English):
# editor and copyright lines, share/follow prompts, disclaimers, comment and vote prompts.
BOILERPLATE_LINE_RES = (
    re.compile(
        r"^[(（【\[]?\s*(?:责任编辑|责编|编辑|校对|审核|值班编辑|本文编辑)\s*[:：|｜丨]"
        r"|^(?:声明|免责声明|特别声明|版权声明)\s*[:：】]"
        r"|^【免责声明】|未经(?:允许|授权|许可)不得转载|版权所有|^关键词\s*>>"
        r"|(?:微信)?扫一扫|扫描(?:下方)?二维码|关注该公众号|^分享到|一键转发|^点击(?:排行|排名)"
        r"|报料[:：]|^（原题为《|^\(原题为《|感谢您的反馈|^图片均来自网络$|^信息来源于网络$"
        r"|^(?:share|share this|follow us|sign up for|subscribe to)\b",
        re.I,
    ),
    # copyright, paywall, newsletter and comment prompts, agency contribution notes (several languages)
    re.compile(
        r"copyright\s*©|^©\s*\d{4}|contributed to this report\.?$|la suite est réservée aux abonnés"
        r"|この記事は会員限定です|in your inbox\.?$|^get (?:the latest|daily)\b|kommentar abgeben"
        r"|einen kommentar abzugeben|^leave a comment|^hat ihnen dieser artikel gefallen"
        r"|^empfohlener redaktioneller inhalt$"
        # affiliate disclosures, consent to external content, "report an error" prompts
        r"|affiliate[- ](?:commission|links?)|ohne mehrkosten für sie|^ich bin damit einverstanden, dass mir (?:der )?externe"
        r"|^an dieser stelle finden sie einen von unseren redakteuren|^bitte markieren sie die entsprechenden wörter"
        r"|^this content is (?:not available|blocked)"
        # vote promotions and account blurbs (Chinese portals)
        r"|点击投票|^(?:参与|我要)投票|公众号\s*[:：].{0,40}欢迎关注|欢迎关注(?:我们)?[。！!]?$|长按(?:识别)?二维码",
        re.I,
    ),
    # a script's configuration leaked into the text ("- showPaywall:", "isSubscriber:")
    re.compile(r"^[-•·\s]*[a-z]+(?:[A-Z][a-z0-9]*)+\s*:\s*$"),
)
# A byline standing on its own line ("Von Nina Magoley", "By Jane Doe and John Roe", "作者：张三"): the
# author is a field of its own, not the article's text.
BYLINE_LINE_RE = re.compile(
    r"^[-•·\s]*(?:(?i:von|by|par|por|di|door|af|av)\s*:?\s+[A-ZÀ-ÖØ-Þ][\w'.-]*"
    r"(?:,?\s+(?:[A-ZÀ-ÖØ-Þ][\w'.-]*|and|und|et|y|e|van|von|de|der|da|le|la)){0,6}"
    r"|(?:作者|记者|撰文|通讯员|供稿)\s*[:：|｜丨/]\s*[^\s，。,.]{1,12}(?:\s+[^\s，。,.]{1,12}){0,3})$"
)
# A dateline on its own line ("Stand: 22.04.2024, 06:00 Uhr", "发布时间：2019-09-26 10:09:11",
# "2025年1月14日 01時28分 (1月14日更新)"): a full date with its year, little else (letters left after
# the dates and times, a CJK character counting 3, at most DATELINE_MAX_LETTERS), no sentence end,
# short. A day without year ("11月17日开港，…") is a sentence about that day, not a dateline.
DATELINE_DATE_RE = re.compile(
    r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{1,2}\s*[./]\s*\d{1,2}\s*[./]\s*\d{4}"
)
DATELINE_PARTS_RE = re.compile(
    r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{1,2}\s*[./]\s*\d{1,2}\s*[./]\s*\d{2,4}"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*[:：時时]\s*\d{2}(?:\s*[:：分]\s*\d{2})?\s*[分秒]?"
)
DATELINE_TIME_RE = re.compile(r"\d{1,2}\s*[:：時时]\s*\d{2}")
DATELINE_MAX_CHARS = 80
DATELINE_MAX_LETTERS = 30
# An inline pointer to another article: "Les også: <link>", "ALSO READ: <link>", "FUNDA OLUNYE UDABA
# LAPHA | <link>" — a short label, a colon or bar, then the text of one of the page's links.
DOCUMENT_NAME_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|wps|et|ofd|zip|rar|7z|txt|csv)\s*$", re.I)
INLINE_LINK_LINE_RE = re.compile(r"^(?P<label>[^:：|｜]{2,30}?)\s*[:：|｜]\s*(?P<link>.{4,})$")
# A heading that opens the list-shaped tail after the article ("相关文章", "您可能感兴趣的文章",
# "热门排行", "Related articles"): it and everything after it go, when it is past the first third
# of the body (a heading this early is the page's own index, not a tail).
TAIL_HEADING_RE = re.compile(
    r"^[-•·\s]*(?:相关(?:文章|新闻|阅读|推荐|报道|热门文章|链接|图集|视频)|(?:您|你)可能(?:感兴趣|还喜欢)(?:的文章)?|推荐阅读|"
    r"延伸阅读|为你推荐|最新(?:报道|文章|新闻)|热门(?:文章|推荐|排行|新闻)?|(?:点击|评论|阅读)?排行(?:榜)?|"
    r"精华文章|新闻评论|热帖|热词|本周热门|猜你喜欢|more (?:stories|from)|related (?:articles|stories|content)|"
    r"recommended(?: for you)?|most (?:read|popular|viewed)|ähnliche artikel|mehr zum thema|das könnte sie auch interessieren|"
    r"関連記事|関連キーワード|おすすめ(?:情報|記事)?|本(?:栏目|频道)(?:最新|推荐|热门)?(?:文章|新闻)?|同栏目(?:文章|新闻)?)\s*[:：]?$",
    re.I,
)
TAIL_HEADING_MIN_SHARE = 1 / 3
# A paywall notice: what follows it is the subscription pitch, wherever it stands.
PAYWALL_LINE_RE = re.compile(
    r"この記事は会員限定です|この記事は有料会員限定|la suite est réservée aux abonnés|il vous reste [\d.,]+ ?% de cet article"
    r"|^(?:this article is|this story is) (?:only )?(?:available )?(?:for|to) subscribers|subscribe to (?:continue|keep) reading"
    r"|^(?:dieser artikel|der vollständige artikel) ist (?:nur )?(?:für|exklusiv für) (?:abonnenten|abonnentinnen)"
    r"|^(?:本文|全文)为付费内容|^订阅后(?:可)?(?:阅读|查看)全文",
    re.I,
)
# A short line that is the whole text of one of the page's links is a menu or list entry.
LINK_LINE_MAX_CHARS = 40
# ...also with what a headline list puts after the link: its date, time, comment or view count
# ("市科协召开工作会议2025-03-04", "某某新闻 评论 12", "Headline (3 comments)").
LIST_ENTRY_TAIL_RE = re.compile(
    r"\s*[(（\[]?\s*(?:(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2})?"
    r"|(?:评论|阅读|浏览|点击|回复|comments?|views?)\s*[:：]?\s*\d+|\d+\s*(?:条评论|评论|人阅读|阅读|次浏览|comments?|views?))"
    r"\s*[)）\]]?$",
    re.I,
)
# ...unless such lines are more than this share of the text: a list page, kept whole (and flagged).
LINK_LINES_MAX_SHARE = 0.5
# trafilatura's body is replaced by the page's densest text block when it is this short (characters
# without spaces) or this link-dense: a menu or a headline list instead of the article.
POOR_BODY_CHARS = 120
POOR_BODY_LINK_DENSITY = 0.4
