"""The Han character-set regexes count exactly what the per-character definitions say."""

from __future__ import annotations

from collections import Counter

from cn_local_gov_speeches import decode, hanchars
from cn_local_gov_speeches.annotate import script


def test_run_regex_matches_exactly_its_set() -> None:
    chars = "一丁七万丈三上下不与丐丑专且丕世丗丘丙业丛东丝丞丢" + "甲乙丙" + "𠀀"
    runs = hanchars.run_regex(chars)
    probe = [*hanchars.han_chars(), "a", "。", "𠀀", "𠀁"]
    assert [ch for ch in probe if runs.fullmatch(ch)] == sorted(set(chars))
    assert hanchars.count(runs, "甲乙 丙x丁丁𠀀。") == 6


def test_script_classes_agree_with_per_character_conversion() -> None:
    # `_class_runs` converts all Han characters in one call each way; it must classify every
    # character as converting it alone does.
    trad_runs, simp_runs = script._class_runs()
    for ch in hanchars.han_chars():
        got = 1 if trad_runs.fullmatch(ch) else -1 if simp_runs.fullmatch(ch) else 0
        assert got == script._char_class(ch), ch


def test_common_runs_agree_with_is_common_han() -> None:
    common, rare = decode._common_runs()
    for ch in hanchars.han_chars():
        assert bool(common.fullmatch(ch)) == decode._is_common_han(ch) != bool(rare.fullmatch(ch)), ch


def test_shares_equal_a_count_per_character() -> None:
    text = "我們在這裡討論经济发展和社會問題。國家 2024 年 abc 区域協調發展戰略"
    han = Counter(ch for ch in text if decode._HAN_RUN.fullmatch(ch))
    trad = sum(n for ch, n in han.items() if script._char_class(ch) == 1)
    simp = sum(n for ch, n in han.items() if script._char_class(ch) == -1)
    assert script.traditional_share(text) == trad / (trad + simp)
    common = sum(n for ch, n in han.items() if decode._is_common_han(ch))
    assert decode._common_share(text) == common / sum(han.values())
    assert decode.count_han(text) == script.count_han(text) == sum(han.values())
