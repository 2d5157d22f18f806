"""Seeded generator of synthetic speeches and their copies, for the near-duplicate tests and benchmarks.

Nothing here is taken from the raw seed texts: the vocabulary below is stock government-speech
wording written for this file, place names are invented from a syllable list, and every text is
assembled at random from a seed. A *copy* applies the transformations seen on document-sharing and
template sites:

- ``truncate``: keep a prefix of 30-90 % (a paywalled preview);
- ``mask``: replace place names by ``X县``, ``××县``, ``某县``, ``**``, ``○○镇`` and person names by ``X``;
- ``chrome``: site furniture lines added before and after (download buttons, related-links labels);
- ``script``: converted to traditional characters with OpenCC ``s2t`` (the pipeline's simplified
  view converts it back with ``t2s``, which is not an exact round trip);
- ``rewrap``: hard line breaks every 20-40 characters, spaces between characters, half-width
  punctuation (a PDF text layer).

*Template siblings* are different speeches built on one skeleton: they share the opening, the
transitions and the closing (stock phrases such as 同志们, 下面，我讲三点意见, 撸起袖子加油干)
but not the content; they must never be merged.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

import opencc

_S2T = opencc.OpenCC("s2t")
_T2S = opencc.OpenCC("t2s")

TRANSFORMS = ("truncate", "mask", "chrome", "script", "rewrap")

_SYLLABLES = (
    "青云安平川江河山阳宁兴德丰华泰和康永嘉长清新东西南北中龙凤金石林水溪岭桥源湖城泉"
    "崇庆临昌盛武文明光福顺通远宜乐沙柳松梅竹桂兰田"
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清"

_NOUNS = (
    "经济",
    "项目",
    "产业",
    "民生",
    "社会事业",
    "乡村振兴",
    "生态环境",
    "营商环境",
    "招商引资",
    "基础设施",
    "农业农村",
    "城市建设",
    "安全生产",
    "疫情防控",
    "教育事业",
    "医疗卫生",
    "文化旅游",
    "财政收入",
    "固定资产投资",
    "工业园区",
    "重点工程",
    "民营企业",
    "科技创新",
    "人才队伍",
    "干部作风",
    "基层治理",
    "社会保障",
    "就业创业",
    "防汛抗旱",
    "森林防火",
    "信访维稳",
    "公共服务",
    "交通运输",
    "水利设施",
    "特色农业",
    "现代物流",
    "电子商务",
    "数字经济",
    "绿色发展",
    "脱贫成果",
    "粮食安全",
    "耕地保护",
    "住房保障",
    "养老服务",
    "食品药品",
    "应急管理",
    "金融风险",
    "债务化解",
    "土地要素",
    "审批服务",
    "政务公开",
    "法治政府",
    "廉政建设",
    "主体责任",
    "目标任务",
    "工作机制",
    "考核体系",
    "资金争取",
    "市场主体",
    "消费市场",
    "县域经济",
    "集体经济",
    "人居环境",
    "污染防治",
    "河长制",
    "林长制",
    "旅游景区",
    "康养产业",
    "新能源",
    "新型材料",
    "装备制造",
    "农产品加工",
    "中药材",
    "茶叶产业",
    "食用菌",
    "光伏项目",
    "标准厂房",
    "高速公路",
    "棚户区改造",
    "老旧小区",
    "学校建设",
    "医共体",
)
_VERBS = (
    "推进",
    "加快",
    "抓好",
    "落实",
    "强化",
    "深化",
    "提升",
    "完善",
    "优化",
    "统筹",
    "巩固",
    "拓展",
    "培育",
    "壮大",
    "做实",
    "聚焦",
    "围绕",
    "狠抓",
    "压实",
    "守牢",
    "补齐",
    "打造",
    "建设",
    "推动",
    "实施",
    "保障",
    "服务",
    "规范",
    "整治",
    "谋划",
    "攻坚",
    "督促",
    "盯紧",
    "筑牢",
    "激发",
)
_MODS = (
    "高质量",
    "全方位",
    "常态化",
    "精细化",
    "系统性",
    "重点",
    "关键",
    "突出",
    "基础性",
    "长效",
    "创新型",
    "现代化",
    "一体化",
    "标准化",
    "规模化",
    "特色",
    "全链条",
    "多层次",
    "可持续",
    "全覆盖",
)
_RESULTS = (
    "明显成效",
    "积极进展",
    "显著提升",
    "重大突破",
    "良好开局",
    "稳步增长",
    "持续改善",
    "新的成绩",
)
_UNITS = ("亿元", "万元", "个", "家", "公里", "万平方米", "户", "人", "项", "%")
_STOCK_OPENINGS = (
    "同志们：",
    "今天召开这次会议，主要任务是总结工作、分析形势、安排部署下一阶段重点任务。",
    "刚才，几位同志作了很好的发言，讲得都很实在，我完全同意。",
    "下面，我讲三点意见。",
)
_STOCK_TRANSITIONS = (
    "一是",
    "二是",
    "三是",
    "四是",
    "第一，",
    "第二，",
    "第三，",
    "我们要清醒地看到，",
    "同时也要看到，",
    "总的来看，",
    "实践证明，",
    "必须认识到，",
    "各级各部门要",
    "各乡镇、各部门要",
    "要坚持问题导向，",
    "要以钉钉子精神",
)
_STOCK_CLOSINGS = (
    "同志们，",
    "新的一年，任务艰巨、使命光荣。",
    "让我们撸起袖子加油干，",
    "在市委、市政府的坚强领导下，",
    "团结一心、真抓实干，",
    "为奋力谱写新时代高质量发展新篇章而努力奋斗！",
    "谢谢大家！",
)
_MEETINGS = (
    "政府全体会议",
    "经济工作会议",
    "安全生产工作会议",
    "乡村振兴推进会",
    "项目建设观摩会",
    "廉政工作会议",
    "招商引资大会",
    "优化营商环境大会",
    "防汛工作会议",
    "干部大会",
)
_CHROME = (
    "购物车",
    "我的足迹",
    "加入会员免费下载",
    "立即下载",
    "相关推荐",
    "猜你喜欢",
    "上一篇",
    "下一篇",
    "扫一扫分享",
    "本文档由用户上传",
    "如有侵权请联系删除",
    "阅读全文",
    "收藏本文",
    "文档格式",
    "下载积分",
    "举报",
    "在线预览",
    "全文共",
    "页",
    "字数",
    "热门文档",
    "首页",
    "写作范文",
)
# Common characters of administrative prose, for per-speech content words (a large combinatorial
# space, so different speeches share stock phrasing but not content).
_CONTENT_CHARS = (
    "业务产品市场资金技术人员管理制度服务质量标准设备材料能源交通水电气路桥港站园区基地中心平台"
    "体系机制模式结构规模效益成本价格收入支出投资消费出口贸易物流仓储加工制造研发设计品牌营销"
    "渠道网络数据信息系统安全环境生态绿色低碳循环节约资源土地林草湿地流域水库灌区农田种植养殖"
    "畜牧渔业果蔬粮油茶叶药材花卉苗木村镇社区街道学校医院养老托育文体场馆广场公园景区民宿餐饮"
    "住宿购物娱乐康养研学会展电商直播快递冷链仓配金融信贷保险担保债券基金税费补贴奖励考核督查"
    "问责整改巡察审计监督评估规划方案政策项目工程建设改造提升扩建新建续建竣工开工签约落地投产"
)
_MASKS = ("X", "XX", "××", "某", "**", "○○", "xx", "×")


@dataclass(frozen=True, slots=True)
class Speech:
    text: str
    places: tuple[str, ...]
    persons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SynthDoc:
    """One generated document, with the fields `DedupItem` needs and the ground-truth cluster."""

    doc_id: str
    text: str
    text_simplified: str
    source_kind: str
    redaction_level: str
    is_truncated: bool
    truth: str
    transforms: tuple[str, ...] = ()
    places: tuple[str, ...] = field(default=(), repr=False)


def doc_id_for(*parts: object) -> str:
    return "d" + hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def simplified(text: str) -> str:
    """The pipeline's simplified view of a text (OpenCC t2s)."""
    return _T2S.convert(text)


