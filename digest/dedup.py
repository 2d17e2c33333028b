"""Near-duplicate articles of one language: reposts across sites, http/https and mobile variants
of one URL, lightly edited copies.

Two articles are one story when their URLs are variants of one another (:func:`url_key`), or
when the character shingles of their title and body overlap by at least ``threshold``
(Jaccard). Character shingles need no word segmentation, so Chinese works as English does.
MinHash LSH (datasketch's sketches and bands) finds the candidate pairs without comparing every
pair; each candidate is then checked on its exact shingle sets, so the LSH's false positives never
merge anything. The search keeps a sketch per article, not its text (:class:`NearDuplicateSearch`):
the exact sets are made again for the candidates only, a few hundred pairs at a time.
Thresholds were tuned on the synthetic day of bench/digest_dedup.py.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
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
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

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


# candidate pairs checked on their exact shingle sets this many at a time: only their articles'
# texts are read again and shingled, so the check's memory does not grow with the day
EXACT_CHECK_PAIRS = 128
# candidate pairs whose sketches are compared at once (a pair's comparison is 2 x num_perm values)
ESTIMATE_PAIRS = 1024
# sketches are kept in blocks of this many rows (one numpy array each, not one per article)
SKETCH_BLOCK = 1024


class NearDuplicateSearch:
    """The near-duplicate search fed one article at a time, keeping of each only its URL key and
    its MinHash values (num_perm 32-bit integers), never its text or shingles.

    The candidate pairs are those of MinHash LSH: two articles whose values agree on every
    position of at least one band (datasketch's MinHashLSH bands for the threshold), found by
    sorting each band's rows rather than by datasketch's index, whose buckets are a Python set
    per article and band (32 of them: ~14 KiB an article, more than the article's sketch and
    metadata together). Candidates whose sketches estimate less than ``threshold - 0.15``
    (MinHash.jaccard) are dropped; the rest are decided on their exact shingle sets by
    :meth:`groups`, which asks for the texts of their articles again (a few hundred at a time)."""

    def __init__(self, config: DedupConfig | None = None) -> None:
        import numpy
        from datasketch import MinHash, MinHashLSH

        self._numpy = numpy  # imported with datasketch, when a digest is built, not with the package
        self.config = config or DedupConfig()
        self._minhash = MinHash
        # a lower LSH threshold than the exact check: LSH's S-curve then misses almost no true pair
        lsh = MinHashLSH(threshold=max(0.1, self.config.threshold - 0.15), num_perm=self.config.num_perm)
        self.bands: list[tuple[int, int]] = list(lsh.hashranges)
        self._permutations = MinHash(num_perm=self.config.num_perm).permutations  # one set, shared: built once
        self._rows: list[int] = []  # each article's row of MinHash values in the blocks (-1: no text)
        self._blocks: list = []  # numpy uint32 arrays of SKETCH_BLOCK rows of num_perm values
        self._filled = 0  # rows used
        self._by_url: dict[str, int] = {}
        self._found = _UnionFind()

    def __len__(self) -> int:
        return len(self._rows)

    def _sketch(self, i: int):
        row = self._rows[i]
        return self._blocks[row // SKETCH_BLOCK][row % SKETCH_BLOCK]

    def add(self, url: str, title: str, text: str) -> int:
        """Index one article (its URL, title and body); returns its index."""
        config = self.config
        i = self._found.add()
        key = url_key(url)
        if key in self._by_url:
            self._found.union(self._by_url[key], i)
        else:
            self._by_url[key] = i
        hashes = shingle_hashes(normalized_text(title, text), config.shingle)
        if not hashes:
            self._rows.append(-1)
            return i
        sketch = self._minhash(
            num_perm=config.num_perm, hashfunc=_identity, permutations=self._permutations, scheme="affine32"
        )
        sketch.update_batch(hashes)
        if self._filled % SKETCH_BLOCK == 0:
            self._blocks.append(self._numpy.empty((SKETCH_BLOCK, config.num_perm), dtype=sketch.hashvalues.dtype))
        self._blocks[-1][self._filled % SKETCH_BLOCK] = sketch.hashvalues
        self._rows.append(self._filled)
        self._filled += 1
        return i

    def lsh_pairs(self) -> tuple:
        """(i, j), i < j, of the articles sharing an LSH band, sorted by i then j: two numpy
        arrays (a day's pairs are many more than its candidates)."""
        np = self._numpy
        # the article of each row (rows are filled in the order of the articles)
        indexes = np.array([i for i, row in enumerate(self._rows) if row >= 0], dtype=np.int64)
        if len(indexes) < 2:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        n = len(self._rows)
        codes = []
        for start, end in self.bands:
            band = np.concatenate([block[:, start:end] for block in self._blocks])[: len(indexes)]
            order = np.lexsort(band.T[::-1])
            ordered = band[order]
            # runs of equal rows: the articles of one LSH bucket
            first = np.ones(len(order), dtype=bool)
            first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
            starts = np.flatnonzero(first)
            sizes = np.diff(np.append(starts, len(order)))
            # buckets of two (most of them) at once, bigger ones one by one
            pairs = starts[sizes == 2]
            first_of, second_of = indexes[order[pairs]], indexes[order[pairs + 1]]
            codes.append(np.minimum(first_of, second_of) * n + np.maximum(first_of, second_of))
            for run, size in zip(starts[sizes > 2], sizes[sizes > 2], strict=True):
                members = np.sort(indexes[order[run : run + size]])
                left, right = np.triu_indices(size, 1)
                codes.append(members[left] * n + members[right])
        unique = np.unique(np.concatenate(codes))
        return unique // n, unique % n

    def candidates(self) -> list[tuple[int, int]]:
        """The LSH pairs whose sketches estimate at least ``threshold - 0.15``, sorted."""
        np = self._numpy
        lefts, rights = self.lsh_pairs()
        kept = []
        for start in range(0, len(lefts), ESTIMATE_PAIRS):
            left = lefts[start : start + ESTIMATE_PAIRS]
            right = rights[start : start + ESTIMATE_PAIRS]
            agree = np.stack([self._sketch(i) for i in left]) == np.stack([self._sketch(j) for j in right])
            # MinHash.jaccard: agreeing positions over num_perm, in float64 as Python's float
            estimates = np.count_nonzero(agree, axis=1) / float(agree.shape[1])
            chosen = estimates >= self.config.threshold - 0.15
            kept += zip(left[chosen].tolist(), right[chosen].tolist(), strict=True)
        return kept

    def _shingles(self, title: str, text: str):
        """The exact shingle set as a sorted numpy array (4 bytes a shingle, not a Python int's
        ~60 in a set): what a block of candidates holds at once."""
        np = self._numpy
        hashes = shingle_hashes(normalized_text(title, text), self.config.shingle)
        values = np.fromiter(hashes, dtype=np.uint32, count=len(hashes))
        values.sort()
        return values

    def groups(self, texts: Callable[[Sequence[int]], Iterable[tuple[str, str]]]) -> list[list[int]]:
        """Indexes of the articles grouped into stories (each group sorted, groups by first index).
        ``texts(indexes)`` gives the (title, text) of those articles again, in that order: the
        candidates' exact shingle sets decide, so the LSH's false positives never merge."""
        np = self._numpy
        found = self._found
        pending = self.candidates()
        for start in range(0, len(pending), EXACT_CHECK_PAIRS):
            # a pair already in one story needs no check (URL variants, or joined through others)
            block = [(i, j) for i, j in pending[start : start + EXACT_CHECK_PAIRS] if found.find(i) != found.find(j)]
            wanted = sorted({k for pair in block for k in pair})
            shingles = {k: self._shingles(title, text) for k, (title, text) in zip(wanted, texts(wanted), strict=True)}
            for i, j in block:
                a, b = shingles[i], shingles[j]
                shared = np.intersect1d(a, b, assume_unique=True).size
                # jaccard() of the two sets: the same integers, so the same quotient
                if (
                    found.find(i) != found.find(j)
                    and a.size
                    and b.size
                    and shared / (a.size + b.size - shared) >= self.config.threshold
                ):
                    found.union(i, j)
        return found.groups()


def near_duplicate_groups(
    urls: Sequence[str], titles: Sequence[str], bodies: Sequence[str], config: DedupConfig | None = None
) -> list[list[int]]:
    """Indexes of the articles grouped into stories (each group sorted, groups by first index)."""
    search = NearDuplicateSearch(config)
    for url, title, body in zip(urls, titles, bodies, strict=True):
        search.add(url, title, body)
    return search.groups(lambda indexes: [(titles[i], bodies[i]) for i in indexes])
