"""The faithfulness guard: a summary may only state numbers and names that its article states.

:func:`check` pulls from a summary every

* **number** (Arabic digits, with decimals, thousands separators, a percent sign or a Chinese
  unit: "2.7亿元", "13%", "£22,100", "2024年3月5日" gives 2024, 3 and 5; full-width digits
  folded) and every Chinese numeral with a counter ("三项", "二十家"),
* **Latin name**: capitalised words and acronyms ("Gary Locke", "CPPCC", "U.S."; month and
  weekday names, so the words of a date too), except a capitalised common word that merely
  starts a sentence ("The", "However"),
* **Chinese name**: 《book titles》 and “quoted” names, organisation and place names (a run of
  ideographs ending in 省/市/区/县/局/委/厅/部/院/所/大学/公司/集团/银行/中心/协会/委员会/政府
  /实验室…, cut after the verb or particle before it; common words such as 城市, 地区, 格局 are
  not names), and person names next to a title or a
  speech verb ("局长张伟", "张伟表示"),

and requires each to occur in the article (numbers compared without separators; names
case-sensitively on word boundaries for Latin). The result says what was checked and what is
unsupported; it is JSON-serialisable (``GuardResult.to_dict``) and stored with the summary
(``summaries.guard``).

No model: regular expressions only, so it runs on every summary of every backend.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["GuardResult", "check", "extract_claims", "GUARD_VERSION"]

GUARD_VERSION = "numbers+latin+zh-entities;v1"

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


# --------------------------------------------------------------------------------------------
# Latin names
# --------------------------------------------------------------------------------------------

# capitalised words that start sentences or headlines without being names
_COMMON = frozenset(
    """a an the this that these those it its he she they we i you his her their our my your
    in on at for from to of by with without after before during since until as when while where
    what who whom which why how if but and or so yet also however meanwhile moreover still then
    there here now today yesterday tomorrow some many most more all any each every both few
    no not one two three four five six seven eight nine ten first second third last next new
    according despite although though because over under about around across among between
    is are was were be been has have had do does did will would can could may might must should
    according officials police experts researchers people local former mr mrs ms dr""".split()
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
_NOT_PERSON = re.compile(r"^(?:他|她|我|我们|他们|她们|该|这|那|有关|相关|专家|记者|报告|文章|会议|通知|政府|公司|业内人士|分析|研究|数据|有人|对此)")


def _zh_orgs(text: str) -> list[str]:
    out = []
    for m in _ORG.finditer(text):
        name = m.group(0)
        cut = _HEAD_CUT.match(name)
        if cut:
            name = name[cut.end():]
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
            f"{item['kind']} {item['text']!r}" for item in self.unsupported
        )

    def to_dict(self) -> dict:
        return {
            "checked": self.checked,
            "passed": self.passed,
            "unsupported": list(self.unsupported),
            "reason": self.reason,
            "version": GUARD_VERSION,
        }


def extract_claims(summary: str) -> list[tuple[str, str]]:
    """(kind, text) of every checkable item in ``summary``: kinds number, name, zh_name."""
    text = _fold(summary)
    plain = _BOOK.sub("，", text)  # a cited title is checked whole, not its parts
    claims: list[tuple[str, str]] = []
    claims += [("number", n) for n in _numbers(text)]
    claims += [("number", n) for n in _zh_numerals(text)]
    claims += [("name", w) for w in _latin_names(text)]
    claims += [("zh_name", b) for b in _BOOK.findall(text)]
    claims += [("zh_name", q) for q in _QUOTED.findall(text) if re.search(f"[{_CJK}]", q)]
    claims += [("zh_name", o) for o in _zh_orgs(plain)]
    claims += [("zh_name", p) for p in _zh_persons(plain)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for claim in claims:
        if claim not in seen:
            seen.add(claim)
            unique.append(claim)
    return unique


def check(summary: str, article: str) -> GuardResult:
    """Check that every number and name of ``summary`` occurs in ``article`` (title + body)."""
    body = _fold(article)
    body_lower = body.lower()
    numbers = {_number_key(n) for n in _numbers(body)}
    digits_text = _number_key(body)
    unsupported: list[dict] = []
    claims = extract_claims(summary)
    for kind, text in claims:
        if kind == "number":
            ok = _number_key(text) in numbers if text[0].isdigit() else text in body
            if not ok and text[0].isdigit():
                # "2024" of "2024-03-05" found inside a longer number; "100,150,200" cut from the
                # list "100,150,200,250": each comma-separated part must be there
                parts = [_number_key(text)] if len(text) < 2 else re.split(r"[,，]", text)
                ok = all(re.search(r"(?<![\d.])" + re.escape(part) + r"(?![\d])", body) for part in parts if part)
        elif kind == "name":
            ok = _latin_in(text, body_lower)
        else:
            ok = text in body
        if not ok:
            unsupported.append({"kind": kind, "text": text})
    return GuardResult(passed=not unsupported, checked=len(claims), unsupported=unsupported)
