"""Repair of the Chinese and English text that users and imported documents bring.

Owns Traditional → Simplified conversion, pinyin-gloss removal, full-width/half-width unification, repair of
words broken across newspaper columns, repair of GBK byte-shift mojibake, and the optional removal of photo
captions and bylines. Every step is idempotent, so normalised text can be normalised again safely.

Conversion uses OpenCC's t2s, not tw2sp: the Traditional documents met so far are mainland texts set in
Traditional characters, and tw2sp's Taiwan phrase table rewrites their vocabulary (核心→内核, 指标→指针,
行程→进程, 建立→创建, 系列举措→系枚举措 in seed 003), while t2s changes only the script. The one t2s
gap, the particle 著 (→着), is closed here. Mojibake is repaired where the shifted bytes can be re-paired;
a character whose bytes are lost is dropped rather than guessed.
"""

from __future__ import annotations

import re
from functools import cache

import opencc
import rjieba

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_HAN_CHAR = re.compile(f"[{_HAN}]")

# 著 is the Traditional form of the particle 着 as well as the Simplified 著 of 著名; OpenCC's t2s keeps it.
_ZHU_WORDS = re.compile(r"著(?=[名作称述录者])|(?<=[显卓土编原名巨专论遗合新译撰拙])著")

# A pinyin syllable with or without tone marks (ü also written v), as glossed after a Han character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = (
    rf"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouv{_TONED}]{{1,3}}(?:ng|n|r)?"
    r"|[mn]g?|er|hm|hng"
)
_PINYIN_PLAIN = rf"[a-z{_TONED}]{{1,6}}"
_GLOSS = re.compile(rf"(?<=[{_HAN}])\((?:{_PINYIN})\)", re.IGNORECASE)

_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
    ord("％"): ord("%"),
    ord("＋"): ord("+"),
    ord("＝"): ord("="),
    ord("＆"): ord("&"),
    ord("＠"): ord("@"),
    ord("＃"): ord("#"),
    0x3000: 0x20,
    0x00A0: 0x20,
    0xFEFF: None,
    ord("\r"): None,
}

_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉「」『』【】…—·"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_HALF_PUNCT = re.compile(r"[,:;?!]")
_PAREN = re.compile(r"\(([^()\n]*)\)")

# Sentence-internal endings after which a line break cannot end a paragraph.
_OPEN_END = re.compile(rf"[{_HAN}、，]$")
_CONTINUATION_START = re.compile(rf"^[{_HAN}0-9，。、；：！？）》”]")
_SENTENCE_END = re.compile(r"[。！？]")

_MARKER_LINE = re.compile(r"^[\s①-⑳⑴-⒇❶-❿]+$")
_PHOTO_CREDIT = re.compile(
    r"^(?:◎)?(?:本报|本刊|新华社|人民网)?(?:记者|通讯员|摄影)?\s*[^\s，。]{2,4}(?:\s+[^\s，。]{2,4})*摄$"
    r"|^[^，。]{0,12}供图$"
    r"|摄\s*/\s*本刊$"
)
_BYLINE = re.compile(
    r"^(?:◎\s*)?(?:本报记者|本刊记者|新华社记者|记者)\s*[^\s，。]{2,4}(?:\s+[^\s，。]{2,4})*$"
    r"|^文\s*[|｜].{2,60}$"
    r"|^——\s*编者$"
    r"|^本版编辑\s"
    r"|^新华社客户端\s"
)
_BYLINE_WITH_MOJIBAKE = re.compile(r"^文[\s?]*[|｜]")
_CAPTION_LEAD = re.compile(r"^(?:图[①-⑳0-9]*|[上下左右中]图)[\s：:]")
_CAPTION_INLINE_CREDIT = re.compile(r"\s+(?:(?:本报|本刊|新华社)?记者\s*\S{2,4}摄|\S{0,6}供图)$")
_MAX_CAPTION = 80

# GBK byte-shift mojibake: a lost lead byte turns "。”" into "?!" (or a Han character into "?" plus a stray
# pinyin gloss) and shifts every following byte pair by one until an ASCII byte realigns the stream.
_MOJIBAKE_PUNCT = re.compile(r"\?([!\"#])([^\x00-\x7f]*(?:[\x40-\x7e](?=[^\x00-\x7f]))?)(?:\?(?![a-z]))?")
_MOJIBAKE_CHAR = re.compile(
    rf"\?y[{_TONED}]n\)(?:([^\x00-\x7f]+)\??|([\x40-\x7e])(?:\([a-z{_TONED}]{{1,6}}\))?)(?=(.{{0,2}}))"
)
_LOST_GLOSSED = re.compile(rf"\?(?:{_PINYIN_PLAIN})\)")


