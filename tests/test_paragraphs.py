"""The lazy first/last paragraph readers equal splitting the whole text (random texts)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cn_local_gov_speeches.annotate.paragraphs import first_paragraphs, last_paragraphs


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab中 \n\t\u3000\u2028\r", max_size=40), st.integers(min_value=1, max_value=5))
def test_first_and_last_paragraphs_equal_the_full_split(text: str, n: int) -> None:
    assert first_paragraphs(text, n) == _paragraphs(text)[:n]
    assert last_paragraphs(text, n) == _paragraphs(text)[-n:]
    assert first_paragraphs(text, 0) == []
    # ends_mid_sentence split the stripped text: the same paragraphs.
    assert last_paragraphs(text, 1) == [ln.strip() for ln in text.strip().split("\n") if ln.strip()][-1:]
