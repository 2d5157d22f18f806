"""Decode stage on bytes written here: every common encoding, and every kind of bad input."""

from __future__ import annotations

import codecs
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cn_local_gov_speeches import decode
from cn_local_gov_speeches.decode import decode_bytes
from cn_local_gov_speeches.record import Document, Rejection, RejectReason

SIMP = "同志们：今天我们召开县政府全体会议，主要任务是总结去年工作，安排部署今年任务。下面我讲三点意见。"
TRAD = "同志們：今天我們召開縣政府全體會議，主要任務是總結去年工作，安排部署今年任務。下面我講三點意見。"


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        (SIMP.encode("utf-8"), "utf-8", SIMP),
        (SIMP.encode("utf-8-sig"), "utf-8-sig", SIMP),
        (SIMP.encode("utf-16"), "utf-16", SIMP),
        (SIMP.encode("utf-16-le"), "utf-16", SIMP),
        (SIMP.encode("gbk"), "gb18030", SIMP),
        (TRAD.encode("gb18030"), "gb18030", TRAD),
        (TRAD.encode("big5"), "big5", TRAD),
    ],
)
def test_encodings_are_detected(raw: bytes, encoding: str, text: str) -> None:
    doc = decode_bytes(raw, "f.txt")
    assert isinstance(doc, Document)
    assert (doc.encoding, doc.raw_text) == (encoding, text)


def test_line_endings_become_lf() -> None:
    doc = decode_bytes((SIMP + "\r\n" + SIMP + "\r" + SIMP).encode(), "f.txt")
    assert isinstance(doc, Document) and "\r" not in doc.raw_text and doc.raw_text.count("\n") == 2


def test_doc_id_depends_on_bytes_only() -> None:
    a, b = decode_bytes(SIMP.encode(), "a.txt"), decode_bytes(SIMP.encode(), "sub/b.txt")
    assert a.doc_id == b.doc_id and a.doc_id.startswith("d") and len(a.doc_id) == 17


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", RejectReason.EMPTY),
        (b" \n\t\r\n", RejectReason.EMPTY),
        (b"%PDF-1.7\n" + os.urandom(64), RejectReason.BINARY),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), RejectReason.BINARY),
        (b"PK\x03\x04" + bytes(64), RejectReason.BINARY),
        (bytes(range(256)) * 4, RejectReason.BINARY),
        (b"This is an English report about budgets and roads. " * 20, RejectReason.NOT_CHINESE),
        (SIMP.encode("utf-8") + SIMP.encode("gbk"), RejectReason.UNDECODABLE),
    ],
)
def test_bad_inputs_are_rejected_with_a_reason(raw: bytes, reason: RejectReason) -> None:
    r = decode_bytes(raw, "bad.bin")
    assert isinstance(r, Rejection)
    assert r.reason == reason and r.source_file == "bad.bin" and r.detail


@pytest.mark.parametrize("raw", [b"%PDF-1.7\n", b"PK\x03\x04" + bytes(30), b"\xd0\xcf\x11\xe0" + bytes(30),
                                 b"{\\rtf1\\ansi\\ansicpg936 \\'d4\\'da}"])
def test_a_document_file_is_rejected_with_what_to_do(raw: bytes) -> None:
    r = decode_bytes(raw, "speech.doc")
    assert isinstance(r, Rejection) and r.reason == RejectReason.BINARY
    assert "save the speech's text as a .txt file" in r.detail


@pytest.mark.parametrize("encoding", ["utf-8", "euc-jp"])  # EUC-JP bytes also read as GB18030 (kana rows shared)
def test_japanese_text_is_not_chinese(encoding: str) -> None:
    r = decode_bytes(("今日は会議を開催します。経済の発展について話し合いました。" * 3).encode(encoding), "ja.txt")
    assert isinstance(r, Rejection) and r.reason == RejectReason.NOT_CHINESE and "Japanese" in r.detail
    # a Chinese speech with a stray kana, or with ・ and ー as bullets and dashes, stays
    doc = decode_bytes((SIMP * 3 + "\n・一是要抓落实ーー\n品牌：の家").encode(), "zh.txt")
    assert isinstance(doc, Document)


def test_korean_in_euc_kr_is_not_chinese_mojibake() -> None:
    korean = "오늘 우리는 군 경제 공작 회의를 개최하여 지난해 사업을 총화하고 올해 과업을 배치합니다. " * 3
    r = decode_bytes(korean.encode("euc-kr"), "ko.txt")  # as GB18030 it reads as frequent Han characters
    assert isinstance(r, Rejection) and r.reason == RejectReason.NOT_CHINESE and "Korean" in r.detail
    # Chinese GB18030 text with spaces (word gaps, or a PDF's letter spacing) stays Chinese
    for text in (SIMP.replace("，", " ").replace("工作", "工作 "), " ".join(SIMP)):
        assert isinstance(decode_bytes((text * 3).encode("gb18030"), "zh.txt"), Document)


def test_hz_encoded_text_is_read() -> None:
    doc = decode_bytes(SIMP.encode("hz"), "hz.txt")
    assert isinstance(doc, Document) and doc.raw_text == SIMP and doc.encoding == "hz"
    # an ASCII text that only mentions "~{" stays UTF-8
    assert decode_bytes(("~{ " + SIMP).encode(), "x.txt").encoding == "utf-8"


def test_utf32_with_a_byte_order_mark_is_read() -> None:
    doc = decode_bytes(SIMP.encode("utf-32"), "u32.txt")
    assert isinstance(doc, Document) and doc.raw_text == SIMP and doc.encoding == "utf-32"


