"""Affinity between two profiles: every part's value and reason, conflicts, feedback, weights, batch forms."""

from decimal import Decimal

import numpy as np
import pytest

from duijie.matching.affinity import AffinityEngine, score_pair
from duijie.matching.explain import explain
from duijie.matching.parts import DEFAULT_SEMANTIC_RANGE, PART_NAMES, EngineOptions, resolve_weights
from duijie.matching.profile import MatchingError, Profile, format_amount, parse_amount

STRUCTURED = {"industry": 0.4, "district": 0.2, "amount": 0.2, "category": 0.1, "stage": 0.1}
NO_TEXT = {"semantic": 0, "lexical": 0, "country": 0}


def only(**weights: float) -> dict[str, float]:
    """Weights that switch every part off except the ones given."""
    return {name: weights.get(name, 0.0) for name in PART_NAMES}


def unit(cos: float, dim: int = 4) -> np.ndarray:
    """A unit vector whose cosine with e1 is `cos`."""
    v = np.zeros(dim, dtype=np.float32)
    v[0], v[1] = cos, np.sqrt(1 - cos * cos)
    return v


def e1(dim: int = 4) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[0] = 1
    return v


def investor(**kw: object) -> Profile:
    base: dict[str, object] = dict(
        id="inv",
        industries=["AI"],
        preferred_districts=["海淀"],
        ticket_min=Decimal(1),
        ticket_max=Decimal(5),
        categories=["企业融资"],
        stages=["成长期"],
    )
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def project(**kw: object) -> Profile:
    base: dict[str, object] = dict(
        id="p1",
        industries=["人工智能"],
        district="海淀区",
        amount=Decimal(3),
        categories=["企业融资"],
        stages=["成长期"],
    )
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def engine(weights: dict[str, float] | None = None, **options: object) -> AffinityEngine:
    return AffinityEngine("investor_project", weights=weights, options=EngineOptions(**options))  # type: ignore[arg-type]


def test_affinity_all_structured_parts_match() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(investor(), project())
    assert aff.score == pytest.approx(1.0)
    assert [(p.name, p.value, p.reason_zh) for p in aff.parts] == [
        ("industry", 1.0, "同属人工智能"),
        ("district", 1.0, "偏好海淀区"),
        ("amount", 1.0, "金额在1-5亿元区间内"),
        ("category", 1.0, "类别相符：企业融资"),
        ("stage", 1.0, "阶段相符：成长期"),
    ]
    assert [p.reason_en for p in aff.parts] == [
        "Both in artificial intelligence",
        "Prefers Haidian District",
        "Amount within the CNY 100m–CNY 500m range",
        "Category matches: enterprise financing",
        "Stage matches: growth",
    ]


def test_affinity_score_is_sum_of_contributions() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(
        investor(), project(district="平谷区", amount=Decimal(10))
    )
    assert aff.score == pytest.approx(sum(p.contribution for p in aff.parts))
    assert aff.score == pytest.approx(0.4 + 0.0 + 0.2 * 0.5 + 0.1 + 0.1)
    assert aff.part("district").reason_zh == "不在偏好范围（平谷区；偏好海淀区）"


def test_affinity_amount_below_range() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(investor(), project(amount=Decimal("0.5")))
    part = aff.part("amount")
    assert (part.value, part.reason_zh, part.reason_en) == (
        0.5,
        "金额5000万元低于1亿元下限",
        "Amount CNY 50m is below the CNY 100m minimum",
    )


def test_affinity_amount_above_range() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(investor(), project(amount=Decimal(8)))
    part = aff.part("amount")
    assert (part.value, part.reason_zh) == (pytest.approx(0.625), "金额8亿元高于5亿元上限")


def test_affinity_amount_under_an_open_ended_budget_reads_as_a_limit() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(
        investor(ticket_min=None, ticket_max=Decimal("0.02")), project(amount=Decimal("0.01"))
    )
    part = aff.part("amount")
    assert (part.reason_zh, part.reason_en) == ("金额在200万元以下", "Amount within the CNY 2m limit")


def test_affinity_amount_checked_in_reverse_direction() -> None:
    # The project is on the left: the investor's ticket range still applies.
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(project(amount=Decimal(6)), investor())
    assert aff.part("amount").value == pytest.approx(5 / 6)


def test_affinity_industry_parent_and_related() -> None:
    eng = engine({**NO_TEXT, **STRUCTURED})
    parent = eng.score_pair(investor(industries=["新能源智能汽车"]), project(industries=["自动驾驶"]))
    related = eng.score_pair(investor(industries=["机器人"]), project(industries=["AI"]))
    assert (parent.part("industry").value, parent.part("industry").reason_zh) == (
        pytest.approx(0.7),
        "智能网联汽车属于新能源智能汽车",
    )
    assert (related.part("industry").value, related.part("industry").reason_en) == (
        pytest.approx(0.4),
        "robotics is related to artificial intelligence",
    )


