"""Normalisation of the real seed documents and of small hand-made cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from duijie.text.normalize import normalize, to_simplified

# The five source documents of the demo, shipped with the tests exactly as they were received.
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
PINYIN_GLOSS = re.compile(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]")



def test_the_seed_documents_ship_with_the_tests() -> None:
    assert [p.name[:3] for p in SEED_FILES] == ["000", "001", "002", "003", "004"]


def seed(prefix: str) -> str:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed003() -> str:
    return normalize(seed("003"))


def test_normalize_003_no_pinyin_gloss_left(seed003: str) -> None:
    assert PINYIN_GLOSS.findall(seed("003")) != []
    assert PINYIN_GLOSS.findall(seed003) == []
    assert re.findall(r"\([a-z]+\)", seed003) == []


def test_normalize_003_reads_as_simplified(seed003: str) -> None:
    phrases = [
        "中关村",
        "学习",
        "发展",
        "北京市科委",
        "中共中央政治局集体学习走出中南海",
        "蕴含着我国科技创新发展的长远谋划",
        "世界领先科技园区",
        "专精特新“小巨人”",
        "《标杆孵化器培育行动方案（2022-2025年）》",
        "融入区域发展大循环",
        "天津滨海、宝坻",
        "胡伟武说。",
        "在接受《瞭望》新闻周刊记者采访时",
    ]
    assert [p for p in phrases if p not in seed003] == []
    assert [w for w in ["學", "習", "關", "發展", "國際", "含著"] if w in seed003] == []


def test_normalize_003_byline_separators_become_spaces(seed003: str) -> None:
    assert "文 |《瞭望》新闻周刊记者 郭奔胜 王明浩 尚前名 陈燕 张漫子" in seed003.split("\n")


def test_normalize_003_punctuation_mojibake_repaired(seed003: str) -> None:
    assert "?!" not in seed003
    assert "优势。”北京市" in seed003


def test_normalize_000_column_breaks_repaired() -> None:
    text = normalize(seed("000"))
    assert "“总部经济政策包”“独角兽企业政策包”" in text
    assert "深入开展国际科技治理" in text
    assert "充分发挥企业创新主体作用" in text
    assert "通用技术集团健康管理科技项目、科技创新基地" in text
    assert "张继红介绍，中关村先后有30余项试点政策" in text


def test_normalize_000_headings_and_bylines_not_joined() -> None:
    lines = normalize(seed("000")).split("\n")
    assert "北京释放投资新商机" in lines
    assert "本报记者 杨学聪" in lines
    assert "加速绿色低碳技术产业化" in lines


def test_normalize_002_column_break_across_photo_marker_repaired() -> None:
    text = normalize(seed("002"))
    assert "以线上线下方式深入交流" in text
    assert "实现了从地面走向空间里程碑式的跨越" in text
    assert "2023中关村论坛展览（科博会）于5月26日至30日举办" in text
    assert "中关村国家自主创新示范区等政策优势" in text
    assert re.findall(r"^[①②③④]$", text, re.MULTILINE) == []


def test_normalize_002_halfwidth_punctuation_becomes_fullwidth() -> None:
    raw = seed("002")
    text = normalize(raw)
    assert "国际化、前沿性、全方位,2023" in raw
    assert "国际化、前沿性、全方位，2023中关村论坛" in text
    assert "科幻电影里的高科技离现实有多远？首次" in text
    assert "图①：中关村国家自主创新示范区展示中心的展厅。" in text
    assert re.findall(r"[\u4e00-\u9fff][,:;?]|[,:;?][\u4e00-\u9fff]", text) == []


def test_normalize_004_credit_moved_out_of_broken_sentence() -> None:
    text = normalize(seed("004"))
    assert "支持在京发起设立国际科技组织，完善经费跨境使用" in text
    assert "受访者供图" in text.split("\n")


def test_normalize_captions_kept_without_flag() -> None:
    lines = normalize(seed("000")).split("\n")
    assert "观众在中海油展台参观。" in lines
    assert "本报记者 高兴贵摄" in lines


def test_normalize_drop_captions_removes_captions_and_bylines() -> None:
    text = normalize(seed("000"), drop_captions=True)
    lines = text.split("\n")
    removed = ["观众在中海油展台参观。", "本报记者 高兴贵摄", "本报记者 杨学聪", "本报记者 康琼艳"]
    assert [line for line in removed if line in lines] == []
    assert not any(line.startswith(("上图", "左图")) for line in lines)
    assert "北京释放投资新商机" in lines
    assert "智者搭桥，愚者筑墙。" in text


def test_normalize_drop_captions_on_002_and_003() -> None:
    text002 = normalize(seed("002"), drop_captions=True)
    assert "图①" not in text002
    assert "本报记者" not in text002
    assert "——编者" not in text002
    text003 = normalize(seed("003"), drop_captions=True)
    assert "张晨霖摄" not in text003
    assert "受访单位供图" not in text003
    assert "郭奔胜" not in text003
    assert "新华社客户端" not in text003


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("drop", [False, True])
def test_normalize_idempotent_on_seeds(path: Path, drop: bool) -> None:
    once = normalize(path.read_text(encoding="utf-8"), drop_captions=drop)
    assert normalize(once, drop_captions=drop) == once


def test_normalize_pinyin_gloss_only_after_han() -> None:
    text = "學(xué)習(xí)很重要,北京(中国)和(2024—2027年)规划,女(nǚ)儿(ér)。Intel(cpu) and (ai)"
    assert normalize(text) == "学习很重要，北京（中国）和（2024—2027年）规划，女儿。Intel(cpu) and (ai)"


def test_normalize_fullwidth_alnum_to_halfwidth() -> None:
    assert normalize("ＡＩ芯片２０２４年增长１５％") == "AI芯片2024年增长15%"


def test_normalize_english_text_unchanged() -> None:
    text = "Hello (world), this is English: fine? Yes! Ratio 3:1, total 1,000."
    assert normalize(text) == text


def test_normalize_digits_keep_halfwidth_separators() -> None:
    assert normalize("共1,000个，时间10:30开始") == "共1,000个，时间10:30开始"


def test_normalize_short_lines_not_joined() -> None:
    assert normalize("第一章\n\n总则\n\n第一条 为了规范管理，制定本办法。") == (
        "第一章\n\n总则\n\n第一条 为了规范管理，制定本办法。"
    )


def test_normalize_collapses_blank_lines_and_trims() -> None:
    assert normalize("\n\n  标题  \n\n\n\n 正文。 \n\n") == "标题\n\n正文。"


def test_normalize_rejects_non_string() -> None:
    with pytest.raises(TypeError, match="normalize expects a string, got bytes"):
        normalize(b"abc")  # type: ignore[arg-type]


def test_to_simplified_particle_zhu_becomes_zhe_but_words_keep_zhu() -> None:
    assert to_simplified("蘊含著著名的顯著成果") == "蕴含着著名的显著成果"
