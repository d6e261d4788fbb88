"""The completeness report lists every public programme text that has Chinese but no English, with where it is."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duijie.agenda.completeness import completeness
from tests import factories
from tests.agenda import factories as af


def test_every_missing_english_text_is_listed_with_its_place(db: Session) -> None:
    event = af.forum(db)
    org = factories.organisation(db, name_zh="未来科技公司", name_en=None)
    person = factories.person(db, name_zh="张伟", name_en=None, organisation_id=org.id)
    complete = factories.person(db)
    room = af.room(db, event, name_zh="三号厅", name_en="")
    track = af.track(db, event, name_zh="量子信息", name_en=None)
    session = af.session(db, event, title_zh="量子计算论坛", title_en=None, description_zh="介绍",
                         room=room, track=track, people=[person, complete])
    af.profile(db, event, person, title_zh="总经理", title_en=None, bio_zh="简历", bio_en="A bio")
    af.session(db, event, title_zh="已取消", title_en=None, cancelled_at=session.created_at)

    report = completeness(db, event)
    found = {(m.kind, m.field, m.text_zh) for m in report.items}
    assert found == {
        ("session", "title_en", "量子计算论坛"),
        ("session", "description_en", "介绍"),
        ("room", "name_en", "三号厅"),
        ("track", "name_en", "量子信息"),
        ("person", "name_en", "张伟"),
        ("speaker_profile", "title_en", "总经理"),
        ("organisation", "name_en", "未来科技公司"),
    }
    where = {m.kind: m.where for m in report.items}
    assert where["person"] == "量子计算论坛" and where["organisation"] == "张伟"
    assert report.by_kind["session"] == 2 and report.missing == 7
    assert report.checked > report.missing  # the complete person and bio_en count as checked