def test_affinity_missing_fields_are_neutral_and_unknown() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(investor(), project(district=None, stages=[]))
    assert (aff.part("district").value, aff.part("district").known) == (0.5, False)
    assert (aff.part("stage").value, aff.part("stage").reason_zh) == (0.5, "阶段未说明")
    assert "偏好" not in explain(aff, "zh")


def test_affinity_exclusion_zeroes_score_with_reason() -> None:
    eng = engine({**NO_TEXT, **STRUCTURED})
    aff = eng.score_pair(investor(exclusions=["p1"]), project())
    assert aff.score == 0.0
    assert aff.part("conflict").reason_zh == "已声明回避"
    assert sum(p.contribution for p in aff.parts) == pytest.approx(0.0)
    assert explain(aff, "zh").startswith("匹配度0.00：已声明回避")
    reverse = eng.score_pair(investor(), project(exclusions=["inv"]))
    assert reverse.score == 0.0


def test_affinity_same_organisation_is_a_conflict() -> None:
    aff = engine({**NO_TEXT, **STRUCTURED}).score_pair(
        investor(organisation="清华大学"), project(organisation="清华大学")
    )
    assert aff.score == 0.0
    assert aff.part("conflict").reason_en == "Same organisation (清华大学): conflict of interest"


def test_affinity_declined_halves_the_score() -> None:
    eng = engine({**NO_TEXT, **STRUCTURED})
    plain = eng.score_pair(investor(), project(district="平谷区"))
    declined = eng.score_pair(investor(declined=["p1"]), project(district="平谷区"))
    assert declined.score == pytest.approx(plain.score * 0.5)
    assert declined.part("declined").reason_zh == "曾婉拒此推荐"
    # Declining is one-sided: the project declining nobody leaves the reverse direction alone.
    assert eng.score_pair(project(district="平谷区"), investor()).score > declined.score


def test_affinity_weights_override_and_reject_unknown_parts() -> None:
    only_district = engine(only(district=1))
    aff = only_district.score_pair(investor(), project(district="朝阳区"))
    assert [p.name for p in aff.parts] == ["district"]
    assert aff.score == 0.0
    with pytest.raises(MatchingError, match="weight 'beauty': unknown part"):
        resolve_weights("investor_project", {"beauty": 1})
    with pytest.raises(MatchingError, match="weight 'district': -1 must be a non-negative number"):
        resolve_weights("investor_project", {"district": -1})
    with pytest.raises(MatchingError, match="pair kind 'dating'"):
        resolve_weights("dating")


def test_affinity_semantic_value_is_rescaled_cosine() -> None:
    eng = engine(only(semantic=1))
    aff = eng.score_pair(investor(embeddings=e1()), project(embeddings=unit(0.39)))
    part = aff.part("semantic")
    # The default scale of the project's embedder maps cosine 0.0 to 0 and 0.65 to 1.
    assert DEFAULT_SEMANTIC_RANGE == (0.0, 0.65)
    assert part.value == pytest.approx(0.6, abs=1e-6)
    assert (part.reason_zh, part.reason_en) == ("语义相似度0.39", "Semantic similarity 0.39")


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        ("max", 0.6),
        ("mean", (0.6 + 0.5 + 0.4 + 0.1) / 4),
        ("topm", (0.6 + 0.5 + 0.4) / 3),
        ("blend", (0.6 + (0.6 + 0.5 + 0.4 + 0.1) / 4) / 2),
    ],
)
def test_affinity_multi_document_aggregation(aggregation: str, expected: float) -> None:
    eng = engine(only(semantic=1), aggregation=aggregation)
    judge = investor(embeddings=np.stack([unit(c) for c in (0.6, 0.5, 0.4, 0.1)]))
    entry = project(embeddings=e1())
    aff = eng.score_pair(judge, entry)
    assert aff.part("semantic").reason_en == f"Semantic similarity {expected:.2f}"
    assert aff.part("semantic").value == pytest.approx(expected / 0.65, abs=1e-5)
    # The documents may sit on either side, and both sides may have several.
    assert eng.score_pair(entry, judge).part("semantic").value == pytest.approx(expected / 0.65, abs=1e-5)
    orthogonal = np.array([0, 0, 1, 0], dtype=np.float32)
    two = project(embeddings=np.stack([e1(), orthogonal]))
    both = eng.score_pair(judge, two).part("semantic")
    sims = [0.6, 0.5, 0.4, 0.1, 0.0, 0.0, 0.0, 0.0]
    ranked = sorted(sims, reverse=True)
    pooled = {"max": max(sims), "mean": sum(sims) / 8, "topm": sum(ranked[:3]) / 3,
              "blend": (max(sims) + sum(sims) / 8) / 2}[aggregation]  # fmt: skip
    assert both.value == pytest.approx(pooled / 0.65, abs=1e-5)


