"""The deals part of the demo: some 2023 signings have landed, a few 2024 leads were lost, and the open
deals carry follow-up tasks, all written through the pipeline's own transition function."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.deals import service as deal_service
from duijie.deals.models import Deal
from duijie.deals.schemas import TaskCreate
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account

if TYPE_CHECKING:
    from duijie.demo.builder import DemoBuilder

LOST_REASONS = (
    "投资方调整投资方向，暂缓推进（示例）",
    "用地指标未能落实，企业另行选址（示例）",
)
TASKS = (
    "约谈企业确认投资意向（示例）",
    "报送项目用地与空间需求（示例）",
    "组织区政府与投资方实地考察（示例）",
    "起草合作协议框架（示例）",
)


def extend_demo(builder: DemoBuilder) -> None:
    """Land six generated 2023 deals, lose two 2024 leads and give the open deals follow-up tasks."""
    db = builder.db
    rng = builder.module_rng("deals")
    accounts = {a.username: a for a in db.scalars(select(Account))}
    organiser = actor_for_account(accounts["organiser"])
    events = builder.events
    signed_2023 = list(
        db.scalars(
            select(Deal)
            .where(
                Deal.event_id == events["invest-beijing-2023"].id,
                Deal.stage == "signed",
                # Only generated deals get a generated landing; a sourced deal keeps what its source says.
                Deal.provenance == SYNTHETIC,
            )
            .order_by(Deal.id)
        )
    )
    for deal in rng.sample(signed_2023, 6):
        share = Decimal(rng.choice([40, 55, 70, 85, 100])) / 100
        deal_service.move_deal_to_stage(
            db,
            actor=organiser,
            deal=deal,
            to="landed",
            note="项目已开工建设（示例数据）",
            invested_amount=(deal.signed_amount * share).quantize(Decimal("0.01")),  # type: ignore[operator]
            landed_on=dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(0, 200)),
        )
    open_2024 = list(
        db.scalars(
            select(Deal)
            .where(
                Deal.event_id == events["invest-beijing-2024"].id,
                Deal.stage.in_(("contacted", "negotiating")),
            )
            .order_by(Deal.id)
        )
    )
    lost = rng.sample([d for d in open_2024 if d.stage == "contacted"] or open_2024, 2)
    for deal, reason in zip(lost, LOST_REASONS, strict=True):
        deal_service.move_deal_to_stage(
            db, actor=organiser, deal=deal, to="lost", note=None, lost_reason=reason
        )
    district_owner = accounts.get("haidian")
    for k, deal in enumerate(d for d in open_2024 if d not in lost):
        owner = district_owner if deal.district == "海淀区" and district_owner else accounts["organiser"]
        deal_service.add_task(
            db,
            actor=organiser,
            deal=deal,
            data=TaskCreate(
                title=TASKS[k % len(TASKS)],
                due_on=dt.date(2024, 5, 10) + dt.timedelta(days=rng.randrange(0, 60)),
                owner_id=owner.id,
            ),
        )
    db.flush()