def _place(rng: random.Random, suffix: str) -> str:
    return rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + suffix


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)


def _number(rng: random.Random) -> str:
    value = rng.choice((rng.randint(2, 98), round(rng.uniform(1, 99), 1)))
    return f"{value}{rng.choice(_UNITS)}"


def _lexicon(rng: random.Random, n_words: int = 60) -> tuple[str, ...]:
    """A speech's own content words: random 2-4 character terms from the common-character pool."""
    return tuple("".join(rng.choice(_CONTENT_CHARS) for _ in range(rng.choice((2, 2, 3, 4)))) for _ in range(n_words))


def _sentence(rng: random.Random, places: tuple[str, ...], lexicon: tuple[str, ...]) -> str:
    n1, n2, n3 = (rng.choice(lexicon) if rng.random() < 0.7 else rng.choice(_NOUNS) for _ in range(3))
    v1, v2 = rng.sample(_VERBS, 2)
    m = rng.choice(_MODS)
    place = rng.choice(places)
    forms = (
        f"要{v1}{n1}，{v2}{m}{n2}。",
        f"{n1}完成{_number(rng)}，同比增长{rng.randint(2, 30)}%，{n2}取得{rng.choice(_RESULTS)}。",
        f"{place}{n1}工作要坚持{m}{n2}，{v1}{n3}。",
        f"全年{v1}{n1}{_number(rng)}，{v2}{n2}{_number(rng)}。",
        f"围绕{n1}、{n2}、{n3}等领域，{v1}{m}{rng.choice(lexicon)}。",
        f"在{place}，{n1}和{n2}已经成为{m}{n3}的重要支撑。",
        f"{v1}{n1}不能停留在口头上，必须{v2}{n2}，确保{n3}{rng.choice(_RESULTS)}。",
    )
    return rng.choice(forms)