def test_a_chinese_stub_is_rejected_as_too_short_not_as_foreign() -> None:
    r = decode_bytes("在全县会议上的讲话\n同志们：好。\n".encode(), "stub.txt")
    assert isinstance(r, Rejection) and r.reason == RejectReason.NOT_CHINESE
    assert "only 13 Han characters, fewer than the 20" in r.detail
    r = decode_bytes(b"This is an English report about budgets and roads. " * 20, "en.txt")
    assert isinstance(r, Rejection) and "0 Han characters of" in r.detail


def test_big5_bytes_are_not_mistaken_for_gb18030() -> None:
    doc = decode_bytes((TRAD * 5).encode("big5"), "t.txt")
    assert isinstance(doc, Document) and doc.encoding == "big5"


def test_a_file_cut_inside_its_last_character_is_kept() -> None:
    raw = (SIMP * 3).encode("utf-8") + "县".encode()[:2]
    doc = decode_bytes(raw, "cut.txt")
    assert isinstance(doc, Document) and doc.encoding == "utf-8"
    assert doc.raw_text.startswith(SIMP) and doc.normalization == ("decode_replacement",)


def test_a_gbk_file_cut_inside_its_last_character_is_kept() -> None:
    raw = (SIMP * 5).encode("gbk") + "县".encode("gbk")[:1]
    doc = decode_bytes(raw, "cut.txt")
    assert isinstance(doc, Document) and doc.encoding == "gb18030" and doc.raw_text.endswith("意见。\ufffd")


def test_one_bad_byte_in_utf8_is_kept_but_heavy_damage_is_not() -> None:
    good = (SIMP * 20).encode()
    doc = decode_bytes(good[:100] + b"\xff" + good[101:], "one.txt")
    assert isinstance(doc, Document) and doc.encoding == "utf-8" and doc.raw_text.count("\ufffd") <= 3
    damaged = bytes(b if i % 9 else 0xFF for i, b in enumerate(good))
    assert isinstance(decode_bytes(damaged, "bad.txt"), Rejection)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60).map(lambda b: bytes(0xE4 + x % 6 if x % 3 == 0 else 0x80 + x % 64 for x in b))
       | st.lists(st.sampled_from([b"\xe4\xb8\xad", b"\xe9\xbf\xbf", b"\xe3\x80\x80", b"a", b"\x80", b"\xe4"]),
                  max_size=30).map(b"".join))
def test_utf8_han_run_is_three_or_more_encoded_characters(raw: bytes) -> None:
    # The regex is written out for speed; it must find what `(?:c){3,}` finds.
    reference = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){3,}")
    assert decode._UTF8_HAN_RUN.findall(raw) == reference.findall(raw)
    assert decode._utf8_han_run_bytes(raw) == sum(len(m) for m in reference.findall(raw))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet="中文 \t\n\x00\x07\x7f\u3000\u2028\x85a𠀀\ud800かカ・ー", max_size=60))
def test_class_counts_equal_the_per_character_definitions(text: str) -> None:
    from cn_local_gov_speeches import decode

    expected = (decode.count_han(text), len(text) - len("".join(text.split())), len(decode._CONTROL.findall(text)),
                len(decode._KANA.findall(text)))
    assert decode._class_counts(text) == expected


def test_whitespace_is_all_in_the_bmp() -> None:
    # _class_counts looks whitespace up per UTF-16 code unit: no whitespace character may lie beyond.
    assert max(cp for cp in range(0x110000) if chr(cp).isspace()) < 0xD800


def _replacements(raw: bytes) -> int:
    """Bad spans UTF-8 with errors="replace" replaces (counted by the handler itself)."""
    calls = []

    def counting(exc: UnicodeDecodeError) -> tuple[str, int]:
        calls.append(exc.start)
        return "\ufffd", exc.end

    codecs.register_error("test-count-replacements", counting)
    raw.decode("utf-8", errors="test-count-replacements")
    return len(calls)


_UTF8_PIECES = [b"\xe4\xb8\xad", b"a", b"\xe4", b"\xe4\xb8", b"\x80", b"\xff", b"\xc3", b"\xf0\x9f\x98",
                b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xef\xbf\xbd", b"\xc0\xaf"]  # good, cut, invalid


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_UTF8_PIECES), max_size=40).map(b"".join) | st.binary(max_size=80),
       st.integers(min_value=0, max_value=12))
def test_utf8_error_count_equals_the_replacements(raw: bytes, limit: int) -> None:
    assert decode._utf8_errors_exceed(raw, limit) == (_replacements(raw) > limit)
    assert decode._utf8_errors_exceed(raw, limit + 0.5) == (_replacements(raw) > limit + 0.5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([SIMP, TRAD, "\ufffd", "abc"]), max_size=8).map("".join),
       st.sampled_from(["utf-8", "gb18030", "big5"]), st.lists(st.integers(0, 10_000), max_size=20))
def test_utf8_with_few_errors_equals_its_plain_definition(text: str, encoding: str, flips: list[int]) -> None:
    raw = bytearray(text.encode(encoding, errors="replace"))
    for i in flips:  # damaged bytes
        if raw:
            raw[i % len(raw)] ^= 0x80
    raw = bytes(raw)
    plain = raw.decode("utf-8", errors="replace")
    ok = (plain.count("\ufffd") <= max(decode.MAX_BAD_CHARS, decode.MAX_BAD_SHARE * len(plain))
          and decode._common_share(plain) >= decode.MIN_COMMON_SHARE)
    assert decode._utf8_with_few_errors(raw) == ((plain, "utf-8") if ok else None)
