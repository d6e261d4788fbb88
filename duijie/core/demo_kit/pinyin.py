"""English forms of Chinese personal names for the demo, as names are written in English in mainland China:
family name first, then the given name as one word, in pinyin without tone marks ("张伟" → "Zhang Wei",
"欧阳明远" → "Ouyang Mingyuan", "吕中正" → "Lyu Zhongzheng").

Why a function and not a table: the demo makes hundreds of people, and every person shown in English needs a
name a reader can say. `pypinyin` gives each character's reading; what it cannot know is that a character
used as a family name is often read differently (曾 Zeng, 单 Shan, 解 Xie, 仇 Qiu...), and which two-character
family names exist (欧阳, 司马...): those two small lists are here. ü is written "yu" after l and n (Lyu, Nyu),
as Chinese passports write it, so names stay ASCII and searchable. A syllable that begins with a vowel inside
a given name gets an apostrophe (Xi'an), so the syllables read unambiguously.

Names are read character by character, so pypinyin's phrase dictionary (most of its 0.8 s import) is not
loaded: `PYPINYIN_NO_PHRASES` is set before pypinyin is first imported, here, when a name is first read.
"""

from __future__ import annotations

import os

SAMPLE_ZH = "（示例）"
SAMPLE_EN = " (sample)"

COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "Ouyang", "司马": "Sima", "上官": "Shangguan", "诸葛": "Zhuge", "东方": "Dongfang",
    "皇甫": "Huangfu", "尉迟": "Yuchi", "公孙": "Gongsun", "慕容": "Murong", "长孙": "Zhangsun",
    "宇文": "Yuwen", "司徒": "Situ", "夏侯": "Xiahou", "令狐": "Linghu", "端木": "Duanmu",
    "申屠": "Shentu", "独孤": "Dugu", "南宫": "Nangong", "呼延": "Huyan", "轩辕": "Xuanyuan",
    "钟离": "Zhongli", "澹台": "Tantai", "万俟": "Moqi", "单于": "Chanyu", "百里": "Baili",
}  # fmt: skip
# Characters read otherwise as a family name than in most words.
SURNAME_READINGS: dict[str, str] = {
    "曾": "Zeng", "单": "Shan", "解": "Xie", "仇": "Qiu", "朴": "Piao", "查": "Zha", "区": "Ou",
    "乐": "Yue", "覃": "Qin", "翟": "Zhai", "缪": "Miao", "盖": "Ge", "秘": "Bi", "燕": "Yan",
    "华": "Hua", "任": "Ren", "宁": "Ning", "员": "Yun", "黑": "He", "种": "Chong", "薄": "Bo",
    "隗": "Wei", "句": "Gou", "召": "Shao", "繁": "Po", "折": "She", "阚": "Kan", "尉": "Yu",
    "沈": "Shen", "祭": "Zhai", "卜": "Bu", "柏": "Bai", "藏": "Zang", "臧": "Zang", "晟": "Cheng",
    "令": "Ling", "长": "Chang", "重": "Chong", "过": "Guo", "都": "Du", "那": "Na", "蔚": "Yu",
    "能": "Nai", "石": "Shi", "吕": "Lyu", "女": "Nyu", "褚": "Chu", "纪": "Ji", "郇": "Huan",
}  # fmt: skip


def _syllables(text: str) -> list[str]:
    """The toneless pinyin of each character (ü written as "yu" after l and n, as "u" elsewhere)."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import Style, lazy_pinyin

    out = []
    for syl in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        syl = syl.lower()
        if syl.startswith(("lv", "nv")):
            syl = syl[0] + "yu" + syl[2:]
        out.append(syl.replace("v", "u"))
    return out


def split_name(name_zh: str) -> tuple[str, str]:
    """(family name, given name) of a Chinese name; a two-character family name is recognised."""
    if len(name_zh) > 2 and name_zh[:2] in COMPOUND_SURNAMES:
        return name_zh[:2], name_zh[2:]
    return name_zh[:1], name_zh[1:]


def _given(given: str) -> str:
    syllables = _syllables(given)
    joined = syllables[0] if syllables else ""
    for syl in syllables[1:]:
        joined += ("'" if syl[:1] in "aoe" else "") + syl
    return joined.capitalize()


def english_name(name_zh: str) -> str:
    """The English form of a Chinese personal name, family name first ("王敏（示例）" → "Wang Min (sample)").

    A name already written in Latin letters is returned as it is; a transliterated foreign name (with "·")
    has no reliable pinyin reading, so it is refused: give such a person's English name explicitly.
    """
    name = name_zh.strip()
    suffix = ""
    if name.endswith(SAMPLE_ZH):
        name, suffix = name[: -len(SAMPLE_ZH)].strip(), SAMPLE_EN
    if name.isascii():
        return name + suffix
    if "·" in name or "・" in name:
        raise ValueError(f"{name_zh!r} is a transliterated foreign name: give its English form explicitly")
    family, given = split_name(name)
    family_en = COMPOUND_SURNAMES.get(family) or SURNAME_READINGS.get(family) or _given(family)
    return (f"{family_en} {_given(given)}" if given else family_en) + suffix
