"""Chinese proper names found by jieba's part-of-speech tagger (nr, ns, nt, nz), minus the common
words it mis-tags. jieba's dictionary is loaded once, lazily, on the first Chinese text (about 1 s):
importing this module stays cheap."""

from __future__ import annotations

import logging
import re
import threading

from summarizer.base import word_table
from summarizer.guard.text import CJK

__all__ = ["common_word", "zh_tagged_names"]

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
_JIEBA_NOT_NAMES = word_table(
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
    令人 二人 连续 安全性 鲁棒性 余弦 张量 明显 明确 康复 陆续"""
)
_LEADING_PARTICLE = re.compile(r"^[和与及同跟向对在由从把被将为给是的了]")
_ALL_CJK = re.compile(rf"[{CJK}]+")
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


def zh_tagged_names(text: str) -> list[tuple[str, str]]:
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


def common_word(word: str) -> bool:
    """A word jieba's dictionary knows as something else than a person's name ("负责", v)."""
    tag = _tagger().word_tag_tab.get(word)
    return tag is not None and not tag.startswith("nr")


def word_ends(text: str) -> list[int]:
    """Where jieba's words of ``text`` end (offsets into ``text``, the last one ``len(text)``)."""
    return [end for _, _, end in _tagger().tokenizer.tokenize(text)]
