"""The contest's seed: the champion, runners-up and third places the source names, with the support they got.

Their entries wait in a placeholder "global final" field and region until the activity phase builds the
contest's real structure and moves them there; the demo's judge account is scoped to this edition here.
"""

from __future__ import annotations

from duijie.contest.models import Award, ContestEntry, ContestField, ContestRegion
from duijie.core.demo_kit import DemoKit
from duijie.directory.demo import org
from duijie.directory.models import Account
from duijie.events.models import Event

EVENT = "frontier-contest-7"
# The winners' names in English: the company's own English name where it publishes one (博睿康 is Neuracle,
# 智谱华章's registered name is in pinyin), otherwise the registered Chinese name in pinyin with its trade.
WINNERS_EN: dict[str, str] = {
    "新硅联合半导体有限公司": "Xingui Lianhe Semiconductor Co., Ltd.",
    "博睿康科技（北京）有限公司": "Neuracle Technology (Beijing) Co., Ltd.",
    "深圳光子晶体科技有限公司": "Shenzhen Photonic Crystal Technology Co., Ltd.",
    "北京智谱华章科技有限公司": "Beijing Zhipu Huazhang Technology Co., Ltd.",
    "北京通嘉宏瑞科技有限公司": "Beijing Tongjia Hongrui Technology Co., Ltd.",
    "上海鲲游光电科技有限公司": "Shanghai Kunyou Optoelectronic Technology Co., Ltd.",
}


def seed_awards(kit: DemoKit) -> None:
    """The published winners, their entries and awards; then the judge account's scope."""
    db = kit.db
    event = kit.get(Event, EVENT)
    spec = kit.competition_facts(EVENT)
    region = ContestRegion(event=event, code="global", name_zh="全球总决赛", name_en="Global final")
    db.add(region)
    db.add(ContestField(event=event, code="final", name_zh="全球总决赛", name_en="Global final"))
    awards = spec["awards"]
    ranked: list[tuple[str, int, str, str, str | None]] = [
        (awards["champion"]["org"], 1, "总冠军", "Champion", "百万奖金")
    ]
    ranked += [(name, 2, "亚军", "Runner-up", None) for name in awards["runners_up"]]
    ranked += [(name, 3, "季军", "Third place", None) for name in awards["third"]]
    for k, (name, rank, zh, en, prize) in enumerate(ranked):
        en_name = WINNERS_EN[name]
        winner = org(kit, f"contest7-winner-{k + 1}", kind="enterprise", name_zh=name, name_en=en_name,
                     provenance=spec["source"])  # fmt: skip
        entry = ContestEntry(
            event=event,
            code=f"FC7-W{k + 1}",
            organisation=winner,
            title_zh=f"{name}参赛项目",
            title_en=f"Entry of {en_name}",
            state="awarded",
            field_id=None,
            region=region,
            provenance=spec["source"],
        )
        db.add(entry)
        db.add(
            Award(
                event=event,
                entry=entry,
                rank=rank,
                name_zh=zh,
                name_en=en,
                prize_zh=prize,
                support=list(spec["services_for_winners"]),
                provenance=spec["source"],
            )
        )
    db.flush()
    for role in kit.get(Account, "judge").roles:
        role.event_id = event.id
