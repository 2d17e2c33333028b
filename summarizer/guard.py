"""The faithfulness guard: a summary may only state numbers and names that its article states.

:func:`check` pulls from a summary every

* **number** (Arabic digits, with decimals, thousands separators, a percent sign or a Chinese
  unit: "2.7亿元", "13%", "£22,100", "2024年3月5日" gives 2024, 3 and 5; full-width digits
  folded) and every Chinese numeral with a counter ("三项", "二十家"),
* **spelled-out English number**: the Latin text of summary and article is normalised with
  ``text2num`` (``alpha2digit``; Chinese text untouched), so "three people" states 3 and matches
  "3" or "three" in the article, while "four" against "three" is caught; "five million" and
  "5 million" both state 5000000 (and match "5m", "5,000,000", "500万" in the article), "a dozen"
  states 12, "half a million" 500000. Not checked: "one" (mostly a pronoun: "one of the", "no
  one"), the ordinals "first" and "second" ("the first time", "a second"; "third" and up are
  checked as 3, 4...), vague plurals ("hundreds", "tens of thousands", "several million"), and
  fractions ("two-thirds", "a quarter"),
* **Latin name**: capitalised words and acronyms ("Gary Locke", "CPPCC", "U.S."; month and
  weekday names, so the words of a date too), except a capitalised common word that merely
  starts a sentence ("The", "However"),
* **Chinese name**: 《book titles》 and “quoted” names, organisation and place names (a run of
  ideographs ending in 省/市/区/县/局/委/厅/部/院/所/大学/公司/集团/银行/中心/协会/委员会/政府
  /实验室…, cut after the verb or particle before it; common words such as 城市, 地区, 格局 are
  not names), person names next to a title or a speech verb ("局长张伟", "张伟表示"), and every
  person, place, organisation or other proper name that ``jieba``'s part-of-speech tagger finds
  (tags nr, ns, nt, nz; two ideographs or more, minus common words it mis-tags; a place named
  with its administrative suffix, "成都市", is supported by "成都"),

and requires each to occur in the article (numbers compared without separators, or by value
after the normalisation; names case-sensitively on word boundaries for Latin). The result says
what was checked and what is unsupported (a spelled-out number also says how it was written); it
is JSON-serialisable (``GuardResult.to_dict``) and stored with the summary (``summaries.guard``).

No model: regular expressions, ``text2num`` and ``jieba``'s dictionary (loaded once, lazily, on the
first Chinese summary: about 1 s), so it runs on every summary of every backend.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit

__all__ = ["GuardResult", "check", "extract_claims", "GUARD_VERSION"]

GUARD_VERSION = "numbers+en-spelled+latin+zh-entities+jieba;v2"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d+(?:[,，]\d{3})*(?:\.\d+)?")
_ZH_DIGITS = "〇零一二两三四五六七八九十百千万亿"
# a Chinese numeral is checked when a counter or unit follows it ("三项", "二十家", "五年")
_ZH_NUMERAL = re.compile(
    rf"(?<![0-9{_ZH_DIGITS}第])(?=[{_ZH_DIGITS}]*[〇零一二两三四五六七八九十])[{_ZH_DIGITS}]{{1,8}}(?=(?:个|项|家|名|位|人|条|件|批|次|年|月|日|天|倍|成|"
    rf"亿|万|元|所|座|台|套|类|种|期|届|轮|起|块|份|支|只|辆|架|艘|处|篇|本|部))"
)
# numerals inside fixed words that are not quantities
_ZH_NUMERAL_WORDS = re.compile(
    r"一些|一批|一项项|一次性|一体化|一流|一线|统一|唯一|一起|一道|一律|一般|一致|一直|一定|之一|一方面|"
    r"第[一二三四五六七八九十]+|十分|万一|千万(?!元)|一旦|一带一路|两会|两岸|三农|一系列"
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _number_key(token: str) -> str:
    return token.replace(",", "").replace("，", "")


def _numbers(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(_fold(text))]


def _zh_numerals(text: str) -> list[str]:
    cleaned = _ZH_NUMERAL_WORDS.sub(" ", text)
    return [m.group(0) for m in _ZH_NUMERAL.finditer(cleaned)]


# spelled-out English numbers ----------------------------------------------------------------

# alpha2digit converts an isolated number word from this value up: "two" and "second" are
# converted, "one" is not (a pronoun as often as a number: "one of the", "no one", "one day")
_SPELLED_THRESHOLD = 2
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# left as written: vague quantities ("hundreds", "tens of thousands", "several million") and
# "second(s)" (a unit of time as often as an ordinal: "a second later", "second-largest")
_VAGUE = re.compile(
    r"(?i)(?<![\w-])(?:(?:several|a\s+few|few|many|some|multiple|tens\s+of|dozens\s+of|scores\s+of|"
    r"hundreds\s+of|thousands\s+of|millions\s+of)\s+)?(?:tens|dozens|scores|hundreds|thousands|"
    r"millions|billions|trillions)(?![\w-])"
    r"|(?<![\w-])(?:several|a\s+few|few|many|some|multiple)\s+(?:dozen|hundred|thousand|million|"
    r"billion|trillion)(?![\w-])"
    r"|(?<![\w-])seconds?(?![\w-])"
)
_DOZEN = re.compile(r"(?i)(?<![\w-])(half\s+a|a|one)\s+dozen(?![\w-])")
_HALF_A = re.compile(r"(?i)(?<![\w-])half\s+an?\s+(thousand|million|billion|trillion)(?![\w-])")
_DIGITS_SCALE = re.compile(rf"(?i)(?<![0-9A-Za-z.,])({_NUM})\s*(thousand|million|billion|trillion)(?![\w-])")
# abbreviated and Chinese scales: only for the article's values ("$5m", "2.7bn", "500万", "2.7亿")
_ABBR_SCALE = re.compile(rf"(?i)(?<![0-9A-Za-z.,])({_NUM})\s*(万亿|亿|万|bn|mn|tn|[mkb])(?![A-Za-z])")
_ABBR_FACTOR = {
    "万亿": 10**12,
    "亿": 10**8,
    "万": 10**4,
    "bn": 10**9,
    "b": 10**9,
    "mn": 10**6,
    "m": 10**6,
    "tn": 10**12,
    "k": 10**3,
}
_LATIN_RUN = re.compile(rf"[^{_CJK}]+")
_HAS_LETTER = re.compile(r"[A-Za-z]")


def _value_key(number: str, factor: int) -> str | None:
    try:
        value = Decimal(number.replace(",", "")) * factor
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def _scale_words(text: str) -> str:
    text = _DOZEN.sub(lambda m: "6" if m.group(1).lower().startswith("half") else "12", text)
    text = _HALF_A.sub(lambda m: _value_key("0.5", _SCALES[m.group(1).lower()]) or m.group(0), text)
    return _DIGITS_SCALE.sub(lambda m: _value_key(m.group(1), _SCALES[m.group(2).lower()]) or m.group(0), text)


def _convert_latin(run: str) -> str:
    if not _HAS_LETTER.search(run):
        return run
    out, last = [], 0
    for m in _VAGUE.finditer(run):
        out.append(alpha2digit(_scale_words(run[last : m.start()]), "en", threshold=_SPELLED_THRESHOLD))
        out.append(m.group(0))
        last = m.end()
    out.append(alpha2digit(_scale_words(run[last:]), "en", threshold=_SPELLED_THRESHOLD))
    return "".join(out)


def _spelled_to_digits(text: str) -> str:
    """``text`` (folded) with its spelled-out English numbers as digits and "5 million" as
    5000000; Chinese text is left as it is."""
    return _LATIN_RUN.sub(lambda m: _convert_latin(m.group(0)), text)


def _written_numbers(original: str, converted: str) -> dict[str, str]:
    """number key -> how the summary wrote it ("3" -> "three"), for the numbers the
    normalisation produced."""
    if original == converted:
        return {}
    before, after = original.split(), converted.split()
    written: dict[str, str] = {}
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            phrase = " ".join(before[i1:i2]).strip(".,;:!?\"'()")
            for number in _numbers(" ".join(after[j1:j2])):
                written.setdefault(_number_key(number), phrase)
    return written


def _article_number_keys(body: str, normalised: str) -> set[str]:
    """Every number of the article as written and normalised, and the value of every number
    with a scale ("5 million", "$5m", "2.7亿" give 5000000 and 270000000 too)."""
    keys = {_number_key(n) for n in _numbers(body)} | {_number_key(n) for n in _numbers(normalised)}
    for m in _ABBR_SCALE.finditer(body):
        key = _value_key(m.group(1), _ABBR_FACTOR[m.group(2).lower()])
        if key:
            keys.add(key)
    for m in _DIGITS_SCALE.finditer(body):
        key = _value_key(m.group(1), _SCALES[m.group(2).lower()])
        if key:
            keys.add(key)
    return keys


# --------------------------------------------------------------------------------------------
# Latin names
# --------------------------------------------------------------------------------------------

# capitalised words that start sentences or headlines without being names
_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "in",
        "on",
        "at",
        "for",
        "from",
        "to",
        "of",
        "by",
        "with",
        "without",
        "after",
        "before",
        "during",
        "since",
        "until",
        "as",
        "when",
        "while",
        "where",
        "what",
        "who",
        "whom",
        "which",
        "why",
        "how",
        "if",
        "but",
        "and",
        "or",
        "so",
        "yet",
        "also",
        "however",
        "meanwhile",
        "moreover",
        "still",
        "then",
        "there",
        "here",
        "now",
        "today",
        "yesterday",
        "tomorrow",
        "some",
        "many",
        "most",
        "more",
        "all",
        "any",
        "each",
        "every",
        "both",
        "few",
        "no",
        "not",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "third",
        "last",
        "next",
        "new",
        "according",
        "despite",
        "although",
        "though",
        "because",
        "over",
        "under",
        "about",
        "around",
        "across",
        "among",
        "between",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "should",
        "according",
        "officials",
        "police",
        "experts",
        "researchers",
        "people",
        "local",
        "former",
        "mr",
        "mrs",
        "ms",
        "dr",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "hundreds",
        "thousands",
        "millions",
        "billions",
        "tens",
        "dozen",
        "dozens",
        "half",
        "several",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
    ]
)
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9'’&.-]*[A-Za-z0-9]|(?<![A-Za-z0-9])[A-Z](?![A-Za-z0-9])")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？；;:：\"“”'‘]\s*|\n\s*)$")


def _clean_latin(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    return word.rstrip(".")


def _latin_names(text: str) -> list[str]:
    names = []
    for m in _LATIN_WORD.finditer(text):
        word = _clean_latin(m.group(0))
        if len(word) < 2 and not word.isupper():
            continue
        at_start = bool(_SENTENCE_START.search(text[: m.start()]))
        if word.lower() in _COMMON and (at_start or word[1:].islower()):
            continue
        names.append(word)
    return names


def _latin_in(word: str, article_lower: str) -> bool:
    """The word on word boundaries, in any case ("BEIJING", a headline's "Says" for "says")."""
    pattern = r"(?<![a-z0-9])" + re.escape(word.lower()) + r"(?![a-z0-9])"
    return re.search(pattern, article_lower) is not None


# --------------------------------------------------------------------------------------------
# Chinese names
# --------------------------------------------------------------------------------------------

_BOOK = re.compile(r"《([^》]{2,60})》")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,20})[”\"]")
_ORG_SUFFIX = (
    "委员会|办公室|办公厅|实验室|研究院|研究所|研究中心|管理局|工作组|自治区|自治州|特别行政区|"
    "大学|学院|公司|集团|银行|协会|学会|医院|政府|法院|检察院|基金会|"
    # one-ideograph suffixes, minus the common words they end ("城市", "地区", "格局", "全部"...)
    "(?<![城上股超都楼夜门])市(?!场|民|值|面|级)|(?<![地社园城山景小辖片灾疫误盲专])区(?!域|间|别|块)|"
    "省(?!级|份|内|外|钱|略)|县(?!级|域)|(?<![格结布大当开棋赌饭])局(?!面|势|部|限)|"
    "(?<![餐大客门展])厅|委(?!员|托|屈|婉)|(?<![内全外干底顶东西南北中头胸腹])部(?!分|署|门|件|位|队|长)|"
    "署(?!名)|(?<![庭寺])院(?!士|长|线|子)|(?<![场厕住寓])所(?!有|以|在|得|谓|属|长|需|说)"
)
_ORG = re.compile(rf"[{_CJK}]{{2,14}}?(?:{_ORG_SUFFIX})")
# words that end the run before a name: particles, verbs, conjunctions ("并要求北京市科委" -> 北京市科委)
_HEAD_CUT = re.compile(
    r".*(?:的|了|在|和|与|及|对|向|由|是|将|把|被|从|为|于|据|到|等|或|并|同|给|让|使|以|"
    r"表示|要求|指出|强调|认为|介绍|宣布|联合|召开|发布|印发|组织|举办|成立|出台|推出|来自|位于|"
    r"会同|牵头|支持|鼓励|推动|加快|建设|设立|批准|同意|获悉|报道|消息|记者|今年|去年|近日|日前)"
)
_TITLES = (
    "主席|副主席|委员|代表|书记|副书记|省长|副省长|市长|副市长|区长|县长|局长|副局长|厅长|部长|"
    "主任|副主任|院长|校长|院士|教授|研究员|博士|总经理|董事长|总裁|首席执行官|发言人|负责人|记者|专家"
)
_SPEECH = "表示|说|指出|强调|认为|介绍|透露|称|提出|建议|呼吁|坦言|告诉"
_PERSON = re.compile(
    rf"(?:(?:{_TITLES})([{_CJK}]{{2,3}}?)(?=[{_CJK}]{{0,1}}(?:{_SPEECH}|，|,|。|在|等|同志|$)))"
    rf"|(?:(?<![{_CJK}])|(?<=[，,。、；：:]))([{_CJK}]{{2,3}})(?=(?:{_SPEECH})[，,：:\s])"
)
_NOT_PERSON = re.compile(
    r"^(?:他|她|我|我们|他们|她们|该|这|那|有关|相关|专家|记者|报告|文章|会议|通知|政府|公司|业内人士|分析|研究|数据|有人|对此)"
)


