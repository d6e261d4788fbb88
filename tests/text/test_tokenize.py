"""Tokenisation of Chinese and English text with the domain dictionary."""

from __future__ import annotations

import pytest

from duijie.text.tokenize import STOP_WORDS, add_domain_words, stem, tokenize


def test_tokenize_domain_names_stay_whole() -> None:
    assert tokenize("中关村科学城的专精特新企业") == ["中关村", "科学城", "中关村科学城", "专精特新", "企业"]


def test_tokenize_compound_yields_inner_words_for_search() -> None:
    tokens = tokenize("北京经济技术开发区")
    assert tokens[-1] == "北京经济技术开发区"
    assert "开发区" in tokens


def test_tokenize_part_query_matches_compound_document() -> None:
    assert set(tokenize("科学城")) <= set(tokenize("中关村科学城发布新政策"))


def test_tokenize_traditional_and_fullwidth_fold_to_simplified() -> None:
    assert tokenize("北京經濟技術開發區ＡＩ芯片２０２４") == tokenize("北京经济技术开发区AI芯片2024")


def test_tokenize_english_lowercased_stemmed_stopwords_removed() -> None:
    assert tokenize("The Investors are investing in Robots and Batteries") == [
        "investor",
        "invest",
        "robot",
        "battery",
    ]


def test_tokenize_numbers_kept() -> None:
    assert tokenize("231个项目, 902.21亿元, 5G") == ["231", "项目", "902.21", "亿元", "5g"]


def test_tokenize_drops_stop_words_and_punctuation() -> None:
    tokens = tokenize("我们的人工智能和集成电路。")
    assert tokens == ["人工智能", "集成电路"]
    assert not set(tokens) & STOP_WORDS


def test_tokenize_empty_text_gives_no_tokens() -> None:
    assert tokenize("  ，。!? ") == []


def test_stem_folds_common_inflections() -> None:
    assert [stem(w) for w in ["policies", "services", "service", "planned", "manufacturing", "bus"]] == [
        "policy",
        "servic",
        "servic",
        "plan",
        "manufactur",
        "bus",
    ]


def test_add_domain_words_keeps_new_name_whole() -> None:
    assert tokenize("北脑二号脑机系统") == ["北脑", "二号", "脑", "机系统"]
    add_domain_words(["北腦二號", "腦機系統"])
    assert tokenize("北脑二号脑机系统") == ["北脑二号", "机系统", "脑机系统"]


def test_add_domain_words_rejects_latin_word() -> None:
    with pytest.raises(ValueError, match="domain word 'RISC-V'"):
        add_domain_words(["RISC-V"])
