"""Extraction benchmark: the generic fallback next to plain trafilatura, on the same pages, same run.

    .venv/bin/python bench/extraction.py [--cases FILE] [--set fundus|zh-portals|all] [--json] [--worst N]

Page sets, both by default, each scored for every system in the same run:

* ``fundus`` — 59 real news pages with the expected parse (``../shared/eval/extraction/fundus.dev.jsonl.gz``,
  ``../shared/eval/README.md``); a time without offset is read in the publisher's zone
  (``FUNDUS_ZONES``, by the country of the page id), as a source's configuration would state it;
* ``zh-portals`` — 27 Chinese portal pages (``../shared/eval/extraction/zh-portals/*.html``, see its
  PROVENANCE.md) with the expected title, time and body paragraphs labelled by reading each page,
  in ``bench/zh_portals.labels.json``; a time without offset is read in Asia/Shanghai (what a
  Chinese source's configuration states).

Metric, per page: bag-of-tokens precision, recall and F1 of the extracted body against the joined
expected paragraphs — one token per CJK character (Han, kana, Hangul), words elsewhere, lowercased,
after NFC normalisation and without soft hyphens — averaged over the pages (macro). Also: the share
of pages whose title equals the expected one (whitespace normalised) and whose date is the expected
calendar day in the publisher's zone. Every figure is also given for the first and the second half
of each set (the set's order, a fixed split): how much it moves between two samples.

Systems:
* ``policywatch generic`` — ``crawlers.extract.generic.parse_generic`` (what a page without family
  rules gets, and the body fallback of every family parser);
* ``trafilatura extract`` — ``trafilatura.extract(html, url=url)`` with default settings (title and
  date from ``trafilatura.extract_metadata``).

Exit status 2 when neither page set is found (a fresh clone has no ../shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT.parent / "shared" / "eval" / "extraction" / "fundus.dev.jsonl.gz"
ZH_PORTALS_DIR = ROOT.parent / "shared" / "eval" / "extraction" / "zh-portals"
ZH_PORTALS_LABELS = ROOT / "bench" / "zh_portals.labels.json"

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


def tokens(text: str | None) -> Counter[str]:
    """Lowercased tokens: each CJK character alone, runs of other letters/digits as words. The text
    is NFC-normalised and soft hyphens (invisible) dropped first: "su\u0308dtiroler" (decomposed, as
    some expected parses have it) and "Brenn\u00adpunkt" are the words the reader sees."""
    text = unicodedata.normalize("NFC", text or "").replace("\u00ad", "")
    return Counter(_TOKEN.findall(text.lower()))


def precision_recall_f1(got: str | None, expected: str) -> tuple[float, float, float]:
    found, wanted = tokens(got), tokens(expected)
    overlap = sum((found & wanted).values())
    precision = overlap / sum(found.values()) if found else 0.0
    recall = overlap / sum(wanted.values()) if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Extraction:
    body: str
    title: str | None = None
    published_at: datetime | None = None


@dataclass
class Scores:
    system: str
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title_ok: float = 0.0
    date_ok: float = 0.0
    seconds: float = 0.0
    per_page: dict[str, float] = field(default_factory=dict)  # case id -> F1
    pages_scored: list[dict] = field(default_factory=list)  # per page: id, p, r, f1, title_ok, date_ok


# The zone each fundus publisher states its times in, by the country of its id ("jp-TokyoShimbun"):
# what a source's configuration gives the parser (config: a source's timezone), so that a page time
# without an offset is read as its publisher means it. Countries with several zones: the capital's
# (us: America/New_York; the pages state an offset but for one).
FUNDUS_ZONES = {
    "at": "Europe/Vienna", "au": "Australia/Perth", "be": "Europe/Brussels", "ca": "America/Toronto",
    "ch": "Europe/Zurich", "de": "Europe/Berlin", "dk": "Europe/Copenhagen", "es": "Europe/Madrid",
    "fr": "Europe/Paris", "gl": "America/Nuuk", "il": "Asia/Jerusalem", "isl": "Atlantic/Reykjavik",
    "it": "Europe/Rome", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "lt": "Europe/Vilnius",
    "my": "Asia/Kuala_Lumpur", "no": "Europe/Oslo", "pt": "Europe/Lisbon", "ru": "Europe/Moscow",
    "tr": "Europe/Istanbul", "tz": "Africa/Dar_es_Salaam", "ua": "Europe/Kyiv", "uk": "Europe/London",
    "us": "America/New_York", "za": "Africa/Johannesburg",
}  # fmt: skip


def load_cases(path: Path) -> list[dict]:
    """The fundus pages, each with the zone of its publisher (``FUNDUS_ZONES``, else UTC)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle if line.strip()]
    for case in cases:
        case["default_tz"] = FUNDUS_ZONES.get(case["id"].split("-")[0], "UTC")
    return cases


def load_zh_portals(labels: Path = ZH_PORTALS_LABELS, pages: Path = ZH_PORTALS_DIR) -> list[dict]:
    """The labelled Chinese portal pages, their HTML read from ``pages`` (bytes: the parser sniffs the charset)."""
    cases = json.loads(labels.read_text(encoding="utf-8"))
    for case in cases:
        case["html"] = (pages / case["file"]).read_bytes()
        case["default_tz"] = "Asia/Shanghai"
    return cases