def _zh_orgs(text: str) -> list[str]:
    out = []
    for m in _ORG.finditer(text):
        name = m.group(0)
        cut = _HEAD_CUT.match(name)
        if cut:
            name = name[cut.end() :]
        # a bare suffix or one ideograph before it ("该局", "本市") says nothing checkable
        if len(name) >= 3:
            out.append(name)
    return out


def _zh_persons(text: str) -> list[str]:
    names = []
    for m in _PERSON.finditer(text):
        name = m.group(1) or m.group(2)
        if name and not _NOT_PERSON.match(name):
            names.append(name)
    return names


# jieba's part-of-speech tagger. Its dictionary tags thousands of common words as names (智慧 nr,
# 深度 ns, 曝光 nz, 上市公司 nt), so what is checked is: a word its HMM finds (not in the
# dictionary: new names such as 李明, 明炬) tagged nr/ns/nt/nz; from the dictionary, places (ns),
# organisations (nt) and full person names (nrfg: 习近平), and a person name (nr, nrt) shaped like
# one (two or three ideographs, the first a common surname); never the dictionary's other proper
# nouns (nz), nor the common words below (the most frequent such mis-tags in the dev articles).
_JIEBA_TAGS = ("nr", "ns", "nt", "nz")
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤习温栗赖俞倪欧阳"
)
_JIEBA_NOT_NAMES = frozenset(
    # ns
    """城市 深度 上市 加密 关联 新建 维度 两国 中断 新区 长度 海洋 之日起 新城 离岛 河湾 入市 远海
    遮阳 广义 普及 城镇 大关 东西 南北 东南 西南 西北 东北 新春 巴士 大中城市 四国 滑坡 河谷 日增
    卡口 大坝 惠及 大桥 海关 港湾 大国 海峡 远洋 路桥 沿海地区 山水 契约 合龙 多国 入口 高山 太阳
    日志 海马 黑洞 新鲜 喜庆 外国 周边地区 滨海 贵宾 平原 爱国 英雄 朝廷 哥哥 湖泊 高原 美丽 山区
    江湖 大街 王国 共和国 庆典 南路 山脉 回国 治安 古城 河口 长大 莫非 商城 内河 古典 冰川 京城
    阿哥 北方 南方 内地 本土 全球 各国 双方 中外 国内 国外 海外 境内 境外 当地 沿海 内陆"""
    # nt
    """ 上市公司 统计学 中医药 最大化 联合会 中西部 交易所 交易中心 网络通信 国际化 联合体 深加工
    国际经贸 新兴产业 人民政府 通讯社 综合司 交汇处 公共交通 新格局 新进展 最新进展 早安排 统一安排
    中国通 国际航运 联合开发 国际原油 商务信息 空中交通 城市交通 大力开展 儿科学 上游工业 大操大办
    商业网站 科研院所 商业银行 国际货物 公共财政 广播电视 商业广场 中央商务区 中西药 联合公报 中美关系
    民兵组织 纽约市场 新闻处 商学院 音乐会 华人社区 钢铁集团 卫生室 中资银行 自由贸易区 新政府 新旗舰
    国际石油 美国公司 儿童医院 中医医院 经济委员会 社会科学院 国防军 安全局 税务局 公安局 建设局"""
    # nr, nrt shaped like a name
    """ 高水平 高维 高斯 高峰 高阶 高昂 高新 高速 高效 马克 金字塔 许可 许可证 金刚 金石 金融 杜绝 方正
    方案 方面 毛利 黄金 黄金周 叶子 胡桃 于本周 周转 周期 黄白 段时间 韩元 江山 石油 史上 程度 田间
    向好 万元 万亿 严格 严重 严禁 武器 孔径 常态 毛利润 范畴 官宣 堪比 明白 文明 明星 智慧 卫星 雷达 道德 阳光
    令人 二人 连续 安全性 鲁棒性 余弦 张量 明显 明确 康复 陆续""".split()
)
_PLACE_SUFFIX = re.compile(r"(?<=..)(?:省|市|县|区|州|镇|乡|村)$")
_LEADING_PARTICLE = re.compile(r"^[和与及同跟向对在由从把被将为给是的了]")
_ALL_CJK = re.compile(rf"[{_CJK}]+")
_posseg = None
_posseg_lock = threading.Lock()


