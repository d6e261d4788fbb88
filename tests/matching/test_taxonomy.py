"""The industry taxonomy: canonical names, synonyms and how close two industries are."""

import pytest

from duijie.matching import taxonomy
from duijie.matching.taxonomy import best_industry_fit, canonical_industry, english_name, industry_fit


def test_taxonomy_covers_every_seed_industry() -> None:
    seed = {
        "新一代信息技术", "集成电路", "人工智能", "软件和信息服务", "医药健康", "智能制造与装备", "科技服务",
        "绿色能源与节能环保", "新能源智能汽车", "智能网联汽车", "生物科技", "新材料", "商业航天", "低空经济",
        "量子信息", "机器人",
    }  # fmt: skip
    assert set(taxonomy.BY_NAME) == seed


def test_taxonomy_links_point_to_known_industries() -> None:
    for industry in taxonomy.INDUSTRIES:
        assert industry.parent is None or industry.parent in taxonomy.BY_NAME
        assert all(r in taxonomy.BY_NAME for r in industry.related)


def test_taxonomy_synonyms_map_to_one_industry_each() -> None:
    owners: dict[str, set[str]] = {}
    for industry in taxonomy.INDUSTRIES:
        for alias in (industry.name, industry.name_en, *industry.synonyms):
            owners.setdefault(taxonomy._fold(alias), set()).add(industry.name)
    assert {alias: names for alias, names in owners.items() if len(names) > 1} == {}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AI", "人工智能"),
        ("Artificial Intelligence", "人工智能"),
        ("ａｉ", "人工智能"),
        ("semiconductors", "集成电路"),
        ("biotech", "生物科技"),
        ("Self-Driving", "智能网联汽车"),
        ("人工智能产业", "人工智能"),
        ("robotics industry", "机器人"),
        ("basket weaving", None),
        ("", None),
    ],
)
def test_canonical_industry_synonyms(name: str, expected: str | None) -> None:
    assert canonical_industry(name) == expected


def test_industry_fit_exact_across_languages() -> None:
    assert industry_fit("AI", "人工智能") == (1.0, "exact")


def test_industry_fit_parent_both_directions() -> None:
    assert industry_fit("智能网联汽车", "新能源智能汽车") == (0.7, "parent")
    assert industry_fit("医药健康", "biotech") == (0.7, "parent")


def test_industry_fit_related_declared_and_inherited() -> None:
    assert industry_fit("集成电路", "新一代信息技术") == (0.4, "related")
    assert industry_fit("人工智能", "机器人") == (0.4, "related")
    assert industry_fit("人工智能", "软件和信息服务") == (0.4, "related")
    # 智能网联汽车 inherits its group's link to 绿色能源与节能环保.
    assert industry_fit("智能网联汽车", "绿色能源与节能环保") == (0.4, "related")


def test_industry_fit_none_and_unknown() -> None:
    assert industry_fit("商业航天", "医药健康") == (0.0, "none")
    assert industry_fit("basket weaving", "basket weaving") == (1.0, "exact")
    assert industry_fit("basket weaving", "人工智能") == (0.0, "none")


def test_best_industry_fit_picks_the_closest_pair() -> None:
    assert best_industry_fit(["新材料", "自动驾驶"], ["医药健康", "新能源汽车"]) == (
        0.7,
        "parent",
        "智能网联汽车",
        "新能源智能汽车",
    )
    assert best_industry_fit([], ["人工智能"]) == (0.0, "none", "", "")


def test_english_name_known_and_unknown() -> None:
    assert english_name("低空经济") == "low-altitude economy"
    assert english_name("drones") == "low-altitude economy"
    assert english_name("茶叶") == "茶叶"
