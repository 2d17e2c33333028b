"""summarizer.key_facts: the formats a notice writes its key facts in, what must stay empty, and
the faithfulness guard of each fact."""

from __future__ import annotations

import pytest

from summarizer.key_facts import extract_key_facts
from summarizer.key_facts.faithful import unsupported_reason
from summarizer.key_facts.fields import Fact
from summarizer.key_facts.normalise import amounts, parse_date
from summarizer.key_facts.rules import RulesError, load_rules
from summarizer.key_facts.text import notice_text


def facts(body: str, *, title: str = "关于组织申报项目的通知", year: int | None = 2024, **kwargs) -> dict:
    return extract_key_facts(title, body, published_year=year, **kwargs).to_dict()


# ------------------------------------------------------------------------------ normaliser


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("二〇二四年三月二十日", "2024-03-20"),
        ("2024年3月20日", "2024-03-20"),
        ("3月20日17:00前", "2024-03-20T17:00"),
        ("3月20日17：00", "2024-03-20T17:00"),
        ("2024年4月10日17时30分", "2024-04-10T17:30"),
        ("2024年4月10日下午5点", "2024-04-10T17:00"),
        ("2024-03-20 09:00", "2024-03-20T09:00"),
        ("2024.3.20", "2024-03-20"),
        ("2024年1月15日至2月28日", "2024-02-28"),
        ("2024年3月11日9:00至2024年4月10日17:00", "2024-04-10T17:00"),
        ("2024年2月27日至28日", "2024-02-28"),
        ("March 20, 2024", "2024-03-20"),
        ("20 March 2024", "2024-03-20"),
    ],
)
def test_dates_normalise_to_iso_8601(text, iso):
    assert parse_date(text, 2024).iso == iso


def test_a_date_without_its_year_needs_the_notices_year():
    assert parse_date("3月20日", None) is None
    value = parse_date("3月20日", 2025)
    assert (value.iso, value.year_given) == ("2025-03-20", False)
    assert parse_date("2024年2月30日", None) is None  # no such day


@pytest.mark.parametrize(
    ("text", "yuan", "low"),
    [
        ("50万元", 500_000, None),
        ("不超过200万元", 2_000_000, None),
        ("1.2亿元", 120_000_000, None),
        ("五十亿元", 5_000_000_000, None),
        ("一百二十万元", 1_200_000, None),
        ("3,000元", 3_000, None),
        ("100-200万元", 2_000_000, 1_000_000),
        ("50万至100万元", 1_000_000, 500_000),
        ("up to 2 million yuan", 2_000_000, None),
        ("RMB 500,000", 500_000, None),
    ],
)
def test_amounts_normalise_to_integer_yuan_with_their_text(text, yuan, low):
    (amount,) = amounts(text)
    assert (amount.yuan, amount.low, amount.text) == (yuan, low, text)


# -------------------------------------------------------------------------------- deadline


@pytest.mark.parametrize(
    ("body", "value", "text"),
    [
        ("请于二〇二四年三月二十日前报送申报材料。", "2024-03-20", "二〇二四年三月二十日前"),
        ("请各单位于3月20日17:00前提交材料。", "2024-03-20T17:00", "3月20日17:00前"),
        ("申报截止日期：2024年3月20日。", "2024-03-20", "2024年3月20日"),
        ("项目申报截至2024年3月20日止。", "2024-03-20", "截至2024年3月20日止"),
        ("三、申报时间。2024年1月15日至2月28日。", "2024-02-28", "2024年1月15日至2月28日"),
        ("网上申报时间为2024年2月19日至3月18日，依托单位审核推荐截止时间为3月22日17:00。", "2024-03-18", None),
        ("各批次网上申报截止时间分别为5月31日、7月31日和9月15日。", "2024-05-31", "5月31日"),
    ],
)
def test_deadlines_in_their_chinese_forms(body, value, text):
    deadline = facts(body)["deadline"]
    assert deadline["value"] == value
    assert deadline["sentence"] in body
    if text is not None:
        assert deadline["text"] == text


@pytest.mark.parametrize(
    "body",
    [
        "一、评价对象。截至2022年12月31日已备案的重庆市新型研发机构。",  # 截至 without 止: "as of"
        "入库企业应于每年5月31日前更新企业年度数据。",  # a recurring duty
        "项目申报单位注册时间为2023年3月31日前。",  # a condition on applicants
        "2024年2月10日至17日放假调休，共8天。",  # an event
        "本办法自2024年4月1日起施行。",
        "定于2024年5月25日至31日举办全国科技活动周。",
        "具体时间安排另行通知。",
    ],
)
def test_dates_that_are_no_deadline_leave_it_empty(body):
    assert facts(body)["deadline"] is None


def test_an_english_deadline():
    body = "Applications must be submitted by March 20, 2024 through the online system."
    assert facts(body, title="Call for proposals", language="en")["deadline"]["value"] == "2024-03-20"
    assert facts("The session opened on March 4, 2024.", title="Session", language="en")["deadline"] is None


# --------------------------------------------------------------------------------- funding


def test_funding_amounts_and_what_is_not_funding():
    body = (
        "重点项目每项资助不超过200万元，面上项目每项资助不超过50万元。\n"
        "依托单位仪器设备原值不低于1000万元。\n"
        "项目计划总投资原则上不低于5000万元。\n"
        "2023年共安排奖励资金1.2亿元。\n"
        "市财政给予每家200万元经费支持。"
    )
    funding = facts(body)["funding"]
    assert [(f["value"], f["text"]) for f in funding] == [
        (2_000_000, "不超过200万元"),
        (500_000, "不超过50万元"),
        (2_000_000, "200万元"),
    ]
    assert all(f["sentence"] in body for f in funding)