def _tagger():
    """jieba's POS tokenizer, its dictionary loaded once (about 1 s), its logging quiet."""
    global _posseg
    if _posseg is None:
        with _posseg_lock:
            if _posseg is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _posseg = jieba.posseg.dt
    return _posseg


def _zh_tagged_names(text: str) -> list[tuple[str, str]]:
    """(name, tag) of every person, place, organisation or other proper name jieba's tagger finds
    in the Chinese runs of ``text`` (see above for which words count); the tag of a word its HMM
    found is "hmm"."""
    names = []
    for run in _ALL_CJK.findall(text):
        if len(run) < 2:
            continue
        tagger = _tagger()
        dictionary = tagger.word_tag_tab
        for pair in tagger.cut(run):
            word, flag = pair.word, pair.flag
            if not flag.startswith(_JIEBA_TAGS) or len(word) < 2 or word in _JIEBA_NOT_NAMES:
                continue
            if word in dictionary:
                if flag == "nz" or (flag in ("nr", "nrt") and not (len(word) <= 3 and word[0] in _SURNAMES)):
                    continue
            else:
                # the HMM sometimes glues a particle to a name ("和小鹏")
                word = _LEADING_PARTICLE.sub("", word) if len(word) > 2 else word
                if len(word) < 2 or word in _JIEBA_NOT_NAMES:
                    continue
            names.append((word, "hmm" if word not in dictionary else flag))
    return names


