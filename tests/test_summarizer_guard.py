"""summarizer.guard: numbers and names of a summary must occur in its article (crafted cases)."""

from __future__ import annotations

import json

from summarizer.guard import check, extract_claims

EN_ARTICLE = (
    "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday - exactly eight weeks "
    "after he was asked to take charge. The 39-year-old replaced Allan Johnston in February. "
    "The club's income rose 13% to £22,100 last season, the CPPCC-style board said in the U.S. report."
)
ZH_ARTICLE = (
    "重庆市科学技术局发布通知，2024年组织实施青年科技人才培养专项，单个项目资助额度为20万元至50万元。"
    "市科技局局长张伟表示，将重点支持35周岁以下青年科研人员。《重庆市科技计划项目管理办法》同时施行，"
    "首批共有三项重点任务。"
)


def test_a_faithful_english_summary_passes():
    summary = ("Gary Locke will be confirmed as Kilmarnock boss on Friday. The 39-year-old replaced "
               "Johnston in February. Income rose 13 percent to £22,100.")
    result = check(summary, EN_ARTICLE)
    assert result.passed, result.reason
    assert result.checked >= 7  # 39, 13, 22,100 and Gary, Locke, Kilmarnock, Friday, Johnston, February
    assert ("number", "22,100") in extract_claims(summary)
    assert ("name", "Locke") in extract_claims(summary)


def test_an_invented_name_is_rejected_with_the_reason():
    result = check("John Smith will be confirmed as Kilmarnock boss on Friday.", EN_ARTICLE)
    assert not result.passed
    assert result.unsupported == [{"kind": "name", "text": "John"}, {"kind": "name", "text": "Smith"}]
    assert result.reason == "not in the article: name 'John', name 'Smith'"
    decision = json.loads(json.dumps(result.to_dict()))  # stored as JSON with the summary
    assert decision["passed"] is False and decision["checked"] == 4 and "Smith" in decision["reason"]


def test_an_invented_number_date_or_percentage_is_rejected():
    assert check("Locke, 41, will be confirmed on Friday.", EN_ARTICLE).unsupported == [
        {"kind": "number", "text": "41"}]
    assert not check("Income rose 31% last season.", EN_ARTICLE).passed
    assert not check("Locke will be confirmed on March 5.", EN_ARTICLE).passed  # March and 5
    assert not check("Income rose to £22,900.", EN_ARTICLE).passed
    # sentence-initial common words are not names; numbers written with separators still match
    assert check("However, income rose to £22100.", EN_ARTICLE).passed
    # a clause cut from a list of numbers: each number is in the article
    assert check("分别为100,150,200，", "阈值分别为100,150,200,250个。").passed
    assert not check("分别为100,150,300，", "阈值分别为100,150,200,250个。").passed


def test_chinese_entities_and_numbers():
    faithful = "重庆市科学技术局将于2024年实施青年科技人才培养专项，资助额度为20万元至50万元，首批三项重点任务。"
    assert check(faithful, ZH_ARTICLE).passed, check(faithful, ZH_ARTICLE).reason
    cases = {
        "北京市科学技术委员会将于2024年实施专项。": ("zh_name", "北京市"),   # invented organisation
        "局长李明表示，将支持青年科研人员。": ("zh_name", "李明"),             # invented person
        "市科技局局长张伟表示，资助额度为30万元。": ("number", "30"),          # invented amount
        "依据《北京市科技计划管理办法》实施。": ("zh_name", "北京市科技计划管理办法"),  # invented title
        "首批共有五项重点任务。": ("number", "五"),                              # Chinese numeral
    }
    for summary, claim in cases.items():
        result = check(summary, ZH_ARTICLE)
        assert not result.passed, summary
        assert {"kind": claim[0], "text": claim[1]} in result.unsupported, (summary, result.unsupported)
    # the person the article names, and a cited title it cites, pass
    assert check("张伟表示，《重庆市科技计划项目管理办法》同时施行。", ZH_ARTICLE).passed
    # common words ending in 市/区/局 are not organisation names
    assert check("城市地区的格局发生变化。", ZH_ARTICLE).passed


def test_full_width_digits_and_latin_names_in_chinese_text():
    article = "Peloton(PTON.O)将于1月24日被剔除纳斯达克100指数，跌幅达80%。"
    assert check("Peloton将于１月２４日被剔除纳斯达克100指数。", article).passed
    result = check("Pelotonn跌幅达85%。", article)
    assert {"kind": "name", "text": "Pelotonn"} in result.unsupported
    assert {"kind": "number", "text": "85"} in result.unsupported
