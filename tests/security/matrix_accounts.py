"""Permission-matrix entries for the accounts routes (collected into `matrix.ENTRIES`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.directory.models import Account, Invitation, SignUp
from tests.security.matrix import LOGGED_IN, PUBLIC, Entry, empty, only
from tests.security.world import World

# ---- accounts: people, invitations, sign-ups, password resets (the directory) ----------------------------------
# Who has people: organisers, and anyone acting for an organisation (the district governments, the enterprise,
# the investor); the judge and the verifier hold no organisation. The records acted on belong to the enterprise
# (a pending invitation, a colleague's account), so the city-wide organiser and the enterprise itself may touch
# them; an organiser of one event manages only that event's organisers and judges. Sign-ups are decided by the
# city-wide organiser. The pages for people not signed in yet are public.
PEOPLE = only("organiser_city", "organiser_a", "organiser_b", "district_own", "district_other", "enterprise", "investor")
ENTERPRISE_PEOPLE = only("organiser_city", "enterprise")
CITY_ONLY = only("organiser_city")
PASSWORD = "Matrix-accounts-2026"


def invitation_state(db: Session, w: World) -> Any:
    row = db.get(Invitation, w.invitation)
    assert row is not None
    return (row.state, row.sent_count, row.token_hash, db.scalar(select(func.count()).select_from(Invitation)))


def member_state(db: Session, w: World) -> Any:
    row = db.get(Account, w.member)
    assert row is not None
    return (row.is_active, db.scalar(select(func.count()).select_from(Account)))


def sign_up_state(db: Session, w: World) -> Any:
    row = db.get(SignUp, w.sign_up)
    assert row is not None
    return (row.state, row.reason, row.account.is_active)


def _invite(w: World) -> dict[str, str]:
    return {"email": "matrix.invite@example.org", "role": "enterprise", "organisation": w.enterprise_slug}


def _new_account(w: World) -> dict[str, str]:
    return {"username": "matrix.new", "password": PASSWORD, "again": PASSWORD, "name_zh": "矩阵", "locale": "zh_CN"}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/setup", PUBLIC, note="an installation with accounts sends everyone home"),
    Entry(
        "POST", "/setup", PUBLIC, form=lambda w: {"email": "x@example.org", **_new_account(w)}, also_ok=(409,),
        note="refused with 409 once any account exists", probe=member_state,
    ),
    Entry("GET", "/invite/{token}", PUBLIC, at={"token": "invite_token"}),
    Entry("POST", "/invite/{token}", PUBLIC, at={"token": "invite_token"}, form=_new_account),
    Entry("POST", "/invite/{token}/join", LOGGED_IN, at={"token": "invite_token"}, form=lambda w: {}),
    Entry("GET", "/signup", PUBLIC),
    Entry(
        "POST", "/signup", PUBLIC,
        form=lambda w: {"role": "investor", "organisation": "Matrix Capital", "email": "m@example.org", **_new_account(w)},
    ),
    Entry("GET", "/password/forgot", PUBLIC),
    Entry("POST", "/password/forgot", PUBLIC, form=lambda w: {"email": "matrix@example.org"}),
    Entry("GET", "/password/reset/{token}", PUBLIC, at={"token": "reset_token"}),
    Entry("POST", "/password/reset/{token}", PUBLIC, at={"token": "reset_token"},
          form=lambda w: {"password": PASSWORD, "again": PASSWORD}),
    Entry("POST", "/account/profile", LOGGED_IN, form=lambda w: {"name_zh": "矩阵用户", "email": "me@example.org", "locale": "en"}),
    Entry("GET", "/people", PEOPLE),
    Entry("POST", "/people/invitations", ENTERPRISE_PEOPLE, form=_invite, probe=invitation_state),
    Entry("POST", "/people/invitations/{invitation_id}/resend", ENTERPRISE_PEOPLE, at={"invitation_id": "invitation"},
          form=empty, probe=invitation_state),
    Entry("POST", "/people/invitations/{invitation_id}/revoke", ENTERPRISE_PEOPLE, at={"invitation_id": "invitation"},
          form=empty, probe=invitation_state),
    Entry("POST", "/people/sign-ups/{sign_up_id}/approve", CITY_ONLY, at={"sign_up_id": "sign_up"}, form=empty,
          probe=sign_up_state),
    Entry("POST", "/people/sign-ups/{sign_up_id}/decline", CITY_ONLY, at={"sign_up_id": "sign_up"},
          form=lambda w: {"reason": "矩阵原因"}, probe=sign_up_state),
    Entry("POST", "/people/accounts/{account_id}/disable", ENTERPRISE_PEOPLE, at={"account_id": "member"}, form=empty,
          probe=member_state),
    Entry("POST", "/people/accounts/{account_id}/enable", ENTERPRISE_PEOPLE, at={"account_id": "member"}, form=empty,
          probe=member_state),
    # API
    Entry("GET", "/api/v1/users", PEOPLE),
    Entry("POST", "/api/v1/users", ENTERPRISE_PEOPLE, probe=member_state,
          json=lambda w: {"username": "matrix.api", "email": "a@example.org", "password": PASSWORD, "role": "enterprise",
                          "organisation": w.enterprise_slug}),
    Entry("GET", "/api/v1/users/me", LOGGED_IN),
    Entry("PATCH", "/api/v1/users/me", LOGGED_IN, json=lambda w: {"title": "矩阵"}),
    Entry("POST", "/api/v1/users/{account_id}/disable", ENTERPRISE_PEOPLE, at={"account_id": "member"},
          probe=member_state),
    Entry("POST", "/api/v1/users/{account_id}/enable", ENTERPRISE_PEOPLE, at={"account_id": "member"},
          probe=member_state),
    Entry("GET", "/api/v1/invitations", PEOPLE),
    Entry("POST", "/api/v1/invitations", ENTERPRISE_PEOPLE, json=_invite, probe=invitation_state),
    Entry("POST", "/api/v1/invitations/{invitation_id}/resend", ENTERPRISE_PEOPLE, at={"invitation_id": "invitation"},
          probe=invitation_state),
    Entry("POST", "/api/v1/invitations/{invitation_id}/revoke", ENTERPRISE_PEOPLE, at={"invitation_id": "invitation"},
          probe=invitation_state),
    Entry("POST", "/api/v1/invitations/accept", PUBLIC,
          json=lambda w: {"token": w.invite_token, "username": "matrix.accept", "password": PASSWORD}),
    Entry("POST", "/api/v1/sign-ups", PUBLIC,
          json=lambda w: {"role": "enterprise", "organisation": "矩阵企业", "name": "矩阵", "email": "s@example.org",
                          "username": "matrix.signup", "password": PASSWORD}),
    Entry("GET", "/api/v1/sign-ups", CITY_ONLY),
    Entry("POST", "/api/v1/sign-ups/{sign_up_id}/approve", CITY_ONLY, at={"sign_up_id": "sign_up"}, probe=sign_up_state),
    Entry("POST", "/api/v1/sign-ups/{sign_up_id}/decline", CITY_ONLY, at={"sign_up_id": "sign_up"},
          json=lambda w: {"reason": "矩阵原因"}, probe=sign_up_state),
    Entry("POST", "/api/v1/password-reset", PUBLIC, json=lambda w: {"email": "matrix@example.org"}),
    Entry("POST", "/api/v1/password-reset/confirm", PUBLIC, json=lambda w: {"token": w.reset_token, "password": PASSWORD}),
)

# ---- notification choices (directory/notifications.py): every signed-in account chooses its own e-mails ----------
ENTRIES = (
    *ENTRIES,
    Entry("GET", "/account/notifications", LOGGED_IN),
    Entry("POST", "/account/notifications", LOGGED_IN, form=lambda w: {"topic": "meeting_requests"}),
    Entry("GET", "/api/v1/account/notifications", LOGGED_IN),
    Entry("PUT", "/api/v1/account/notifications", LOGGED_IN, json=lambda w: {"topics": {"deal_tasks": False}}),
)