def _common_word(word: str) -> bool:
    """A word jieba's dictionary knows as something else than a person's name ("负责", v)."""
    tag = _tagger().word_tag_tab.get(word)
    return tag is not None and not tag.startswith("nr")


def _zh_name_in(name: str, body: str, *, hmm: bool = False) -> bool:
    """``name`` in the article; a place also without its administrative suffix ("成都市" by
    "成都"); a word of four ideographs or more that jieba's HMM found also without its last one
    (the HMM glues the next ideograph to a name: "刘格菘加" of "刘格菘加仓")."""
    if name in body:
        return True
    stem = _PLACE_SUFFIX.sub("", name)
    if stem != name and stem in body:
        return True
    return hmm and len(name) >= 4 and name[:-1] in body


# --------------------------------------------------------------------------------------------


@dataclass
class GuardResult:
    """What the guard checked in a summary and what the article does not support."""

    passed: bool
    checked: int
    unsupported: list[dict] = field(default_factory=list)  # {"kind": ..., "text": ...}

    @property
    def reason(self) -> str:
        if self.passed:
            return ""
        return "not in the article: " + ", ".join(
            f"{item['kind']} {item['text']!r}" + (f" (written {item['written']!r})" if item.get("written") else "")
            for item in self.unsupported
        )

    def to_dict(self) -> dict:
        return {
            "checked": self.checked,
            "passed": self.passed,
            "unsupported": list(self.unsupported),
            "reason": self.reason,
            "version": GUARD_VERSION,
        }


