"""The registration pages through HTTP, in Chinese and in English: the public form (refusals beside their
fields, the form refilled), the person's page (state, position, cancel, claim, session places), the
organiser's list (counts, filters, approve, decline with a reason, cancel, CSV) and the categories page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.models import OutboxMail
from duijie.registration import mails, service
from duijie.registration.models import Registration, RegistrationCategory
from tests import factories
from tests.conftest import StatementCounter, csrf_of, in_english, login
from tests.registration import factories as rf


def _post_form(client: TestClient, slug: str, data: dict[str, str]) -> object:
    token = csrf_of(client, f"/events/{slug}/register")
    return client.post(f"/events/{slug}/register", data={**data, "csrf": token}, follow_redirects=False)


def _organiser(db: Session, client: TestClient, event: object) -> None:
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


def test_form_refuses_beside_each_field_in_chinese_and_comes_back_filled(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    rf.category(db, event, capacity=10, name_zh="普通观众", name_en="Visitor")
    service.put_consent(db, actor=factories.actor(db, role="organiser"), event=event, zh="我同意主办方保存我的报名信息。", en="I agree that the organiser keeps my details.")
    db.commit()
    page = client.get(f"/events/{event.slug}/register")
    assert page.status_code == 200 and "普通观众" in page.text and "我同意主办方保存我的报名信息。" in page.text
    refused = _post_form(client, event.slug, {"category": "", "name": "王小明", "email": "wang@", "organisation": "中关村科技"})
    assert refused.status_code == 422
    html = refused.text
    assert 'id="email-error"' in html and "请输入电子邮件地址，例如 name@example.com。" in html
    assert 'id="consent-error"' in html and 'id="category-error"' in html
    assert 'value="王小明"' in html and 'value="中关村科技"' in html and 'value="wang@"' in html
    assert db.scalar(select(Registration.id).where(Registration.event_id == event.id)) is None


def test_form_in_english_speaks_english_and_lands_on_the_state(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    rf.category(db, event, capacity=1, code="guest", name_zh="嘉宾", name_en="Guest")
    db.commit()
    with in_english(client):
        page = client.get(f"/events/{event.slug}/register")
        assert "Guest" in page.text and "I agree that the organiser keeps the details" in page.text
        refused = _post_form(client, event.slug, {"category": "guest", "name": "", "email": "ann@example.com"})
        assert refused.status_code == 422 and "Fill in this field." in refused.text and "请" not in refused.text
        first = _post_form(client, event.slug, {"category": "guest", "name": "Ann Lee", "email": "ann@example.com", "consent": "on", "locale": "en"})
        assert first.status_code == 303
        landed = client.get(first.headers["location"])
        assert "Your registration is confirmed." in landed.text
        second = _post_form(client, event.slug, {"category": "guest", "name": "Bo", "email": "bo@example.com", "consent": "on"})
        assert "You are on the waiting list, number 1." in client.get(second.headers["location"]).text
        again = _post_form(client, event.slug, {"category": "guest", "name": "Ann", "email": "ANN@example.com", "consent": "on"})
        assert again.status_code == 409 and 'id="email-error"' in again.text and "already registered" in again.text


def test_pending_approval_is_said_on_the_result_page(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    rf.category(db, event, code="media", requires_approval=True)
    db.commit()
    with in_english(client):
        done = _post_form(client, event.slug, {"category": "media", "name": "Cy", "email": "cy@example.com", "consent": "on"})
        text = client.get(done.headers["location"]).text
        assert "Your registration awaits the organiser's approval." in text


def test_person_cancels_and_the_next_is_offered_then_claims(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1)
    a, b = service.register(db, event, cat, rf.form()), service.register(db, event, cat, rf.form(locale="en"))
    db.commit()
    token_a, token_b = mails.manage_token(db, a), mails.manage_token(db, b)
    csrf = csrf_of(client, f"/registrations/{token_a}")
    assert client.post(f"/registrations/{token_a}/cancel", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert "已取消" in client.get(f"/registrations/{token_a}").text or "cancelled" in client.get(f"/registrations/{token_a}").text
    with in_english(client):
        offered = client.get(f"/registrations/{token_b}").text
        assert "A place is offered to you." in offered and "(Asia/Shanghai)" in offered
        assert client.post(f"/registrations/{token_b}/claim", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert "Confirmed" in client.get(f"/registrations/{token_b}").text
    assert client.get("/registrations/1-forged").status_code == 404


def test_session_places_from_the_persons_page(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event)
    talk = rf.session(db, event, capacity=1, title_en="Roadshow of AI start-ups")
    a, b = service.register(db, event, cat, rf.form()), service.register(db, event, cat, rf.form())
    db.commit()
    ta, tb = mails.manage_token(db, a), mails.manage_token(db, b)
    csrf = csrf_of(client, f"/registrations/{ta}")
    with in_english(client):
        assert "Roadshow of AI start-ups" in client.get(f"/registrations/{ta}").text
        client.post(f"/registrations/{ta}/sessions/{talk.id}", data={"csrf": csrf, "action": "take"})
        client.post(f"/registrations/{tb}/sessions/{talk.id}", data={"csrf": csrf, "action": "take"})
        assert "On the waiting list" in client.get(f"/registrations/{tb}").text
        client.post(f"/registrations/{ta}/sessions/{talk.id}", data={"csrf": csrf, "action": "cancel"})
        assert "Place offered" in client.get(f"/registrations/{tb}").text
        refused = client.post(f"/registrations/{ta}/sessions/{talk.id}", data={"csrf": csrf, "action": "claim"})
        assert refused.status_code == 422 and "There is no place offered to this registration to claim." in refused.text


def test_organiser_list_counts_filters_decides_and_exports(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1, code="investor", name_zh="投资人", name_en="Investor", requires_approval=True)
    people = [service.register(db, event, cat, rf.form(name=f"投资人{i}")) for i in range(3)]
    other_event = factories.event(db)
    service.register(db, other_event, rf.category(db, other_event), rf.form(name="别的活动的人"))
    _organiser(db, client, event)
    page = client.get(f"/events/{event.slug}/registrations")
    assert page.status_code == 200 and "投资人0" in page.text and "别的活动的人" not in page.text
    csrf = csrf_of(client, f"/events/{event.slug}/registrations")
    client.post(f"/events/{event.slug}/registrations/{people[0].id}/approve", data={"csrf": csrf})
    client.post(f"/events/{event.slug}/registrations/{people[1].id}/approve", data={"csrf": csrf})
    blank = client.post(f"/events/{event.slug}/registrations/{people[2].id}/decline", data={"csrf": csrf, "reason": ""})
    assert blank.status_code == 422 and f'id="reason-{people[2].id}-error"' in blank.text and "请填写此项。" in blank.text
    client.post(f"/events/{event.slug}/registrations/{people[2].id}/decline", data={"csrf": csrf, "reason": "资料不全"})
    db.expire_all()
    assert [r.state for r in people] == ["confirmed", "waiting", "declined"]
    waiting_only = client.get(f"/events/{event.slug}/registrations?state=waiting").text
    assert "投资人1" in waiting_only and "投资人0" not in waiting_only
    counts = re.search(r'data-testid="counts".*?</table>', client.get(f"/events/{event.slug}/registrations").text, re.S)
    assert counts is not None and re.search(r">1</td>\s*<td[^>]*>0</td>\s*<td[^>]*>1</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>", counts.group())
    csv = client.get(f"/events/{event.slug}/registrations/export.csv")
    assert csv.status_code == 200 and csv.text.count("\n") == 4 and "资料不全" in csv.text
    reason = db.scalar(select(OutboxMail.body).where(OutboxMail.to == people[2].email, OutboxMail.template == "registration_declined"))
    assert reason is not None and "资料不全" in reason


def test_categories_page_adds_refuses_beside_the_field_and_raises_capacity(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1, code="guest")
    people = [service.register(db, event, cat, rf.form()) for _ in range(2)]
    _organiser(db, client, event)
    csrf = csrf_of(client, f"/events/{event.slug}/registrations/categories")
    with in_english(client):
        refused = client.post(f"/events/{event.slug}/registrations/categories",
                              data={"csrf": csrf, "code": "VIP!", "name_zh": "贵宾", "capacity": "-3", "claim_hours": "48", "is_public": "on"})  # fmt: skip
        assert refused.status_code == 422
        assert 'id="new-code-error"' in refused.text and 'id="new-capacity-error"' in refused.text and 'value="贵宾"' in refused.text
        added = client.post(f"/events/{event.slug}/registrations/categories",
                            data={"csrf": csrf, "code": "vip", "name_zh": "贵宾", "name_en": "VIP", "claim_hours": "24"}, follow_redirects=False)  # fmt: skip
        assert added.status_code == 303
        raised = client.post(f"/events/{event.slug}/registrations/categories/{cat.id}",
                             data={"csrf": csrf, "code": "guest", "name_zh": "嘉宾", "capacity": "2", "claim_hours": "48", "is_public": "on"},
                             follow_redirects=False)  # fmt: skip
        assert raised.status_code == 303
        consent = client.post(f"/events/{event.slug}/registrations/consent", data={"csrf": csrf, "consent_zh": "同意", "consent_en": ""})
        assert consent.status_code == 422 and 'id="consent-en-error"' in consent.text
    db.expire_all()
    vip = db.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id, RegistrationCategory.code == "vip"))
    assert vip is not None and vip.is_public is False and vip.claim_hours == 24
    assert [r.state for r in people] == ["confirmed", "offered"]


def test_my_registrations_lists_the_signed_in_persons_own(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event)
    account = factories.account(db)
    mine = service.register(db, event, cat, rf.form(), account)
    service.register(db, event, cat, rf.form(name="别人"))
    db.commit()
    assert client.get("/me/registrations", follow_redirects=False).status_code in (302, 303, 307)
    login(client, account.username, factories.PASSWORD)
    page = client.get("/me/registrations").text
    assert mails.manage_token(db, mine) in page and page.count("/registrations/") == 1


def test_organiser_list_reads_a_fixed_number_of_statements(client: TestClient, db: Session, count_statements: StatementCounter) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=2)
    _organiser(db, client, event)
    counts = []
    for more in (3, 30):
        for _ in range(more):
            service.register(db, event, cat, rf.form())
        db.commit()
        with count_statements:
            assert client.get(f"/events/{event.slug}/registrations").status_code == 200
        counts.append(count_statements.count)
    assert counts[0] == counts[1], counts
