"""Badge tokens: signed with the event's key, refused when altered, signed by another key, revoked or of another
event; a rotated key keeps verifying the badges it signed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from duijie.registration import badges
from duijie.registration.badges import BadgeRefused
from tests import factories
from tests.registration import factories_checkin as f


def _refusal(db: Session, event_id: int, token: str) -> str:
    with pytest.raises(BadgeRefused) as caught:
        badges.verify(db, event_id=event_id, token=token)
    return caught.value.reason


def test_a_signed_badge_verifies_and_names_its_registration(db: Session) -> None:
    event = factories.event(db)
    reg = f.registration(db, event, name="王小明")
    token = badges.badge_token(db, reg)
    assert token.startswith("DJ1.")
    assert len(token) < 220
    assert badges.verify(db, event_id=event.id, token=token).id == reg.id
    # A scanner may add spaces or a line break around what it read.
    assert badges.verify(db, event_id=event.id, token=f"  {token}\n").id == reg.id
    claims = badges.parse(token).claims
    assert (claims.event_id, claims.registration_id, claims.name) == (event.id, reg.id, "王小明")


def test_the_first_key_is_made_once_and_reused(db: Session) -> None:
    event = factories.event(db)
    first = badges.current_key(db, event_id=event.id)
    assert badges.current_key(db, event_id=event.id).id == first.id
    assert [k.id for k in badges.event_keys(db, event_id=event.id)] == [first.id]


def test_a_tampered_payload_is_refused(db: Session) -> None:
    event = factories.event(db)
    reg = f.registration(db, event)
    other = f.registration(db, event)
    prefix, key_id, payload, signature = badges.badge_token(db, reg).split(".")
    claims = badges.parse(f"{prefix}.{key_id}.{payload}.{signature}").claims
    forged = badges.encode_claims(
        badges.Claims(claims.event_id, other.id, other.badge_nonce, claims.category, claims.name)
    )
    assert _refusal(db, event.id, f"{prefix}.{key_id}.{forged}.{signature}") == badges.BAD_SIGNATURE


def test_a_signature_of_another_key_is_refused(db: Session) -> None:
    event = factories.event(db)
    reg = f.registration(db, event)
    token = badges.badge_token(db, reg)
    stranger = badges._new_key(event.id)  # a key nobody stored: a forger's own
    forged = badges.sign(stranger, badges.claims_of(db, reg))
    _prefix, _kid, payload, signature = forged.split(".")
    key_id = token.split(".")[1]
    # The forger's signature under the event's key id does not hold; under its own key id, the key is unknown.
    assert _refusal(db, event.id, f"DJ1.{key_id}.{payload}.{signature}") == badges.BAD_SIGNATURE
    assert _refusal(db, event.id, forged) == badges.UNKNOWN_KEY


def test_a_badge_of_another_event_is_refused(db: Session) -> None:
    event, other_event = factories.event(db), factories.event(db)
    reg = f.registration(db, other_event)
    token = badges.badge_token(db, reg)
    assert _refusal(db, event.id, token) == badges.OTHER_EVENT
    assert badges.verify(db, event_id=other_event.id, token=token).id == reg.id


def test_a_new_nonce_revokes_the_old_badge(db: Session) -> None:
    event = factories.event(db)
    organiser = factories.actor(db, role="organiser", event=event)
    reg = f.registration(db, event)
    old = badges.badge_token(db, reg)
    new = badges.reissue(db, registration=reg, actor=organiser)
    with pytest.raises(BadgeRefused) as caught:
        badges.verify(db, event_id=event.id, token=old)
    assert (caught.value.reason, caught.value.registration_id) == (badges.REVOKED, reg.id)
    assert badges.verify(db, event_id=event.id, token=new).id == reg.id


def test_a_cancelled_registration_is_refused(db: Session) -> None:
    event = factories.event(db)
    reg = f.registration(db, event)
    token = badges.badge_token(db, reg)
    reg.state = "cancelled"
    db.flush()
    assert _refusal(db, event.id, token) == badges.NOT_CONFIRMED


def test_a_rotated_key_still_verifies_what_it_signed(db: Session) -> None:
    event = factories.event(db)
    reg = f.registration(db, event)
    old_token = badges.badge_token(db, reg)
    old_key = badges.current_key(db, event_id=event.id)
    new_key = badges.rotate_key(db, event_id=event.id)
    assert old_key.retired_at is not None and new_key.retired_at is None
    new_token = badges.badge_token(db, reg)
    assert new_token.split(".")[1] == new_key.key_id != old_token.split(".")[1]
    assert badges.verify(db, event_id=event.id, token=old_token).id == reg.id
    assert badges.verify(db, event_id=event.id, token=new_token).id == reg.id
    assert [k.key_id for k in badges.event_keys(db, event_id=event.id)] == [old_key.key_id, new_key.key_id]


@pytest.mark.parametrize(
    "token",
    ["", "hello", "DJ1.a.b", "DJ2.abc.e30.AAAA", "DJ1..x.y", "DJ1.abc.!!!.AAAA", "DJ1.abc.MXwy.AAAA"],
)
def test_malformed_tokens_are_refused_as_such(db: Session, token: str) -> None:
    event = factories.event(db)
    assert _refusal(db, event.id, token) == badges.MALFORMED


def test_the_public_key_is_a_p256_jwk_that_verifies_the_raw_signature(db: Session) -> None:
    """What the browser gets: x and y of 32 bytes each; the signature is r||s of 32 bytes each (not DER)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    event = factories.event(db)
    reg = f.registration(db, event)
    key = badges.current_key(db, event_id=event.id)
    jwk = badges.public_jwk(key)
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    x = int.from_bytes(badges.unb64url(jwk["x"]), "big")
    y = int.from_bytes(badges.unb64url(jwk["y"]), "big")
    public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    parsed = badges.parse(badges.badge_token(db, reg))
    assert len(parsed.signature) == 64
    pem = public.public_bytes(
        badges.serialization.Encoding.PEM, badges.serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert badges.signature_holds(pem, parsed)


def test_nonce_digests_differ_per_nonce_and_hide_it() -> None:
    a, b = badges.new_nonce(), badges.new_nonce()
    assert badges.nonce_digest(a) != badges.nonce_digest(b)
    assert len(badges.nonce_digest(a)) == 16 and a not in badges.nonce_digest(a)