def test_funding_in_yi_and_ranges():
    (big,) = facts("单个项目资助最高不超过1.5亿元。")["funding"]
    assert (big["value"], big["text"]) == (150_000_000, "最高不超过1.5亿元")
    (ranged,) = facts("每项资助100-200万元。")["funding"]
    assert (ranged["value"], ranged["low"], ranged["text"]) == (2_000_000, 1_000_000, "100-200万元")


def test_a_number_with_thousands_separators_stays_whole():
    body = "Postdoctoral researchers can receive a living allowance of up to 150,000 yuan a year, on top of salaries."
    (grant,) = facts(body, title="Measures", language="en")["funding"]
    assert (grant["value"], grant["text"]) == (150_000, "up to 150,000 yuan")
    (zh,) = facts("每项资助不超过1,500,000元，执行期2年。")["funding"]
    assert zh["value"] == 1_500_000
    assert facts("资助0元。")["funding"] == []


def test_english_funding():
    (grant,) = facts("Each project will receive funding of up to 2 million yuan.", title="Call", language="en")[
        "funding"
    ]
    assert (grant["value"], grant["text"]) == (2_000_000, "up to 2 million yuan")


# ---------------------------------------------------------------- document number, issuers


def test_the_document_number_of_the_page_as_written():
    found = facts("正文。", metadata={"document_number": "渝科局发〔2024〕12号"})["document_number"]
    assert (found["value"], found["sentence"], found["source"]) == (
        "渝科局发〔2024〕12号",
        "文号：渝科局发〔2024〕12号",
        "metadata",
    )
    in_body = facts("渝科局发〔2024〕12号\n各区县科技主管部门：\n现将有关事项通知如下。")["document_number"]
    assert (in_body["value"], in_body["source"]) == ("渝科局发〔2024〕12号", "body")
    assert facts("文号：川科政[2024]1号\n正文。")["document_number"]["value"] == "川科政[2024]1号"


def test_a_cited_document_number_is_another_documents():
    body = "根据《重庆市科学技术局关于开展评价工作的通知》（渝科局发〔2023〕88号）要求，现将名单予以公布。"
    assert facts(body)["document_number"] is None


def test_issuers_from_the_signature_else_the_title():
    body = "各有关单位：\n现将有关事项通知如下。\n附件：申报指南.pdf\n重庆市科学技术局 重庆市财政局\n2024年3月4日"
    assert [f["value"] for f in facts(body)["issuers"]] == ["重庆市科学技术局", "重庆市财政局"]
    title = "四川省科学技术厅 四川省财政厅关于印发《管理办法》的通知"
    assert [f["value"] for f in facts("现印发给你们，请认真贯彻执行。", title=title)["issuers"]] == [
        "四川省科学技术厅",
        "四川省财政厅",
    ]
    assert facts("现印发给你们。", title="关于举办培训的通知")["issuers"] == []


# ---------------------------------------------------------------- proposal number, eligibility


def test_the_proposal_a_reply_answers():
    title = "重庆市科学技术局关于市政协六届一次会议第0118号提案办理情况的复函"
    found = facts("杨帆委员：\n您提出的提案收悉。", title=title)["proposal_number"]
    assert (found["value"], found["text"]) == ("0118", "市政协六届一次会议第0118号提案")
    body = "您提出的《关于加强科普的建议》（第0728号）收悉。"
    assert facts(body, title="复函")["proposal_number"]["value"] == "0728"


def test_who_may_apply():
    body = "二、申报条件\n申报单位应为在重庆市内注册、具有独立法人资格的企业。\n申报单位应于规定时间前提交。"
    assert facts(body)["eligibility"]["value"] == "申报单位应为在重庆市内注册、具有独立法人资格的企业。"
    assert facts("申报单位应于活动举办前两个月提交申报材料。")["eligibility"] is None


def test_a_news_article_has_no_key_facts():
    result = facts(
        "3月4日，全省科技工作会议在杭州召开。会议指出，研发投入强度达到3.15%。", title="我省召开全省科技工作会议"
    )
    assert all(
        not result[name] for name in ("deadline", "funding", "eligibility", "document_number", "proposal_number")
    )


# --------------------------------------------------------------------------------- the guard


def test_the_guard_refuses_an_unsupported_fact():
    notice = notice_text("通知", "请于2024年3月20日前提交。", language="zh", default_year=2024)
    sentence = "请于2024年3月20日前提交。"
    assert unsupported_reason(Fact("deadline", "2024-03-20", "2024年3月20日前", sentence), notice) is None
    assert "normalise" in unsupported_reason(Fact("deadline", "2024-03-21", "2024年3月20日前", sentence), notice)
    assert "not in the article" in unsupported_reason(
        Fact("deadline", "2024-03-20", "2024年3月20日前", "别的句子。"), notice
    )
    assert "not in its sentence" in unsupported_reason(
        Fact("deadline", "2024-03-20", "2024年3月21日前", sentence), notice
    )
    funding = Fact("funding", 3_000_000, "200万元", "资助200万元。")
    assert "yuan" in unsupported_reason(funding, notice_text("通知", "资助200万元。", language="zh"))


def test_a_rules_file_with_a_broken_pattern_is_refused(tmp_path):
    from summarizer.key_facts.rules import RULES_FILE

    broken = tmp_path / "rules.toml"
    broken.write_text(
        RULES_FILE.read_text(encoding="utf-8").replace("pattern = '", "pattern = '(", 1), encoding="utf-8"
    )
    with pytest.raises(RulesError, match=r"rules.toml: document_number.pattern is not a valid regular expression"):
        load_rules(broken)
    missing = tmp_path / "missing.toml"
    missing.write_text("version = 1\n", encoding="utf-8")
    with pytest.raises(RulesError, match="missing key sentences.heading_max_chars"):
        load_rules(missing)
