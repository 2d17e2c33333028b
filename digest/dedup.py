"""Near-duplicate articles of one language: reposts across sites, http/https and mobile variants
of one URL, lightly edited copies.

Two articles are one story when their URLs are variants of one another (:func:`url_key`), or
when the character shingles of their title and body overlap by at least ``threshold``
(Jaccard). Character shingles need no word segmentation, so Chinese works as English does.
datasketch's MinHash LSH finds the candidate pairs without comparing every pair; each candidate
is then checked on its exact shingle sets, so the LSH's false positives never merge anything.
Thresholds were tuned on the synthetic day of bench/digest_dedup.py.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

# hosts of one site: "m.", "wap." and "www." are the same pages
_HOST_PREFIXES = ("www.", "m.", "wap.", "mobile.", "3g.")
_INDEX_PAGES = re.compile(r"/(index|default)\.(s?html?|php|jsp)$")
# query parameters that only say where a reader came from
_TRACKING = re.compile(r"^(utm_\w+|spm|from|source|share\w*|isappinstalled|wxfrom|scene)$", re.I)
# letters and digits of any script: punctuation, spaces and layout differ between reposts
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class DedupConfig:
    shingle: int = 4  # characters per shingle
    threshold: float = 0.5  # Jaccard of two articles' shingle sets that makes them one story
    num_perm: int = 128  # MinHash permutations


def url_key(url: str) -> str:
    """One key for the variants of a URL: scheme, www./m./wap. host, index page, tracking
    parameters and fragment do not count."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    path = _INDEX_PAGES.sub("/", parts.path or "/").rstrip("/") or "/"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    return f"{host}{path}" + (f"?{query}" if query else "")


def normalized_text(title: str, body: str) -> str:
    """Title and body as one lower-case run of letters and digits (full-width folded)."""
    text = unicodedata.normalize("NFKC", f"{title} {body}").lower()
    return _NOT_WORD.sub("", text)


def shingle_hashes(text: str, size: int) -> set[int]:
    """CRC-32 of every ``size``-character window (stable across processes, unlike ``hash``)."""
    if len(text) <= size:
        return {zlib.crc32(text.encode("utf-8"))} if text else set()
    return {zlib.crc32(text[i : i + size].encode("utf-8")) for i in range(len(text) - size + 1)}


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            found.setdefault(self.find(i), []).append(i)
        return sorted(found.values(), key=lambda members: members[0])


def _identity(value: int) -> int:
    return value


def near_duplicate_groups(
    urls: Sequence[str], titles: Sequence[str], bodies: Sequence[str], config: DedupConfig | None = None
) -> list[list[int]]:
    """Indexes of the articles grouped into stories (each group sorted, groups by first index)."""
    from datasketch import MinHash, MinHashLSH

    config = config or DedupConfig()
    n = len(urls)
    found = _UnionFind(n)
    by_url: dict[str, int] = {}
    for i, url in enumerate(urls):
        key = url_key(url)
        if key in by_url:
            found.union(by_url[key], i)
        else:
            by_url[key] = i
    shingles = [shingle_hashes(normalized_text(t, b), config.shingle) for t, b in zip(titles, bodies, strict=True)]
    # a lower LSH threshold than the check below: LSH's S-curve then misses almost no true pair
    lsh = MinHashLSH(threshold=max(0.1, config.threshold - 0.15), num_perm=config.num_perm)
    permutations = MinHash(num_perm=config.num_perm).permutations  # one set, shared: built once
    sketches = {}
    for i, hashes in enumerate(shingles):
        if not hashes:
            continue
        sketch = MinHash(num_perm=config.num_perm, hashfunc=_identity, permutations=permutations, scheme="affine32")
        sketch.update_batch(hashes)
        sketches[i] = sketch
        lsh.insert(i, sketch)
    for i, sketch in sketches.items():
        for j in lsh.query(sketch):
            if j <= i or found.find(i) == found.find(j):
                continue
            # the sketches' estimate rules most candidates out cheaply; the exact sets decide
            if (
                sketch.jaccard(sketches[j]) >= config.threshold - 0.15
                and jaccard(shingles[i], shingles[j]) >= config.threshold
            ):
                found.union(i, j)
    return found.groups()
