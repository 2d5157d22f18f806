"""Synthetic speech-like texts for tests (written here, never taken from raw/)."""

from __future__ import annotations

import random

PHRASES = (
    "同志们，今天我们召开全体会议，主要任务是总结工作、部署任务。",
    "要坚持以人民为中心的发展思想，扎实推进各项民生实事。",
    "各部门要压实责任，细化措施，确保目标任务按期完成。",
    "要加快重点项目建设进度，强化要素保障，优化营商环境。",
    "要统筹发展和安全，守牢安全生产底线，做好防汛准备。",
    "要深化改革创新，激发市场主体活力，培育新的增长点。",
    "要加强干部作风建设，力戒形式主义官僚主义。",
    "要持续改善生态环境质量，推进污染防治攻坚。",
    "要巩固拓展脱贫攻坚成果，全面推进乡村振兴。",
    "要抓好招商引资工作，引进一批带动力强的大项目。",
)


def speech(seed: int, n_paragraphs: int = 8) -> str:
    """A distinct, deterministic speech: stock phrases plus numbered specifics."""
    rng = random.Random(seed)
    paras = []
    for i in range(n_paragraphs):
        body = "".join(rng.sample(PHRASES, 3))
        figures = f"全年计划完成投资{rng.randint(10, 999)}亿元，新建道路{rng.randint(1, 99)}公里。"
        paras.append(f"第{i + 1}项工作：{figures}{body}")
    return "\n".join(paras) + "\n"
