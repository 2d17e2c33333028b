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
    summary = (
        "Gary Locke will be confirmed as Kilmarnock boss on Friday. The 39-year-old replaced "
        "Johnston in February. Income rose 13 percent to £22,100."
    )
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
        {"kind": "number", "text": "41"}
    ]
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
        "北京市科学技术委员会将于2024年实施专项。": ("zh_name", "北京市"),  # invented organisation
        "局长李明表示，将支持青年科研人员。": ("zh_name", "李明"),  # invented person
        "市科技局局长张伟表示，资助额度为30万元。": ("number", "30"),  # invented amount
        "依据《北京市科技计划管理办法》实施。": ("zh_name", "北京市科技计划管理办法"),  # invented title
        "首批共有五项重点任务。": ("number", "五"),  # Chinese numeral
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


# --------------------------------------------------------------------------------------------
# spelled-out English numbers (text2num) and Chinese names tagged by jieba
# --------------------------------------------------------------------------------------------

EN_NEWS = (
    "Four people died and 12 were injured when a bus overturned near Chongqing on Monday, police "
    "said. The operator, which carried 5 million passengers last year, was fined $2.5m in 2019. "
    "Rescuers worked for three hours; the second bus was not damaged."
)
ZH_NEWS = (
    "据新华社报道，1月19日，重庆市科技局支持明炬科技有限公司研发智能传感器，项目总投资1200万元。"
    "明炬科技负责人王强表示，产品将于2024年上市，服务城市智慧交通。"
    "重庆市科技局局长张伟指出，要深度推进高水平科技自立自强。"
)


def test_a_spelled_out_number_the_article_does_not_state_is_caught():
    cases = {
        "Seven people died when a bus overturned near Chongqing.": ("7", "Seven"),
        "Four people died and eleven were injured.": ("11", "eleven"),
        "The operator carried six million passengers last year.": ("6000000", "six million"),
        "The operator was fined half a million dollars.": ("500000", "half a million"),
        "Rescuers worked for nine hours.": ("9", "nine"),
        "The sixth bus was not damaged.": ("6", "sixth"),  # ordinals from "third" on
        "Two buses overturned.": ("2", "Two"),  # not the 2 of "$2.5m"
        "A dozen people were injured.": None,  # 12: supported
    }
    for summary, expected in cases.items():
        result = check(summary, EN_NEWS)
        if expected is None:
            assert result.passed, (summary, result.reason)
            continue
        text, written = expected
        assert not result.passed, summary
        assert {"kind": "number", "text": text, "written": written} in result.unsupported, (summary, result.unsupported)
        assert f"(written {written!r})" in result.reason
    # a dozen is 12, so eleven people is not a dozen
    assert not check("A dozen people were injured.", EN_NEWS.replace("12", "11")).passed


def test_a_spelled_out_number_matches_the_same_number_in_digits_and_back():
    for summary in [
        "Four people died and twelve were injured near Chongqing.",  # "twelve" for "12"
        "4 people died; rescuers worked for 3 hours.",  # digits for "Four", "three"
        "The operator carried five million passengers.",  # "five million" for "5 million"
        "The operator, which carried 5,000,000 passengers, was fined 2.5 million dollars.",
        "A dozen people were injured and four died.",
    ]:
        result = check(summary, EN_NEWS)
        assert result.passed, (summary, result.reason)
    assert ("number", "5000000") in extract_claims("It carried five million passengers.")
    # the article's abbreviated and Chinese scales count too
    assert check("It raised five million yuan.", "It raised $5m.").passed
    assert check("It raised five million yuan.", "该公司融资500万元。").passed
    assert not check("It raised six million yuan.", "该公司融资500万元。").passed


def test_pronoun_one_first_second_and_vague_quantities_are_not_numbers():
    for summary in [
        "One of the buses overturned; it was the first time in years.",
        "A second later, no one was hurt.",
        "Hundreds of passengers and tens of thousands of fans watched.",
        "Several million passengers travel each year.",
    ]:
        assert not [c for c in extract_claims(summary) if c[0] == "number"], summary
        assert check(summary, EN_NEWS).passed, (summary, check(summary, EN_NEWS).reason)
    # Chinese numbers and text are left to the Chinese rules
    assert extract_claims("三项任务由two位专家负责。") == [("number", "2"), ("number", "三")]


def test_an_invented_chinese_person_place_or_organisation_is_caught():
    cases = {
        "李明带领明炬科技研发智能传感器。": "李明",  # a person, no title or speech verb
        "明炬科技在成都研发智能传感器。": "成都",  # a place without an administrative suffix
        "四川支持明炬科技研发智能传感器。": "四川",
        "成都市支持明炬科技。": "成都市",
        "明炬科技与国务院合作研发传感器。": "国务院",  # an organisation from the dictionary
        "习近平考察了明炬科技。": "习近平",
    }
    for summary, name in cases.items():
        result = check(summary, ZH_NEWS)
        assert {"kind": "zh_name", "text": name} in result.unsupported, (summary, result.unsupported)
    # the same names pass where the article has them; a place also by its name without 市
    assert check("李明带领明炬科技研发智能传感器。", ZH_NEWS + "李明带领团队。").passed
    assert check("成都市支持明炬科技。", ZH_NEWS + "成都支持明炬科技。").passed


def test_faithful_chinese_extractive_summaries_pass():
    # sentences of the article, some with their leading date/attribution clause cut (FinNA profile),
    # clauses joined, and a headline-like cut at 80 characters
    for summary in [
        "重庆市科技局支持明炬科技有限公司研发智能传感器，项目总投资1200万元。",
        "明炬科技负责人王强表示，产品将于2024年上市，服务城市智慧交通。",
        "1月19日，重庆市科技局支持明炬科技有限公司研发智能传感器",
        "要深度推进高水平科技自立自强。产品将于2024年上市",
        ZH_NEWS[:80],
    ]:
        result = check(summary, ZH_NEWS)
        assert result.passed, (summary, result.reason)
    # common words jieba's dictionary tags as names (上市 ns, 城市 ns, 深度 ns, 智慧 nr, 高水平 nr)
    # are not names: a paraphrase using them is judged on its real names only
    paraphrase = "明炬科技的智能传感器将上市，深度服务城市的智慧交通，体现高水平创新。"
    assert check(paraphrase, "明炬科技研发了一种智能传感器，用于交通管理。").passed


def test_jieba_is_loaded_lazily_and_quietly():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from summarizer.guard import check\n"
        "assert check('Three people died.', 'three people died').passed\n"
        "print('jieba' in sys.modules)\n"
        "assert not check('李明表示', '张伟表示').passed\n"
        "print('jieba' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]  # not for English, once for Chinese
    assert "prefix dict" not in done.stderr and "Loading model" not in done.stderr, done.stderr


def test_guard_time_per_summary_is_measured(record_property):
    import time

    pairs = [
        (s, EN_NEWS)
        for s in ("Four people died near Chongqing on Monday.", "The operator carried five million passengers.")
    ]
    pairs += [
        (s, ZH_NEWS)
        for s in ("明炬科技负责人王强表示，产品将于2024年上市。", "重庆市科技局支持明炬科技有限公司研发智能传感器。")
    ]
    check(*pairs[-1])  # jieba's dictionary loaded before the clock starts
    rounds = 50
    started = time.perf_counter()
    decisions = [check(summary, article).passed for _ in range(rounds) for summary, article in pairs]
    ms = 1000 * (time.perf_counter() - started) / len(decisions)
    record_property("guard_ms_per_summary", round(ms, 3))
    print(f"guard: {ms:.2f} ms per summary")
    assert all(decisions)