def test_affinity_lexical_names_shared_terms() -> None:
    eng = engine(only(lexical=1))
    a = investor(texts=["关注激光雷达与自动驾驶感知算法"])
    b = project(texts=["自动驾驶激光雷达量产项目"])
    c = project(id="p2", texts=["生物医药创新药研发"])
    eng.fit([a], [b, c])
    near, far = eng.score_pair(a, b), eng.score_pair(a, c)
    assert near.part("lexical").reason_zh == "共同术语：激光雷达、自动、驾驶"
    assert far.part("lexical").reason_en == "No shared terms"
    assert far.part("lexical").value == 0.0
    assert near.part("lexical").value > 0.3


def test_affinity_lexical_reason_leaves_out_words_most_profiles_use() -> None:
    eng = engine(only(lexical=1))
    a = investor(texts=["面向企业的激光雷达投资"])
    others = [project(id=f"p{i}", texts=[f"面向企业的第{i}号生物医药平台"]) for i in range(30)]
    near = project(id="near", texts=["面向企业的激光雷达量产项目"])
    plain = project(id="plain", texts=["面向企业的咨询服务"])
    eng.fit([a], [near, plain, *others])
    assert eng.score_pair(a, near).part("lexical").reason_zh == "共同术语：激光雷达"
    assert eng.score_pair(a, plain).part("lexical").reason_en == "Only common words shared"


def test_affinity_lexical_reason_never_names_words_of_style_even_in_a_small_corpus() -> None:
    eng = engine(only(lexical=1))
    a = investor(texts=["主要面向工业客户的激光雷达"])
    near = project(texts=["面向工业客户，主要做激光雷达"])
    plain = project(id="p2", texts=["主要面向客户提供咨询"])
    eng.fit([a], [near, plain])
    assert eng.score_pair(a, near).part("lexical").reason_zh == "共同术语：工业、激光雷达"
    generic = eng.score_pair(a, plain).part("lexical")
    assert generic.reason_zh == "仅有常见词相同" and generic.value > 0


def test_affinity_real_embedder_crosses_languages() -> None:
    inv = investor(texts=["专注自动驾驶和激光雷达的产业投资基金"])
    car = project(texts=["Series B round for a lidar maker supplying autonomous driving fleets"])
    drug = project(id="p2", texts=["Phase II clinical trial of a monoclonal antibody for asthma"])
    eng = engine(only(semantic=1))
    scores = eng.score_matrix([inv], [car, drug])
    assert scores[0, 0] > scores[0, 1]
    assert inv.embeddings is not None and inv.embeddings.shape == (1, 384)


def test_affinity_matrix_and_top_k_agree_with_score_pair() -> None:
    rng = np.random.default_rng(1)
    lefts = [investor(id=f"i{n}", embeddings=rng.normal(size=8)) for n in range(3)]
    rights = [
        project(id=f"p{n}", embeddings=rng.normal(size=8), district=d, amount=Decimal(a), industries=[ind])
        for n, (d, a, ind) in enumerate(
            [("海淀区", 2, "AI"), ("朝阳区", 9, "AI"), ("海淀区", 3, "新材料"), ("通州区", 1, "机器人")]
        )
    ]
    lefts[0].exclusions = ["p0"]
    eng = engine({"lexical": 0})
    matrix = eng.score_matrix(lefts, rights)
    for i, left in enumerate(lefts):
        for j, right in enumerate(rights):
            assert matrix[i, j] == pytest.approx(eng.score_pair(left, right).score, abs=1e-6)
    best = eng.top_k(lefts, rights, 2)
    assert [rid for rid, _ in best[0]] == [rights[j].id for j in np.argsort(-matrix[0])[:2]]
    assert "p0" not in [rid for rid, _ in best[0]]
    assert all(len(row) == 2 for row in best)


def test_affinity_top_k_uses_nearest_neighbour_candidates() -> None:
    rights = [project(id=f"p{n}", embeddings=unit(c)) for n, c in enumerate([0.95, 0.9, 0.2, 0.1])]
    eng = engine({"lexical": 0}, candidates=2)
    best = eng.top_k([investor(embeddings=e1())], rights, 1)
    assert best == [[("p0", pytest.approx(eng.score_pair(investor(embeddings=e1()), rights[0]).score))]]
    assert eng.candidates(
        eng.encode([investor(embeddings=e1())]), eng.encode(rights), np.array([0]), 2
    ).shape == (1, 2)


