"""Tokens for search and matching from Chinese and English text.

Han text is segmented by jieba (the rjieba port) with a domain dictionary, so that names such as
中关村科学城 or 专精特新 stay whole; a compound also yields the dictionary words of three or more
characters inside it (and any domain word inside it), so that 科学城 finds 中关村科学城. Latin text
gives lower-cased, lightly stemmed words; numbers are kept. Stop words of both languages are dropped.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

import rjieba

from duijie.text.normalize import to_simplified

# CJK Unified Ideographs (basic, extension A, compatibility) and 〇.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_RUN = re.compile(rf"[{_HAN}]+|[0-9]+(?:\.[0-9]+)?[a-z]*|[a-z][a-z0-9]*(?:'[a-z]+)?")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_MIN_SUBWORD = 3
_MIN_COMPOUND = 4


def _read_word_list(name: str) -> frozenset[str]:
    """Read one of the packaged word lists (one word a line, # starts a comment line)."""
    text = resources.files("duijie.text").joinpath(f"data/{name}").read_text(encoding="utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


STOP_WORDS_ZH: frozenset[str] = _read_word_list("stopwords_zh.txt")

STOP_WORDS_EN: frozenset[str] = _read_word_list("stopwords_en.txt")

STOP_WORDS: frozenset[str] = STOP_WORDS_ZH | STOP_WORDS_EN

_lock = threading.Lock()
_extra_words: set[str] = set()


@cache
def _domain_words() -> frozenset[str]:
    """Read the packaged domain dictionary once."""
    return _read_word_list("domain_words.txt")


@cache
def _segmenter() -> rjieba.Jieba:
    """Build a private jieba instance (loading its dictionary takes ~0.1 s) with the domain words added."""
    jieba = rjieba.Jieba()
    for word in _domain_words():
        jieba.add_word(to_simplified(word), None, None)
    return jieba


def _all_domain_words() -> frozenset[str] | set[str]:
    """The packaged and the added domain words, for finding names inside compounds."""
    return _domain_words() | _extra_words if _extra_words else _domain_words()


def add_domain_words(words: Iterable[str]) -> None:
    """Keep more names whole (organisations, parks, products) as the data grows."""
    jieba = _segmenter()
    with _lock:
        for raw in words:
            word = to_simplified(unicodedata.normalize("NFKC", raw)).strip().lower()
            if not word or word in _extra_words:
                continue
            if not _HAN_RUN.fullmatch(word):
                raise ValueError(f"domain word {raw!r}: only Han characters can be added to the dictionary")
            jieba.add_word(word, None, None)
            _extra_words.add(word)


def stem(word: str) -> str:
    """Fold English inflections (plurals, -ing, -ed) so that 'investors' matches 'investor'."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= 4 and any(c in "aeiouy" for c in base):
                if len(base) >= 5 and base[-1] == base[-2] and base[-1] not in "aeiouls":
                    base = base[:-1]
                word = base
            break
    if word.endswith("e") and len(word) >= 5:
        word = word[:-1]
    return word


def _subwords(word: str, jieba: rjieba.Jieba, domain: frozenset[str] | set[str]) -> list[str]:
    """Dictionary words of 3+ characters and domain words inside a compound, in search-mode order."""
    found: list[str] = []
    n = len(word)
    for size in range(2, n):
        for start in range(n - size + 1):
            part = word[start : start + size]
            if part in domain or (size >= _MIN_SUBWORD and jieba.has_word(part)):
                found.append(part)
    return found


def _fold(text: str) -> str:
    """Unify width, script and case before segmenting so that every spelling gives the same tokens."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def tokenize(text: str) -> list[str]:
    """Split text into normalised tokens for lexical search and matching, in order of appearance."""
    folded = _fold(text)
    jieba = _segmenter()
    domain = _all_domain_words()
    tokens: list[str] = []
    for match in _RUN.finditer(folded):
        run = match.group()
        if not _HAN_RUN.fullmatch(run):
            token = stem(run.replace("'", "")) if run[0].isalpha() else run
            if token not in STOP_WORDS and not (len(token) == 1 and token.isalpha()):
                tokens.append(token)
            continue
        for word in jieba.cut(run, True):
            if word in STOP_WORDS:
                continue
            if len(word) >= _MIN_COMPOUND:
                tokens.extend(p for p in _subwords(word, jieba, domain) if p not in STOP_WORDS)
            tokens.append(word)
    return tokens