def _same_day(got: datetime | None, expected: str | None, zone: str = "UTC") -> bool:
    """Both on the same calendar day in the publisher's ``zone`` (a value without offset is in it):
    the day a reader of the source sees, whatever zone each system expresses its time in."""
    if got is None or not expected:
        return False
    try:
        wanted = datetime.fromisoformat(expected)
    except ValueError:
        return False
    tz = ZoneInfo(zone)
    wanted = wanted.astimezone(tz) if wanted.tzinfo else wanted
    got = got.astimezone(tz) if got.tzinfo else got
    return got.date() == wanted.date()


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def evaluate(system: str, extract: Callable[[dict], Extraction], cases: Iterable[dict]) -> Scores:
    scores = Scores(system)
    started = time.perf_counter()
    for case in cases:
        expected = case["expected"]
        result = extract(case)
        p, r, f = precision_recall_f1(result.body, "\n".join(expected.get("paragraphs") or []))
        scores.pages += 1
        scores.precision += p
        scores.recall += r
        scores.f1 += f
        title_ok = _norm(result.title) == _norm(expected.get("title"))
        date_ok = _same_day(result.published_at, expected.get("publishing_date"), case.get("default_tz", "UTC"))
        scores.title_ok += title_ok
        scores.date_ok += date_ok
        scores.per_page[case["id"]] = f
        scores.pages_scored.append(
            {"id": case["id"], "p": p, "r": r, "f1": f, "title_ok": title_ok, "date_ok": date_ok}
        )
    scores.seconds = time.perf_counter() - started
    for name in ("precision", "recall", "f1", "title_ok", "date_ok"):
        setattr(scores, name, getattr(scores, name) / max(scores.pages, 1))
    return scores


def policywatch_generic(case: dict) -> Extraction:
    from crawlers.extract.generic import parse_generic

    article = parse_generic(case["html"], case["url"], default_tz=case.get("default_tz", "UTC"))
    return Extraction(article.body, article.title, article.published_at)


def trafilatura_plain(case: dict) -> Extraction:
    import trafilatura

    from crawlers.extract.dates import parse_date

    html = case["html"]
    body = trafilatura.extract(html, url=case["url"]) or ""
    metadata = trafilatura.extract_metadata(html, default_url=case["url"])
    title = metadata.title if metadata else None
    tz = case.get("default_tz", "UTC")
    date = parse_date(metadata.date, default_tz=tz) if metadata and metadata.date else None
    return Extraction(body, title, date)


SYSTEMS: dict[str, Callable[[dict], Extraction]] = {
    "policywatch generic": policywatch_generic,
    "trafilatura extract": trafilatura_plain,
}


def run_benchmark(path: Path = DEFAULT_CASES) -> list[Scores]:
    """Every system on every case of ``path`` (same pages, same run)."""
    cases = load_cases(path)
    return [evaluate(name, extract, cases) for name, extract in SYSTEMS.items()]


def run_zh_portals(labels: Path = ZH_PORTALS_LABELS, pages: Path = ZH_PORTALS_DIR) -> list[Scores]:
    """Every system on every labelled Chinese portal page (same pages, same run)."""
    cases = load_zh_portals(labels, pages)
    return [evaluate(name, extract, cases) for name, extract in SYSTEMS.items()]


def halves(scores: Scores) -> list[Scores]:
    """``scores`` of the first and of the second half of the pages (in the set's order: a fixed,
    deterministic split), to show how much a figure moves between two samples of the same set."""
    cut = (len(scores.pages_scored) + 1) // 2
    result = []
    for name, part in (("1st half", scores.pages_scored[:cut]), ("2nd half", scores.pages_scored[cut:])):
        half = Scores(f"{scores.system}, {name}", pages=len(part))
        for key, attr in (
            ("p", "precision"),
            ("r", "recall"),
            ("f1", "f1"),
            ("title_ok", "title_ok"),
            ("date_ok", "date_ok"),
        ):
            setattr(half, attr, sum(page[key] for page in part) / max(len(part), 1))
        result.append(half)
    return result


def table(results: list[Scores]) -> str:
    lines = [
        "| system | pages | body P | body R | body F1 | title exact | date day | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in results:
        lines.append(
            f"| {s.system} | {s.pages} | {s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}** | "
            f"{s.title_ok:.0%} | {s.date_ok:.0%} | {f'{s.seconds:.1f}' if s.seconds else '–'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="jsonl.gz of pages with expected parses")
    parser.add_argument("--set", choices=("fundus", "zh-portals", "all"), default="all", help="page set(s) to score")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--worst", type=int, default=0, help="also list the N pages where the fallback scores lowest")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    runs: list[tuple[str, Callable[[], list[Scores]]]] = []
    if args.set in ("fundus", "all"):
        if args.cases.is_file():
            runs.append((f"{args.cases}", lambda: run_benchmark(args.cases)))
        else:
            print(f"fundus pages skipped: {args.cases} not found (../shared/eval beside the checkout)", file=sys.stderr)
    if args.set in ("zh-portals", "all"):
        if ZH_PORTALS_DIR.is_dir():
            runs.append((f"{ZH_PORTALS_DIR} + {ZH_PORTALS_LABELS.name}", run_zh_portals))
        else:
            print(f"zh-portals pages skipped: {ZH_PORTALS_DIR} not found", file=sys.stderr)
    if not runs:
        return 2
    report = []
    for name, run in runs:
        results = run()
        report.append(
            {
                "set": name,
                "scores": [
                    {k: v for k, v in asdict(s).items() if k not in ("per_page", "pages_scored")}
                    for s in results + [half for s in results for half in halves(s)]
                ],
            }
        )
        if not args.json:
            print(f"{name} ({results[0].pages} pages)\n")
            print(table(results + [half for s in results for half in halves(s)]))
        if args.worst:
            ours, plain = results[0].per_page, results[1].per_page
            print(f"\nlowest F1 of {results[0].system} (vs {results[1].system}):")
            for case_id in sorted(ours, key=ours.get)[: args.worst]:
                print(f"  {case_id}: {ours[case_id]:.3f} (vs {plain[case_id]:.3f})")
        if not args.json:
            print()
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