def _claims(summary: str) -> list[tuple[str, str, str]]:
    """(kind, text, hint) of every checkable item in ``summary``; the hint of a spelled-out number
    is how the summary wrote it ("three"), that of a Chinese name jieba's HMM found "hmm"."""
    text = _fold(summary)
    plain = _BOOK.sub("，", text)  # a cited title is checked whole, not its parts
    digits = _spelled_to_digits(text)
    written = _written_numbers(text, digits)
    claims: list[tuple[str, str, str]] = []
    claims += [("number", n, written.get(_number_key(n), "")) for n in _numbers(digits)]
    claims += [("number", n, "") for n in _zh_numerals(text)]
    claims += [("name", w, "") for w in _latin_names(text)]
    claims += [("zh_name", b, "") for b in _BOOK.findall(text)]
    claims += [("zh_name", q, "") for q in _QUOTED.findall(text) if re.search(f"[{_CJK}]", q)]
    claims += [("zh_name", o, "") for o in _zh_orgs(plain)]
    # a title before a common word is not a name ("专家负责。")
    claims += [("zh_name", p, "") for p in _zh_persons(plain) if not _common_word(p)]
    claims += [("zh_name", w, "hmm" if tag == "hmm" else "") for w, tag in _zh_tagged_names(plain)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for kind, item, hint in claims:
        if (kind, item) not in seen:
            seen.add((kind, item))
            unique.append((kind, item, hint))
    return unique


def extract_claims(summary: str) -> list[tuple[str, str]]:
    """(kind, text) of every checkable item in ``summary``: kinds number, name, zh_name (a
    spelled-out English number as digits: "three" gives ("number", "3"))."""
    return [(kind, text) for kind, text, _ in _claims(summary)]


def check(summary: str, article: str) -> GuardResult:
    """Check that every number and name of ``summary`` occurs in ``article`` (title + body)."""
    body = _fold(article)
    body_lower = body.lower()
    numbers: set[str] | None = None  # the article's numbers, computed when a summary has one
    unsupported: list[dict] = []
    claims = _claims(summary)
    for kind, text, hint in claims:
        as_written = hint if kind == "number" else ""
        if kind == "number":
            if text[0].isdigit():
                if numbers is None:
                    numbers = _article_number_keys(body, _spelled_to_digits(body))
                ok = _number_key(text) in numbers
                if not ok and as_written:
                    # the same words in the article ("three" where its context kept it a word)
                    ok = _latin_in(as_written, body_lower)
                elif not ok:
                    # "2024" of "2024-03-05" found inside a longer number; "100,150,200" cut from
                    # the list "100,150,200,250": each comma-separated part must be there
                    parts = [_number_key(text)] if len(text) < 2 else re.split(r"[,，]", text)
                    ok = all(re.search(r"(?<![\d.])" + re.escape(part) + r"(?![\d])", body) for part in parts if part)
            else:
                ok = text in body
        elif kind == "name":
            ok = _latin_in(text, body_lower)
        else:
            ok = _zh_name_in(text, body, hmm=hint == "hmm")
        if not ok:
            item = {"kind": kind, "text": text}
            if as_written:
                item["written"] = as_written
            unsupported.append(item)
    return GuardResult(passed=not unsupported, checked=len(claims), unsupported=unsupported)