def _paragraph(rng: random.Random, places: tuple[str, ...], lexicon: tuple[str, ...], n_sent: int) -> str:
    lead = rng.choice(_STOCK_TRANSITIONS) if rng.random() < 0.5 else ""
    return lead + "".join(_sentence(rng, places, lexicon) for _ in range(n_sent))


def _skeleton(rng: random.Random) -> tuple[str, str]:
    opening = "".join(_STOCK_OPENINGS[i] for i in sorted(rng.sample(range(1, 4), 2)))
    closing = "".join(_STOCK_CLOSINGS)
    return opening, closing


def make_speech(rng: random.Random, n_chars: int, skeleton: tuple[str, str] | None = None) -> Speech:
    """A speech of about `n_chars` characters; `skeleton` shares opening/closing across siblings."""
    county = _place(rng, rng.choice("县区市"))
    towns = tuple(_place(rng, "镇") for _ in range(3))
    places = (county, *towns)
    persons = tuple(_person(rng) for _ in range(2))
    lexicon = _lexicon(rng)
    opening, closing = skeleton or _skeleton(rng)
    title = f"{persons[0]}同志在{county}{rng.choice(_MEETINGS)}上的讲话"
    date = f"（{rng.randint(2015, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日）"
    parts = [title, date, "同志们：", opening]
    size = sum(len(p) for p in parts) + len(closing)
    while size < n_chars:
        para = _paragraph(rng, places, lexicon, rng.randint(2, 6))
        if rng.random() < 0.15:
            para += f"{persons[1]}同志要亲自抓、负总责。"
        parts.append(para)
        size += len(para)
    parts.append(closing)
    return Speech("\n".join(parts), places, persons)


def _mask(rng: random.Random, text: str, speech: Speech) -> str:
    for place in speech.places:
        name, suffix = place[:-1], place[-1]
        text = text.replace(place, rng.choice(_MASKS) + suffix)
        text = text.replace(name, rng.choice(_MASKS))
    for person in speech.persons:
        text = text.replace(person, rng.choice(("X", "XXX", "某某", "**")))
    return text