def test_profile_from_json_reads_fields_and_units() -> None:
    p = Profile.from_json(
        {
            "id": 7,
            "text": "x",
            "industry": "biotech",
            "district": "亦庄",
            "ticket_min": "5000万元",
            "ticket_max": 2,
            "amount": "CNY 150m",
            "category": "enterprise financing",
            "stage": "Series A",
            "country": "CN",
        }
    )
    assert (p.id, p.texts, p.industries, p.district, p.country) == (
        "7",
        ["x"],
        ["生物科技"],
        "北京经济技术开发区",
        "中国",
    )
    assert (p.ticket_min, p.ticket_max, p.amount) == (Decimal("0.5"), Decimal(2), Decimal("1.5"))
    assert (p.categories, p.stages) == (["企业融资"], ["A轮"])


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"text": "x"}, "left.jsonl line 3: field 'id' is required"),
        ({"id": "a", "amount": "lots"}, "left.jsonl line 3 (id a): field 'amount': 'lots' is not an amount"),
        (
            {"id": "a", "industries": [1.5]},
            "left.jsonl line 3 (id a): field 'industries'[0]: expected a string",
        ),
        ({"id": "a", "colour": "red"}, "left.jsonl line 3: unknown field(s) colour"),
        ({"id": "a", "ticket_min": 5, "ticket_max": 1}, "left.jsonl line 3 (id a): ticket_min 5 is above"),
    ],
)
def test_profile_from_json_errors_name_record_and_field(record: dict[str, object], message: str) -> None:
    with pytest.raises(MatchingError) as info:
        Profile.from_json(record, where="left.jsonl line 3")
    assert str(info.value).startswith(message)


def test_amount_parse_and_format() -> None:
    assert parse_amount("1,200万", where="x") == Decimal("0.12")
    assert parse_amount(3, where="x") == Decimal(3)
    assert (format_amount(Decimal("0.12"), "zh"), format_amount(Decimal(25), "en")) == (
        "1200万元",
        "CNY 2.5bn",
    )


def test_score_pair_function_fits_on_the_pair() -> None:
    aff = score_pair(investor(), project(), weights={**NO_TEXT, **STRUCTURED})
    assert explain(aff, "en") == (
        "Affinity 1.00: Both in artificial intelligence; Prefers Haidian District; "
        "Amount within the CNY 100m–CNY 500m range; Category matches: enterprise financing; "
        "Stage matches: growth"
    )


def test_affinity_rough_scores_equal_exact_for_single_document_profiles() -> None:
    rng = np.random.default_rng(4)
    lefts = [
        investor(id="i0", embeddings=rng.normal(size=8)),
        investor(id="i1", embeddings=rng.normal(size=8), industries=[], preferred_districts=[],
                 ticket_min=None, ticket_max=None, district="朝阳区", amount=Decimal(2)),
        investor(id="i2", embeddings=rng.normal(size=8), industries=["机器人"], country="中国",
                 preferred_countries=["新加坡"]),
    ]  # fmt: skip
    rights = [
        project(id="p0", embeddings=rng.normal(size=8)),
        project(id="p1", embeddings=rng.normal(size=8), district=None, amount=None, stages=[]),
        project(id="p2", embeddings=rng.normal(size=8), industries=["AI"], preferred_districts=["朝阳区"],
                ticket_min=Decimal(1), ticket_max=Decimal(3), country="新加坡", categories=["园区合作"]),
    ]  # fmt: skip
    eng = engine({"lexical": 0})
    lside, rside = eng.encode(lefts), eng.encode(rights)
    rough = eng.rough_scores(lside, rside, np.arange(3))
    assert rough == pytest.approx(eng.score_matrix(lside, rside), abs=1e-5)


def test_affinity_batch_explanations_match_score_pair() -> None:
    lefts = [investor(id="i0"), investor(id="i1", declined=["p1"]), investor(id="i2", exclusions=["p0"])]
    rights = [project(id="p0", district="朝阳区"), project(id="p1", amount=Decimal(9))]
    eng = engine({**NO_TEXT, **STRUCTURED})
    li, ri = np.repeat(np.arange(3), 2), np.tile(np.arange(2), 3)
    batch = eng.affinities(eng.encode(lefts), eng.encode(rights), li, ri)
    expected = [(lefts[i].id, rights[j].id) for i, j in zip(li, ri, strict=True)]
    assert [(a.left_id, a.right_id) for a in batch] == expected
    for a, i, j in zip(batch, li, ri, strict=True):
        single = eng.score_pair(lefts[i], rights[j])
        assert a.score == pytest.approx(single.score)
        assert [p.reason_zh for p in a.parts] == [p.reason_zh for p in single.parts]
    assert batch[3].part("declined").contribution < 0
    assert batch[4].score == 0.0
