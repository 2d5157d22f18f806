"""The Han character-set regexes count exactly what the per-character definitions say."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from cn_local_gov_speeches import decode, hanchars
from cn_local_gov_speeches.annotate import script


def test_run_regex_matches_exactly_its_set() -> None:
    chars = "一丁七万丈三上下不与丐丑专且丕世丗丘丙业丛东丝丞丢" + "甲乙丙" + "𠀀"
    runs = hanchars.run_regex(chars)
    probe = [*hanchars.han_chars(), "a", "。", "𠀀", "𠀁"]
    assert [ch for ch in probe if runs.fullmatch(ch)] == sorted(set(chars))
    assert hanchars.count(runs, "甲乙 丙x丁丁𠀀。") == 6


def test_script_classes_agree_with_per_character_conversion() -> None:
    # `_class_sets` converts all Han characters in one call each way; it must classify every
    # character as converting it alone does.
    trad_set, simp_set = script._class_sets()
    for ch in hanchars.han_chars():
        got = 1 if ch in trad_set else -1 if ch in simp_set else 0
        assert got == script._char_class(ch), ch


def test_common_sets_agree_with_is_common_han() -> None:
    common, rare = decode._common_sets()
    for ch in hanchars.han_chars():
        assert (ch in common) == decode._is_common_han(ch) != (ch in rare), ch


def test_shares_equal_a_count_per_character() -> None:
    text = "我們在這裡討論经济发展和社會問題。國家 2024 年 abc 区域協調發展戰略"
    han = Counter(ch for ch in text if decode._HAN_RUN.fullmatch(ch))
    trad = sum(n for ch, n in han.items() if script._char_class(ch) == 1)
    simp = sum(n for ch, n in han.items() if script._char_class(ch) == -1)
    assert script.traditional_share(text) == trad / (trad + simp)
    common = sum(n for ch, n in han.items() if decode._is_common_han(ch))
    assert decode._common_share(text) == common / sum(han.values())
    assert decode.count_han(text) == script.count_han(text) == sum(han.values())


def _random_text(rng: random.Random, n: int) -> str:
    """Han of every block and edge, Han look-alikes, astral Han, lone surrogates, ASCII, CJK punctuation."""
    pool = [0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF, 0xFB00,
            0x20000, 0x2A6DF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x3002, 0xFF0C, 0x0A, 0x41, 0x00, 0xFFFF]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            out.append(chr(rng.randint(0x3400, 0x9FFF)))
        elif r < 0.7:
            out.append(chr(rng.choice(pool)))
        else:
            out.append(chr(rng.randint(0, 0x2FFFF)))
    return "".join(out)


@pytest.mark.parametrize("seed", range(20))
def test_char_set_counts_what_the_runs_count(seed: int) -> None:
    rng = random.Random(seed)
    subset = [*rng.sample(hanchars.han_chars(), 3000), "一", "\uf900", "\u4dbf"]
    sets = [(hanchars.HAN, hanchars.HAN_RUN), (hanchars.CharSet(subset), hanchars.run_regex(subset))]
    for n in (0, 1, 2, 7, 500):
        text = _random_text(rng, n)
        for char_set, runs in sets:
            assert char_set.count(text) == hanchars.count(runs, text)
            assert char_set.count(text[1:]) == hanchars.count(runs, text[1:])


def test_char_set_refuses_astral_and_surrogates() -> None:
    for bad in ("𠀀", "\ud800"):
        with pytest.raises(ValueError):
            hanchars.CharSet(["一", bad])
