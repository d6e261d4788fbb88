"""What the meeting tables print so that they read on a desktop and a phone: e-mails that break only before
their "@" and their domain's dots, and the set-up forms' placeholders as text (not as stray quotes)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.meetings.markup import email_html
from tests import factories
from tests.conftest import login


def test_an_email_breaks_only_before_its_at_and_the_dots_of_its_domain() -> None:
    assert str(email_html("li.na@demo.duijie.invalid")) == (
        '<a class="email" href="mailto:li.na@demo.duijie.invalid" title="li.na@demo.duijie.invalid">'
        "li.na<wbr>@demo<wbr>.duijie<wbr>.invalid</a>"
    )
    # Markup in an address is text, in the link, its title and its words alike.
    risky = str(email_html('x"<b>@a.b', link=False))
    assert "<b>" not in risky and "&lt;b&gt;" in risky and 'title="x&#34;&lt;b&gt;@a.b"' in risky
    assert str(email_html(None)) == ""


def test_set_up_placeholders_are_attributes_in_the_readers_language(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, factories.PASSWORD)
    page = client.get(f"/events/{event.slug}/meetings/setup/participants").text
    assert 'placeholder="姓名或邮箱"' in page and 'placeholder="不限"' in page
    assert "&#34;" not in page.split('name="person"', 1)[1].split(">", 1)[0]
    english = client.get(f"/events/{event.slug}/meetings/setup/participants", params={"lang": "en"}).text
    assert 'placeholder="name or e-mail"' in english
