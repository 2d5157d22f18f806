"""Decode stage: raw bytes -> text, or a Rejection that names the file and the problem.

Invariants: never raises on any input; the chosen encoding is recorded; line endings become LF.
Among legacy encodings, "decodes without error" is not "right" (Big5 bytes often decode as
GB18030 into mojibake), so candidates are scored by how much of their Han text is common
characters of that encoding's own repertoire.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re

import numpy as np

from . import hanchars, markup
from .record import Document, Rejection, RejectReason

STAGE = "decode"
# UTF-32's before UTF-16's: the little-endian UTF-32 mark starts with UTF-16's.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# File signatures of common binary formats users drop into raw/ by mistake; a document's text can be
# saved as a text file (the message says so).
_DOCUMENTS = ("PDF document", "ZIP archive (or docx/xlsx)", "OLE document (doc/xls)", "RTF document")
_SAVE_AS_TEXT = "; save the speech's text as a .txt file (UTF-8 or GB18030) to include it"
_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "OLE document (doc/xls)"),
    (b"{\\rtf", "RTF document"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"\x7fELF", "ELF executable"),
)
_HAN_RUN = hanchars.HAN_RUN
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A legacy decoding is accepted when at least this share of its Han characters are level-1
# (frequent) characters of GB2312 or Big5: real speeches in either script score > 0.98,
# Big5 bytes read as GB18030 score 0.48-0.60 (measured on converted speeches).
MIN_COMMON_SHARE = 0.80
# Text with fewer Han characters than this, or a lower Han share of its non-space characters,
# is not a Chinese speech.
# Runs of three or more UTF-8-encoded Han characters never occur in real GB18030/Big5 text
# (0.0% of bytes in converted speeches); above this share the file mixes UTF-8 with a legacy encoding.
# The pattern is `(?:c){3,}` for one encoded character c, with the first three written out: the
# same matches, 5x faster on legacy bytes (the engine's repeat machinery ran at every lead byte).
_UTF8_HAN = rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]"
_UTF8_HAN_RUN = re.compile(_UTF8_HAN * 3 + rb"(?:" + _UTF8_HAN + rb")*")
MAX_UTF8_RUN_SHARE = 0.02
# Bad bytes tolerated in an otherwise valid text (a scrape cut mid-character, a flipped byte): at most
# this many replacement characters, or this share of the text, whichever is larger.
MAX_BAD_CHARS = 3
MAX_BAD_SHARE = 0.001
MIN_HAN = 20
MIN_HAN_SHARE = 0.30
# Japanese text (or EUC-JP bytes read as GB18030, whose kana rows GB2312 shares) has kana in every
# sentence; a Chinese speech has none, or a stray one in a name. (Not the katakana middle dot and
# long-vowel mark, which Chinese typists use as a bullet, a name separator or a dash: ・, ー.)
KANA_MAX_SHARE = 0.05
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
MAX_CONTROL_SHARE = 0.01


def doc_id_for(raw: bytes) -> str:
    return _doc_id(hashlib.sha256(raw).hexdigest())


def _doc_id(sha256_hex: str) -> str:
    return "d" + sha256_hex[:16]


def _is_common_han(ch: str) -> bool:
    """Level-1 (frequent) character of GB2312 (lead byte B0-D7) or of Big5 (lead byte A4-C6)."""
    for codec, lo, hi in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            if lo <= ch.encode(codec)[0] <= hi:
                return True
        except UnicodeEncodeError:
            pass
    return False


# The level-1 areas (`_is_common_han`): (codec, lead bytes, trail bytes).
_LEVEL_1 = (("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
            ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]))


def _level_1_chars() -> set[str]:
    """The characters `_is_common_han` accepts, read off the two codecs' level-1 areas (one decode
    per code, ~9,000: a tenth of the time of encoding every Han character twice)."""
    out: set[str] = set()
    for codec, leads, trails in _LEVEL_1:
        for lead in leads:
            for trail in trails:
                try:
                    out.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    pass
    return out


@functools.cache
def _common_sets() -> tuple[hanchars.CharSet, hanchars.CharSet]:
    """The common and the other Han characters (`_is_common_han`), built once, on the first
    legacy file (or in the build's warm-up)."""
    level_1 = _level_1_chars()
    chars = hanchars.han_chars()
    return (hanchars.CharSet(ch for ch in chars if ch in level_1),
            hanchars.CharSet(ch for ch in chars if ch not in level_1))


def _common_share(text: str) -> float:
    """Share of Han characters that are frequent in either script; mojibake scores 0.5-0.6."""
    common_set, rare_set = _common_sets()
    common = common_set.count(text)
    total = common + rare_set.count(text)
    return common / total if total else 0.0


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without BOM shows as NUL bytes in every other position for ASCII; Han has none."""
    for enc in ("utf-16-le", "utf-16-be"):
        text = _try(raw, enc)
        if text and count_han(text) >= max(1, len(text) // 3) and not _CONTROL.search(text):
            return text
    return None


def detect_and_decode(raw: bytes) -> tuple[str, str] | str:
    """(text, encoding) or a one-line reason why the bytes are not a decodable text."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            text = _try(raw, enc)
            return (text, enc) if text is not None else f"has a {enc} byte-order mark but invalid {enc} bytes"
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return f"binary file: {what}" + (_SAVE_AS_TEXT if what in _DOCUMENTS else "")
    text = _try(raw, "utf-8")
    if text is not None:
        # HZ (RFC 1843), GB2312 in 7-bit ASCII between "~{" and "~}" (old mail and Usenet copies);
        # read as ASCII, the same bytes hold no Han character.
        if b"~{" in raw and raw.isascii() and (hz := _try(raw, "hz")) is not None and count_han(hz):
            return hz, "hz"
        return text, "utf-8"
    if b"\x00" in raw:
        text = _decode_utf16_without_bom(raw)
        return (text, "utf-16") if text else "binary file: contains NUL bytes"
    damaged = _cut_at_end(raw, ("utf-8",)) or _utf8_with_few_errors(raw)
    if damaged:
        return damaged
    utf8_share = _utf8_han_run_bytes(raw) / len(raw)
    if utf8_share > MAX_UTF8_RUN_SHARE:
        return f"undecodable: mixed encodings ({utf8_share:.0%} of bytes are UTF-8 Han text, the rest is not UTF-8)"
    scored = []
    for enc in ("gb18030", "big5"):
        cand = _try(raw, enc)
        if cand is not None:
            scored.append((_common_share(cand), enc == "gb18030", enc, cand))
    if not scored:
        return _cut_at_end(raw, ("gb18030", "big5")) or "undecodable: not valid UTF-8, UTF-16, GB18030 or Big5"
    share, _, enc, text = max(scored)
    if share < MIN_COMMON_SHARE:
        return (
            f"undecodable: best candidate {enc} has only {share:.0%} common Han characters "
            "(mixed encodings or mojibake)"
        )
    if text.count(" ") >= 0.1 * count_han(text) and _korean(raw):  # (spaces: a cheap test first)
        return "not Chinese text: Korean (EUC-KR bytes)"
    return text, enc


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD_GAP = re.compile(r"(?<=[\uac00-\ud7a3]) (?=[\uac00-\ud7a3])")


def _korean(raw: bytes) -> bool:
    """EUC-KR bytes fall in GB2312's level-1 area and read as frequent Han characters: the same bytes
    read as Korean (CP949) are Hangul with a space every few syllables, as Korean words are written.
    (GB18030 Chinese read as CP949 is Hangul and Hanja about 3:2, without spaces, or with one after
    every character when a PDF letter-spaced it.)"""
    text = _try(raw, "cp949")
    if text is None:
        return False
    hangul = len(_HANGUL.findall(text))
    gaps = len(_HANGUL_WORD_GAP.findall(text))
    return hangul >= 0.9 * (hangul + count_han(text)) and 0.1 * hangul <= gaps <= 0.6 * hangul


def _utf8_han_run_bytes(raw: bytes) -> int:
    """Bytes of `raw` in `_UTF8_HAN_RUN` matches. Every match starts three encoded Han characters in
    a row, which legacy bytes almost never hold: a numpy test for one spares the regex's scan."""
    b = np.frombuffer(raw, dtype=np.uint8)
    if b.size >= 9:
        cont = (b & 0xC0) == 0x80
        char = (b[:-2] >= 0xE4) & (b[:-2] <= 0xE9) & cont[1:-1] & cont[2:]  # one encoded character at i
        if not (char[:-6] & char[3:-3] & char[6:]).any():
            return 0
    return sum(len(m) for m in _UTF8_HAN_RUN.findall(raw))


def _cut_at_end(raw: bytes, encodings: tuple[str, ...]) -> tuple[str, str] | None:
    """A scrape cut inside its last multi-byte character: the rest decodes strictly."""
    for k in (1, 2, 3):
        for enc in encodings:
            text = _try(raw[:-k], enc)
            if text and _common_share(text) >= MIN_COMMON_SHARE:
                return text + "\ufffd", enc
    return None


def _utf8_with_few_errors(raw: bytes) -> tuple[str, str] | None:
    """UTF-8 resynchronizes after a bad byte, so a few replaced bytes in a long text are tolerable
    (GB18030 and Big5 do not: one bad lead byte garbles everything after it)."""
    # The text is at most len(raw) characters long: more bad bytes than its allowance is None
    # without decoding every bad byte of a legacy file (its thousands of replacements cost 0.06 ms).
    if _utf8_errors_exceed(raw, max(MAX_BAD_CHARS, MAX_BAD_SHARE * len(raw))):
        return None
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(MAX_BAD_CHARS, MAX_BAD_SHARE * len(text)) and _common_share(text) >= MIN_COMMON_SHARE:
        return text, "utf-8"
    return None


def _utf8_errors_exceed(raw: bytes, limit: float) -> bool:
    """Does decoding `raw` as UTF-8 with errors="replace" replace more than `limit` spans? Each
    strict decode stops at the next bad span, and the decoder resumes after it as "replace" does."""
    view, errors = memoryview(raw), 0
    while True:
        try:
            codecs.utf_8_decode(view, "strict", True)
            return False
        except UnicodeDecodeError as exc:
            errors += 1
            if errors > limit:
                return True
            view = view[exc.end :]


def count_han(text: str) -> int:
    return hanchars.HAN.count(text)


def has_han(text: str) -> bool:
    return _HAN_RUN.search(text) is not None


_HAN_BIT, _SPACE_BIT, _CONTROL_BIT, _KANA_BIT = 1, 2, 4, 8


@functools.cache
def _class_table() -> np.ndarray:
    """Per BMP code unit: Han (HAN_RANGES), whitespace (`str.isspace`, what `str.split()` splits on;
    all in the BMP) and control (`_CONTROL`) bits, built once (~10 ms)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in hanchars.HAN_RANGES:
        table[lo : hi + 1] |= _HAN_BIT
    every = "".join(map(chr, range(0x10000)))
    table[[i for i, ch in enumerate(every) if ch.isspace()]] |= _SPACE_BIT
    table[[m.start() for m in _CONTROL.finditer(every)]] |= _CONTROL_BIT
    table[[m.start() for m in _KANA.finditer(every)]] |= _KANA_BIT
    return table


def _class_counts(text: str) -> tuple[int, int, int, int]:
    """(Han, whitespace, control, kana) characters of `text`: `count_han(text)`,
    `len(text) - len("".join(text.split()))`, `len(_CONTROL.findall(text))` and
    `len(_KANA.findall(text))`, in one numpy pass over its UTF-16 code units (a character beyond the
    BMP is two surrogates, in no class). (A regex scan for kana alone took ~60 µs a speech.)"""
    classes = _class_table()[hanchars.utf16_units(text)]
    han, spaces, controls, kana = (int(np.count_nonzero(classes & bit))
                                   for bit in (_HAN_BIT, _SPACE_BIT, _CONTROL_BIT, _KANA_BIT))
    return han, spaces, controls, kana


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(raw: bytes, source_file: str, sha: str | None = None) -> Document | Rejection:
    """Decode one raw file's bytes into a Document carrying only identity and `raw_text`; `sha` is
    the bytes' SHA-256 (hex) when the caller has it already."""
    sha = sha or hashlib.sha256(raw).hexdigest()

    def reject(reason: RejectReason, detail: str) -> Rejection:
        return Rejection(source_file, sha, STAGE, reason, detail)

    if not raw.strip():
        return reject(RejectReason.EMPTY, "empty or whitespace-only file")
    decoded = detect_and_decode(raw)
    if isinstance(decoded, str):
        reason = (RejectReason.BINARY if decoded.startswith("binary") else
                  RejectReason.NOT_CHINESE if decoded.startswith("not Chinese") else RejectReason.UNDECODABLE)
        return reject(reason, decoded)
    text, encoding = decoded
    text = _normalize_newlines(text).lstrip("\ufeff")
    if not text.strip():
        return reject(RejectReason.EMPTY, f"no text after decoding as {encoding}")
    han, spaces, controls, kana = _class_counts(text)
    if controls > MAX_CONTROL_SHARE * len(text):
        return reject(RejectReason.BINARY, f"binary content: control characters after decoding as {encoding}")
    visible = len(text) - spaces
    if (page := markup.html_to_text(text)) is not None:  # a web page: the share of what it shows
        han, spaces, _, kana = _class_counts(page)
        visible = len(page) - spaces
    if kana > KANA_MAX_SHARE * (han + kana):
        return reject(RejectReason.NOT_CHINESE, f"not Chinese text: Japanese, {kana} kana with {han} Han characters "
                                                f"({encoding})")
    if han < max(MIN_HAN, MIN_HAN_SHARE * visible):
        # Say which bound failed: a two-line stub is Chinese, but too short to be a speech.
        why = (f"only {han} Han characters, fewer than the {MIN_HAN} of the shortest speech"
               if han >= MIN_HAN_SHARE * visible else f"{han} Han characters of {visible} visible")
        return reject(RejectReason.NOT_CHINESE, f"not Chinese text: {why} ({encoding})")
    # Bytes that could not be decoded became U+FFFD: say so in the row's list of fixes.
    fixes = ("decode_replacement",) if "\ufffd" in text else ()
    return Document(
        doc_id=_doc_id(sha), source_file=source_file, source_sha256=sha, encoding=encoding, raw_text=text,
        normalization=fixes,
    )