def _chrome(rng: random.Random, n_items: int) -> str:
    return " ".join(rng.choice(_CHROME) for _ in range(n_items))


def _rewrap(rng: random.Random, text: str) -> str:
    text = text.translate(str.maketrans("，。：；！？（）", ",.:;!?()"))
    width = rng.randint(20, 40)
    flat = text.replace("\n", "")
    lines = [flat[i : i + width] for i in range(0, len(flat), width)]
    if rng.random() < 0.5:
        lines = [" ".join(line) for line in lines]
    return "\n".join(lines)


def make_copy(rng: random.Random, speech: Speech, transforms: tuple[str, ...]) -> tuple[str, bool]:
    """Apply `transforms` (in TRANSFORMS order); returns the copy's text and whether it is truncated."""
    text = speech.text
    truncated = False
    if "truncate" in transforms:
        keep = rng.uniform(0.3, 0.9)
        text = text[: int(len(text) * keep)]
        truncated = True
    if "mask" in transforms:
        text = _mask(rng, text, speech)
    if "chrome" in transforms:
        text = _chrome(rng, rng.randint(2, 6)) + "\n" + text + "\n" + _chrome(rng, rng.randint(2, 8))
    if "script" in transforms:
        text = _S2T.convert(text)
    if "rewrap" in transforms:
        text = _rewrap(rng, text)
    return text, truncated


def _random_transforms(rng: random.Random) -> tuple[str, ...]:
    picked = tuple(t for t in TRANSFORMS if rng.random() < 0.5)
    return picked or (rng.choice(TRANSFORMS),)


def make_corpus(
    seed: int,
    n_speeches: int,
    copies_per_speech: tuple[int, int] = (0, 3),
    sibling_share: float = 0.3,
    chars: tuple[int, int] = (1500, 6000),
) -> list[SynthDoc]:
    """Originals (official), their copies, and template siblings; sorted by doc_id.

    `sibling_share` of the speeches are built on the skeleton of the previous speech (a template
    family), so different speeches share stock openings, transitions and closings.
    """
    rng = random.Random(seed)
    docs: list[SynthDoc] = []
    skeleton = _skeleton(rng)
    for i in range(n_speeches):
        if rng.random() >= sibling_share:
            skeleton = _skeleton(rng)
        speech = make_speech(rng, rng.randint(*chars), skeleton)
        truth = doc_id_for(seed, i, 0)
        docs.append(
            SynthDoc(truth, speech.text, simplified(speech.text), "official", "none", False, truth, (), speech.places)
        )
        for j in range(1, rng.randint(*copies_per_speech) + 1):
            transforms = _random_transforms(rng)
            text, truncated = make_copy(rng, speech, transforms)
            docs.append(
                SynthDoc(
                    doc_id_for(seed, i, j),
                    text,
                    simplified(text),
                    rng.choice(("document_sharing", "template_site", "news")),
                    "partial" if "mask" in transforms else "none",
                    truncated,
                    truth,
                    transforms,
                    speech.places,
                )
            )
    return sorted(docs, key=lambda d: d.doc_id)


def make_template_pair(seed: int, n_chars: int = 3000) -> tuple[SynthDoc, SynthDoc]:
    """Two different speeches on one skeleton, both also carrying extra stock phrases."""
    rng = random.Random(seed)
    skeleton = _skeleton(rng)
    out = []
    for i in range(2):
        speech = make_speech(rng, n_chars, skeleton)
        text = speech.text.replace("同志们：", "同志们：下面，我讲三点意见。", 1)
        text = text + "\n撸起袖子加油干，不忘初心、牢记使命，以钉钉子精神抓好落实。"
        did = doc_id_for("template", seed, i)
        out.append(SynthDoc(did, text, simplified(text), "template_site", "none", False, did))
    return out[0], out[1]
