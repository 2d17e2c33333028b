"""The attachments stage: document links (pdf, doc(x), xls(x), zip, wps...) recorded, never crawled."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from parsel import Selector

from crawlers.extract.family import AttachmentRules, Hook
from crawlers.extract.html import normalize_space, url_path, without
from crawlers.extract.page import Page
from crawlers.extract.rules import ATTACHMENT_LABEL_RE, ATTACHMENT_RE, TRS_ATTACHMENT_RE
from crawlers.extract.urls import canonical_url


def is_attachment_url(url: str) -> bool:
    """A document link (TRS ``P0….pdf`` or any pdf/doc/xls/zip/wps...), never an article."""
    path = url_path(url)
    return bool(TRS_ATTACHMENT_RE.search(path) or ATTACHMENT_RE.search(path))


def read_attachments(page: Page) -> None:
    """``extra["attachments"]`` ``[{name, url}]`` where ``page.family.attachments`` says to look."""
    rules = page.family.attachments
    if isinstance(rules, Hook):
        page.hook(rules.name)(page)
    elif isinstance(rules, AttachmentRules):
        containers = _containers(page, rules)
        if containers is not None:
            page.extra["attachments"] = find_attachments(containers, page.url)


def _containers(page: Page, rules: AttachmentRules) -> list[Selector] | None:
    """Where to look (None: nowhere, and nothing is recorded)."""
    if rules.without is not None:
        return [without(page.sel.root, rules.without)]
    found = [s for css in page.rules[rules.containers] for s in page.sel.css(css)] if rules.containers else []
    if not found and rules.body and page.body_match:
        found = [page.body_match[1]]
    return found if found or rules.always else None


def find_attachments(containers: list[Selector], base_url: str) -> list[dict[str, str]]:
    """Document links inside the containers: ``[{name, url}]``, each URL once."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for container in containers:
        for link in container.css("a[href]"):
            href = (link.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = canonical_url(href, base=base_url)
            if not ATTACHMENT_RE.search(url) or url in seen:
                continue
            seen.add(url)
            name = _link_name(link) or url.rstrip("/").rsplit("/", 1)[-1]
            found.append({"name": name, "url": url})
    return found


def download_links(sel: Selector, css_list: tuple[str, ...], base_url: str, seen: set[str]) -> list[dict[str, str]]:
    """The links of ``css_list`` anywhere on the page, whatever their URL (a download servlet such as
    Hanweb's ``/module/download/downfile.jsp?filename=…``); their URLs are added to ``seen``."""
    found: list[dict[str, str]] = []
    for css in css_list:
        for link in sel.css(css):
            url = canonical_url((link.attrib.get("href") or "").strip(), base=base_url)
            if url in seen:
                continue
            seen.add(url)
            name = _link_name(link) or dict(parse_qsl(urlsplit(url).query)).get("filename", "")
            found.append({"name": name or url.rsplit("/", 1)[-1], "url": url})
    return found


def _link_name(link: Selector) -> str:
    """A link's text (else its title) without a label such as "附件2：" in front."""
    name = normalize_space("".join(link.root.itertext())) or normalize_space(link.attrib.get("title"))
    return ATTACHMENT_LABEL_RE.sub("", name).strip() or name
