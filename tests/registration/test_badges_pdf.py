"""The printable badge: a one-page A6 PDF with both names, the organisation, the category and the event, and its
QR code carrying the signed token; only a confirmed registration gets one, on the organiser's and on the
registrant's route."""

from __future__ import annotations

import io

import pytest
import segno
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from duijie.registration import badges, badges_pdf
from duijie.registration.badges import NoBadge
from duijie.registration.mails import manage_token
from tests import factories
from tests.conftest import login
from tests.factories import PASSWORD
from tests.registration import factories_checkin as f


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (298, 420)  # A6 in points
    return reader.pages[0].extract_text()


def test_the_badge_carries_names_organisation_category_and_event(db: Session) -> None:
    event = factories.event(db, name_zh="中关村论坛", name_en="Zhongguancun Forum")
    speaker = f.category(db, event, code="speaker", name_zh="演讲嘉宾", name_en="Speaker")
    reg = f.registration(
        db, event, category_row=speaker, name="王小明", name_en="Wang Xiaoming", organisation="清华大学"
    )
    pdf = badges.badge_pdf(db, registration=reg)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in ("王小明", "Wang Xiaoming", "清华大学", "演讲嘉宾", "SPEAKER", "中关村论坛", "Zhongguancun Forum"):
        assert expected in text, expected
    assert f"No. {reg.id:06d}" in text


def test_the_qr_code_is_the_token_at_a_scannable_size() -> None:
    """The drawn code is segno's code of the token: version and module size checked on a long name."""
    token = "DJ1.abcdefgh." + "A" * 80 + "." + "B" * 86
    code = segno.make(token, error="m", micro=False)
    modules = code.symbol_size(border=4)[0]
    assert badges_pdf.QR_SIZE / modules > 0.75 * badges_pdf.mm  # at least 0.75 mm a module
    assert code.version <= 10


def test_dates_read_naturally_in_both_languages() -> None:
    import datetime as dt

    a, b = dt.date(2026, 4, 25), dt.date(2026, 4, 29)
    assert badges_pdf.dates_zh(a, b) == "2026年4月25日至29日"
    assert badges_pdf.dates_en(a, b) == "25–29 April 2026"
    assert badges_pdf.dates_en(a, a) == "25 April 2026"


@pytest.mark.parametrize("state", ["pending", "waiting", "cancelled"])
def test_only_a_confirmed_registration_gets_a_badge(db: Session, state: str) -> None:
    event = factories.event(db)
    reg = f.registration(db, event, state=state)
    with pytest.raises(NoBadge) as refused:
        badges.badge_pdf(db, registration=reg)
    assert "确认" in refused.value.message


def test_the_organiser_and_the_registrant_download_the_badge(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    organiser = factories.account(db, role="organiser", event=event)
    other_organiser = factories.account(db, role="organiser", event=factories.event(db))
    reg = f.registration(db, event, name="赵六")
    waiting = f.registration(db, event, state="waiting")
    own_link = manage_token(db, reg)
    waiting_link = manage_token(db, waiting)
    db.commit()

    mine = client.get(f"/registrations/{own_link}/badge.pdf")
    assert mine.status_code == 200 and mine.headers["content-type"] == "application/pdf"
    assert "赵六" in _text(mine.content)
    refused = client.get(f"/registrations/{waiting_link}/badge.pdf")
    assert refused.status_code == 409 and "候补" in refused.text
    assert client.get(f"/registrations/{own_link}x/badge.pdf").status_code == 404

    path = f"/events/{event.slug}/registrations/{reg.id}/badge.pdf"
    assert client.get(path, follow_redirects=False).status_code == 303  # to the login page
    login(client, other_organiser.username, PASSWORD)
    assert client.get(path).status_code == 403
    client.cookies.clear()
    login(client, organiser.username, PASSWORD)
    printed = client.get(path)
    assert printed.status_code == 200 and "赵六" in _text(printed.content)
    assert client.get(f"/events/{event.slug}/registrations/{reg.id + 999}/badge.pdf").status_code == 404
