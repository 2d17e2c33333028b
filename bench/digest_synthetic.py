"""The synthetic day of bench/digest_dedup.py: 2,000 articles (seeded, deterministic) with
planted duplicates: reposts with small edits on other hosts, URL variants of one page, and English
versions written from the same facts (numbers, dates, places), among bureau notices that share
boilerplate lines (the hard negatives). Each article's own text is random filler, so that unrelated
articles share no more than real ones do."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from digest import DigestItem

SH = ZoneInfo("Asia/Shanghai")

PLACES = [
    ("重庆", "Chongqing"),
    ("成都", "Chengdu"),
    ("北京", "Beijing"),
    ("上海", "Shanghai"),
    ("深圳", "Shenzhen"),
    ("杭州", "Hangzhou"),
    ("南京", "Nanjing"),
    ("武汉", "Wuhan"),
    ("西安", "Xi'an"),
    ("合肥", "Hefei"),
]
FIELDS = [
    ("人工智能", "artificial intelligence"),
    ("集成电路", "integrated circuits"),
    ("生物医药", "biomedicine"),
    ("新能源汽车", "new energy vehicles"),
    ("新材料", "new materials"),
    ("量子信息", "quantum information"),
    ("低空经济", "the low-altitude economy"),
    ("数字经济", "the digital economy"),
    ("智能制造", "smart manufacturing"),
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
BOILERPLATE = [
    "各区县（自治县）科技主管部门，各有关单位：",
    "请各单位高度重视，认真组织申报，确保申报材料真实有效。",
    "逾期不予受理。特此通知。",
    "联系人：综合处，电话：023-00000000（示例）。",
]
ZH_FACTS = [
    "{place}市科技局{m}月{d}日发布{field}领域项目指南，今年计划支持{n1}个项目。",
    "本批项目财政资金总额{money}亿元，单个项目资助不超过{cap}万元。",
    "{place}{field}产业规模去年增长{pct}%，企业数量达到{n2}家。",
    "申报截止时间为{m2}月{d2}日，项目实施周期一般为{years}年。",
    "{place}已建成{field}创新平台{n3}个，集聚研发人员{n4}人。",
    "政协委员建议，{place}要加快{field}关键核心技术攻关，完善成果转化机制。",
    "会议指出，要推动{field}与实体经济深度融合，培育一批专精特新企业。",
]
EN_FACTS = [
    "{place} science and technology bureau published a {field} project guide on {month} {d}, planning to support {n1} projects this year.",
    "The batch carries {money_en} billion yuan of public funding, with no more than {cap_en} million yuan for a single project.",
    "The {field} industry of {place} grew by {pct} percent last year, and the number of companies reached {n2}.",
    "Applications close on {month2} {d2}, and projects normally run for {years} years.",
    "{place} has built {n3} innovation platforms for {field}, bringing together {n4} researchers.",
    "Political advisers suggested that {place} speed up research on core technologies in {field}.",
    "The meeting called for closer integration of {field} with the real economy.",
]
# filler words: what makes two unrelated articles unlike each other, as in real text
ZH_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
EN_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "this",
    "be",
    "are",
    "was",
    "it",
    "an",
    "or",
    "which",
    "its",
    "their",
    "has",
    "have",
    "new",
    "more",
    "city",
    "province",
    "research",
    "science",
    "technology",
    "industry",
    "company",
    "companies",
    "project",
    "projects",
    "plan",
    "fund",
    "funding",
    "support",
    "innovation",
    "development",
    "platform",
    "talent",
    "talents",
    "university",
    "universities",
    "laboratory",
    "data",
    "digital",
    "economy",
    "energy",
    "vehicle",
    "vehicles",
    "manufacturing",
    "service",
    "services",
    "policy",
    "reform",
    "market",
    "local",
    "national",
    "program",
    "programme",
    "center",
    "centre",
    "park",
    "zone",
    "pilot",
    "test",
    "first",
    "year",
    "month",
    "week",
    "team",
    "teams",
    "leader",
    "officials",
    "report",
    "government",
    "meeting",
    "experts",
    "advisers",
    "members",
    "proposal",
    "proposals",
    "growth",
    "output",
    "investment",
    "finance",
    "bank",
    "loan",
    "credit",
    "export",
    "trade",
    "rural",
    "village",
    "farm",
    "farmers",
    "health",
    "hospital",
    "medical",
    "school",
    "students",
    "young",
    "engineers",
    "scientists",
    "design",
    "build",
    "open",
    "launch",
    "expand",
    "improve",
    "increase",
    "reduce",
    "help",
    "boost",
    "attract",
]
HOSTS = [f"kj{i}.example.gov.cn" for i in range(12)] + [
    "www.rmzxw.example.cn",
    "cppcc.people.example.cn",
    "news.example.cn",
]


def _facts(rng: random.Random) -> dict:
    place, place_en = rng.choice(PLACES)
    field, field_en = rng.choice(FIELDS)
    money = rng.choice([round(rng.uniform(1, 60), 1), rng.randint(2, 90)])
    cap = rng.choice([50, 80, 100, 200, 300, 500])
    m, d = 3, rng.randint(1, 5)
    m2, d2 = rng.randint(4, 6), rng.randint(1, 28)
    return dict(
        place=place,
        place_en=place_en,
        field=field,
        field_en=field_en,
        n1=rng.randint(12, 480),
        money=money,
        money_en=f"{money / 10:g}",
        cap=cap,
        cap_en=f"{cap / 100:g}",
        pct=rng.randint(11, 45),
        n2=rng.randint(120, 9000),
        m=m,
        d=d,
        month=MONTHS[m - 1],
        m2=m2,
        d2=d2,
        month2=MONTHS[m2 - 1],
        years=rng.randint(2, 3),
        n3=rng.randint(11, 95),
        n4=rng.randint(1200, 60000),
    )


def _zh(facts: dict, rng: random.Random, notice: bool) -> tuple[str, str]:
    kind = rng.choice(
        [
            "关于组织申报2024年度{field}重点专项项目的通知",
            "{place}发布{field}产业创新行动方案",
            "政协委员建言{place}{field}发展",
        ]
    )
    title = kind.format(**facts)
    order = rng.sample(range(len(ZH_FACTS)), rng.randint(2, 4))
    facts["order"] = sorted(order)  # a translation says the same facts
    sentences = [ZH_FACTS[i].format(**facts) for i in sorted(order)]
    # the article's own text: what no other article says
    for _ in range(rng.randint(3, 6)):
        sentences.insert(
            rng.randrange(len(sentences) + 1), "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(25, 60))) + "。"
        )
    if notice:  # the boilerplate every bureau notice shares: the hard negatives
        sentences = [BOILERPLATE[0], *sentences, *BOILERPLATE[1:]]
    return f"{facts['place']}{title}" if not title.startswith(facts["place"]) else title, "\n".join(sentences)


def _en(facts: dict, rng: random.Random) -> tuple[str, str]:
    values = {**facts, "place": facts["place_en"], "field": facts["field_en"]}
    order = facts.get("order") or sorted(rng.sample(range(len(EN_FACTS)), rng.randint(2, 4)))
    title = rng.choice(
        [
            "{place} Backs {n1} Projects in {field}",
            "{place} Plans Support for {field}",
            "Advisers Urge {place} to Boost {field}",
        ]
    )
    sentences = [EN_FACTS[i].format(**values) for i in order]
    for _ in range(rng.randint(2, 4)):
        words = " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(10, 25)))
        sentences.insert(rng.randrange(len(sentences) + 1), words.capitalize() + ".")
    return title.format(**values).title(), " ".join(sentences)


def _edit(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    if len(lines) > 3 and rng.random() < 0.5:
        lines.pop(rng.randrange(1, len(lines)))
    text = "\n".join(lines)
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice("的了和在是") + text[i + 1 :]
    if rng.random() < 0.5:
        text += "\n（来源：新华社）" if rng.random() < 0.5 else "\n责任编辑：王宁"
    return text


def synthetic_day(seed: int = 7, size: int = 2000) -> tuple[list[DigestItem], list[int]]:
    """(articles, gold story id of each)."""
    rng = random.Random(seed)
    items, gold = [], []

    def add(title: str, url: str, body: str, language: str, story: int, hours: float) -> None:
        when = datetime(2024, 3, 5, tzinfo=SH) - timedelta(hours=hours)
        items.append(DigestItem(title, url, when, None, None, language, body))
        gold.append(story)

    story = 0
    bases = []
    while len(items) < size:
        story += 1
        facts = _facts(rng)
        host = rng.choice(HOSTS)
        path = f"/art/2024/3/{story}.html"
        roll = rng.random()
        if roll < 0.07:  # an English story of its own
            title, body = _en(facts, rng)
            add(title, f"https://en.{host}{path}", body, "en", story, rng.uniform(0, 60))
            continue
        title, body = _zh(facts, rng, notice=rng.random() < 0.5)
        hours = rng.uniform(0, 72)
        add(title, f"https://{host}{path}", body, "zh", story, hours)
        bases.append(story)
        if roll < 0.25:  # reposts with small edits on other hosts
            for _ in range(rng.choice([1, 1, 2])):
                other = rng.choice([h for h in HOSTS if h != host])
                add(
                    title if rng.random() < 0.7 else title + "（转载）",
                    f"https://{other}/c/{story}_{len(items)}.shtml",
                    _edit(body, rng),
                    "zh",
                    story,
                    hours - rng.uniform(0.5, 6),
                )
        elif roll < 0.33:  # a URL variant of the same page (http, mobile host)
            variant = rng.choice(
                [
                    f"http://{host}{path}",
                    f"https://m.{host.removeprefix('www.')}{path}",
                    f"http://m.{host}{path}?from=timeline",
                ]
            )
            add(title, variant, body if rng.random() < 0.5 else body + "\n责任编辑：李明", "zh", story, hours)
        elif roll < 0.43:  # its English version
            en_title, en_body = _en(facts, rng)
            add(en_title, f"https://en.{host}/news/{story}.html", en_body, "en", story, hours - rng.uniform(1, 20))
    return items[:size], gold[:size]