@cache
def _t2s() -> opencc.OpenCC:
    """Build the converter once: loading its dictionaries costs milliseconds, converting is cheap."""
    return opencc.OpenCC("t2s")


@cache
def _dictionary() -> rjieba.Jieba:
    """A jieba dictionary to judge which repaired character makes a real word."""
    return rjieba.Jieba()


def to_simplified(text: str) -> str:
    """Convert Traditional characters with OpenCC t2s, which keeps mainland vocabulary as written."""
    converted = _t2s().convert(text)
    if "著" not in converted:
        return converted
    parts = _ZHU_WORDS.split(converted)
    keep = _ZHU_WORDS.findall(converted)
    out = [parts[0].replace("著", "着")]
    for word, rest in zip(keep, parts[1:], strict=True):
        out.append(word)
        out.append(rest.replace("著", "着"))
    return "".join(out)


def _decode_shifted(lead: int, shifted: str) -> str | None:
    """Re-pair the bytes of a shifted run behind its lost lead byte; None if they are not valid GBK."""
    try:
        data = bytes([lead]) + shifted.encode("gbk")
    except UnicodeEncodeError:
        return None
    text = data.decode("gbk", errors="replace")
    return text.replace("\ufffd", "")


def _best_lead(shifted: str, following: str) -> str:
    """Choose the lost lead byte whose character forms the most frequent word with what follows."""
    jieba = _dictionary()
    best, best_freq = "", 0
    for lead in range(0x81, 0xFF):
        candidate = _decode_shifted(lead, shifted)
        if not candidate:
            continue
        simple = _t2s().convert(candidate + following)
        for size in (2, 3):
            word = simple[:size]
            if len(word) == size and jieba.has_word(word):
                freq = int(jieba.suggest_freq(word))
                if freq > best_freq:
                    best, best_freq = candidate, freq
    return best


def _repair_mojibake(text: str) -> str:
    """Undo GBK byte-shift mojibake: recover the punctuation and the shifted characters after it."""

    def fix_punct(match: re.Match[str]) -> str:
        fullwidth = chr(ord(match.group(1)) + 0xFEE0)
        return _decode_shifted(0xA1, fullwidth + match.group(2)) or ""

    def fix_char(match: re.Match[str]) -> str:
        return _best_lead(match.group(1) or match.group(2), match.group(3))

    text = _MOJIBAKE_CHAR.sub(fix_char, _MOJIBAKE_PUNCT.sub(fix_punct, text))
    return _LOST_GLOSSED.sub("", text)


def _fold_width(text: str) -> str:
    """Full-width digits, Latin letters and a few symbols become ASCII; Chinese punctuation stays."""
    return text.translate(_FULLWIDTH_ALNUM)


def _is_chinese_side(ch: str) -> bool:
    """True for a Han character or Chinese punctuation, the context in which ASCII punctuation is wrong."""
    return bool(_HAN_CHAR.match(ch)) or ch in _CJK_PUNCT


def _chinese_punctuation(line: str) -> str:
    """Turn , : ; ? ! ( ) inside Chinese text into their full-width forms."""

    def paren(match: re.Match[str]) -> str:
        inner = match.group(1)
        before = line[match.start() - 1] if match.start() else ""
        if _HAN_CHAR.search(inner) or (before and _is_chinese_side(before)):
            return f"（{inner}）"
        return match.group(0)

    line = _PAREN.sub(paren, line)

    def punct(match: re.Match[str]) -> str:
        i = match.start()
        before = line[i - 1] if i else ""
        after = line[i + 1] if i + 1 < len(line) else ""
        if before.isdigit() and after.isdigit():
            return match.group(0)
        if (before and _is_chinese_side(before)) or (after and _is_chinese_side(after)):
            return _HALF_TO_FULL[match.group(0)]
        return match.group(0)

    return _HALF_PUNCT.sub(punct, line)


