"""Chinese names in a summary found by rules: 《book titles》, “quoted” names, organisation and place
names (ideographs ending in 省/市/局/委/大学/公司/实验室…, cut after the verb or particle before them),
person names next to a title or a speech verb ("局长张伟", "张伟表示"); and how a name is looked up
in the article."""

from __future__ import annotations

import re

from summarizer.guard.text import CJK

__all__ = ["book_titles", "quoted_names", "without_book_titles", "zh_name_in", "zh_orgs", "zh_persons"]

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
_ORG = re.compile(rf"[{CJK}]{{2,14}}?(?:{_ORG_SUFFIX})")
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
    rf"(?:(?:{_TITLES})([{CJK}]{{2,3}}?)(?=[{CJK}]{{0,1}}(?:{_SPEECH}|，|,|。|在|等|同志|$)))"
    rf"|(?:(?<![{CJK}])|(?<=[，,。、；：:]))([{CJK}]{{2,3}})(?=(?:{_SPEECH})[，,：:\s])"
)
_NOT_PERSON = re.compile(
    r"^(?:他|她|我|我们|他们|她们|该|这|那|有关|相关|专家|记者|报告|文章|会议|通知|政府|公司|业内人士|分析|研究|数据|有人|对此)"
)


def book_titles(text: str) -> list[str]:
    """The titles cited in 《》, without the brackets."""
    return _BOOK.findall(text)


def without_book_titles(text: str) -> str:
    """``text`` with every 《title》 replaced by a comma: a cited title is checked whole, not its parts."""
    return _BOOK.sub("，", text)


def quoted_names(text: str) -> list[str]:
    """What “quotes” enclose (2-20 characters), when it has an ideograph."""
    return [q for q in _QUOTED.findall(text) if re.search(f"[{CJK}]", q)]


def zh_orgs(text: str) -> list[str]:
    """Organisation and place names: a run of ideographs ending in an administrative or institutional suffix."""
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


def zh_persons(text: str) -> list[str]:
    """Person names after a title ("局长张伟") or before a speech verb ("张伟表示")."""
    names = []
    for m in _PERSON.finditer(text):
        name = m.group(1) or m.group(2)
        if name and not _NOT_PERSON.match(name):
            names.append(name)
    return names


_PLACE_SUFFIX = re.compile(r"(?<=..)(?:省|市|县|区|州|镇|乡|村)$")


def zh_name_in(name: str, body: str, *, hmm: bool = False) -> bool:
    """``name`` in the article; a place also without its administrative suffix ("成都市" by
    "成都"); a word of four ideographs or more that jieba's HMM found also without its last one
    (the HMM glues the next ideograph to a name: "刘格菘加" of "刘格菘加仓")."""
    if name in body:
        return True
    stem = _PLACE_SUFFIX.sub("", name)
    if stem != name and stem in body:
        return True
    return hmm and len(name) >= 4 and name[:-1] in body
