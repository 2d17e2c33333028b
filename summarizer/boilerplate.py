"""Boilerplate tests: sentences that are a document's framing, not its content (official-document
formula, contact and attachment lines, page furniture, credits), which no summary may pick.

Pure Python: no model, no heavy import.
"""

from __future__ import annotations

import re

from summarizer.base import cjk_ratio

__all__ = ["has_zh_formula_phrase", "is_boilerplate", "is_zh_formula", "zh_formula_share"]

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Lines that are never summary material: contact and attachment lines, page furniture.
_ZH_FURNITURE = re.compile(
    r"(?:联系人|联系电话|联系方式|咨询电话|(?<![^\s，,；;。（(])电话|传真|(?:电子)?邮箱|邮编|通讯地址|地址|"
    r"附件\s*\d*|来源|信息来源|文章来源|责任编辑|编辑|审核|校对|发布机构|发布日期|发文日期|索引号|"
    r"文号|主题分类|成文日期)\s*[：:]"
    r"|^特此(?:通知|公告|通告|函告|函复|批复|报告|说明)"
    r"|扫一扫|分享到|打印本页|关闭窗口|【打印】|【关闭】|版权所有|主办单位|承办单位|备案号|ICP备"
)
# Formula phrases of official documents. A sentence that is little else is dropped; one that also
# says something ("…我厅制定了《…办法》，现印发给你们，请遵照执行。") is only scored down.
_ZH_FORMULA_PHRASES = re.compile(
    r"现将有关事项(?:通知|公告|通告|函告|说明|报告)如下|现将(?:有关|相关)?(?:情况|事项|工作)?"
    r"(?:通知|公告|通告|函告|报告)如下|(?:通知|公告|通告|函告|意见|说明|报告)如下|"
    r"现(?:予以)?印发给你们|现予(?:以)?(?:印发|公布|公告|发布)|(?:印发|转发)给你们|"
    r"请[^。，,；;]{0,12}?(?:遵照执行|贯彻执行|认真执行|抓好落实|贯彻落实|组织实施|认真落实|遵照办理)|"
    r"望(?:认真)?(?:遵照|贯彻)?执行|结合实际认真贯彻落实|"
    r"为(?:深入|认真|全面)?贯彻落实|根据.{0,60}?(?:规定|要求|精神|部署)[，,]"
)
_ZH_ENUMERATOR = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|"
    r"第[一二三四五六七八九十\d]+[条章节部分])\s*"
)
_BOOK_TITLE = re.compile(r"[《〈][^》〉]{1,80}[》〉]")
_ZH_FINAL = re.compile(r"[。！？!?；;…”’\"」』)）]$")
_EN_BOILERPLATE = re.compile(
    r"(?:\bphoto\s*/|\bphotos?\s*(?:by\b|:)|\bimage\s*(?:by\b|:)|\bvideo\s*(?:by\b|:)|"
    r"\beditor\s*:|\breporter\s*:|\bsource\s*:|\btranslat(?:or|ed by)\s*:?|"
    r"copyright\s*(?:©|\(c\)|\d{4})|©|all rights reserved|\bclick here\b|\bshare this\b|"
    r"\bread more\b|\bfollow us\b|\bsubscribe (?:to our|now)\b|\bcontact\s*:|\btel\s*[:.]|"
    r"\be-?mail\s*:|\bscan the qr\b|\bdownload the app\b)",
    re.IGNORECASE,
)


def zh_formula_share(sentence: str) -> float:
    """Share of a Chinese sentence's ideographs that belong to official-document formula phrases
    ("现将有关事项通知如下", "请遵照执行", "为深入贯彻落实"...): 0.0 for plain content."""
    total = len(_CJK_CHAR.findall(sentence))
    if not total:
        return 0.0
    formula = sum(
        len(_CJK_CHAR.findall(_BOOK_TITLE.sub("", m.group(0))))  # a cited 《title》 is content
        for m in _ZH_FORMULA_PHRASES.finditer(sentence)
    )
    return min(1.0, formula / total)


def has_zh_formula_phrase(sentence: str) -> bool:
    return bool(_ZH_FORMULA_PHRASES.search(sentence))


def is_zh_formula(sentence: str) -> bool:
    """Not summary material: a Chinese official-document formula or lead-in ("…现将有关事项通知如下：",
    "各有关单位：", "特此通知。"), a contact, attachment or page-furniture line ("联系人：…",
    "电话：…"), a heading, signature or date line without sentence-final punctuation, or a sentence
    that is mostly formula ("现印发给你们，请认真贯彻执行。")."""
    s = sentence.strip()
    if re.search(r"[：:]\s*$", s):
        return True  # an addressee line or a lead-in: "各区县科技管理部门，各有关单位：", "…如下："
    if _ZH_FURNITURE.search(s):
        return True
    # "一、总体要求", "重庆市科学技术局", "2024年3月5日": short lines with no final punctuation
    if len(s) <= 25 and not _ZH_FINAL.search(s):
        return True
    if re.fullmatch(r"[\d\s年月日号\-./:：]+", s):
        return True
    # "一、关于优化区县科技创新布局。", "（二）工作要求。": a numbered heading, not a statement
    m = _ZH_ENUMERATOR.match(s)
    if m and "，" not in s and "," not in s:
        rest = s[m.end() :]
        if len(_CJK_CHAR.findall(rest)) < 10 or (rest.startswith("关于") and len(rest) <= 30):
            return True
    return has_zh_formula_phrase(s) and zh_formula_share(s) > 0.6


def is_boilerplate(sentence: str, language: str = "") -> bool:
    """Formula, contact, credit or page-furniture text that a summary must not pick."""
    if cjk_ratio(sentence) >= 0.3:
        return is_zh_formula(sentence)
    return bool(_EN_BOILERPLATE.search(sentence))