def _byline_separators(line: str) -> str:
    """In a byline such as 文?|记者?张三?李四 the question marks are mangled spaces."""
    if _BYLINE_WITH_MOJIBAKE.match(line):
        return re.sub(r"\s*\?\s*", " ", line).replace(" |", " |")
    return line


def _is_movable(line: str) -> bool:
    """Photo markers, credits and bylines that sit between the two halves of a broken sentence."""
    return bool(_MARKER_LINE.match(line) or _PHOTO_CREDIT.search(line) or _BYLINE.search(line))


def _is_caption(line: str, next_line: str | None) -> bool:
    """A photo caption: introduced by 图/上图..., ending in a credit, or the short line just before one."""
    if _CAPTION_LEAD.match(line) or _CAPTION_INLINE_CREDIT.search(line) or _PHOTO_CREDIT.search(line):
        return True
    if "摄）" in line and len(line) <= _MAX_CAPTION:
        return True
    return (
        next_line is not None
        and bool(_PHOTO_CREDIT.search(next_line))
        and len(line) <= _MAX_CAPTION
        and not line.startswith("#")
    )


def _is_prose(line: str) -> bool:
    """Body text rather than a heading: long, or carrying sentence punctuation."""
    return bool(_SENTENCE_END.search(line)) or len(line) >= 40 or ("，" in line and len(line) >= 15)


def _breaks_mid_sentence(first: str, second: str) -> bool:
    """True when a line break splits one sentence, as newspaper columns do."""
    if first.startswith("#") or second.startswith("#") or _is_movable(first) or _is_movable(second):
        return False
    if not (_OPEN_END.search(first) and _CONTINUATION_START.match(second)):
        return False
    return _is_prose(first) and (_is_prose(second) or not _HAN_CHAR.match(second[0]))


def _repair_columns(lines: list[str]) -> list[str]:
    """Join sentences broken across columns, moving any caption lines between them after the sentence."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            out.append(line)
            i += 1
            continue
        while True:
            j = i + 1
            moved: list[str] = []
            while j < len(lines) and (not lines[j] or _is_movable(lines[j]) or _is_caption_pair(lines, j)):
                if lines[j]:
                    moved.extend(["", lines[j]])
                j += 1
            if j < len(lines) and _breaks_mid_sentence(line, lines[j]):
                line = line + lines[j]
                lines = lines[: i + 1] + moved + ([""] if moved else []) + lines[j + 1 :]
                lines[i] = line
                continue
            break
        out.append(line)
        i += 1
    return out


def _is_caption_pair(lines: list[str], j: int) -> bool:
    """A short caption line followed (after blank lines) by its photo credit."""
    k = j + 1
    while k < len(lines) and not lines[k]:
        k += 1
    nxt = lines[k] if k < len(lines) else None
    return bool(nxt) and _is_caption(lines[j], nxt) and bool(_PHOTO_CREDIT.search(nxt or ""))


def _drop_captions(lines: list[str]) -> list[str]:
    """Remove photo captions, credits and bylines, which are not part of the article's text."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            kept.append(line)
            continue
        k = i + 1
        while k < len(lines) and not lines[k]:
            k += 1
        nxt = lines[k] if k < len(lines) else None
        if _BYLINE.search(line) or _PHOTO_CREDIT.search(line) or _is_caption(line, nxt):
            continue
        kept.append(line)
    return kept


def _collapse_blank(lines: list[str]) -> list[str]:
    """Keep at most one blank line between paragraphs and none at the ends."""
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def normalize(text: str, *, drop_captions: bool = False) -> str:
    """Repair a Chinese or English document into clean Simplified text, the same however often it is run."""
    if not isinstance(text, str):
        raise TypeError(f"normalize expects a string, got {type(text).__name__}")
    text = _fold_width(text)
    text = _repair_mojibake(text)
    text = _GLOSS.sub("", text)
    text = to_simplified(text)
    lines = [_chinese_punctuation(_byline_separators(line.strip())) for line in text.split("\n")]
    lines = [line for line in lines if not _MARKER_LINE.match(line) or not line.strip()]
    lines = [line if line.strip() else "" for line in lines]
    lines = [_chinese_punctuation(line) for line in _repair_columns(lines)]
    if drop_captions:
        lines = _drop_captions(lines)
    return "\n".join(_collapse_blank(lines))
