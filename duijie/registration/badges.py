"""Signed badge tokens: what a badge's QR code carries, so a door device verifies it without the server.

Each event signs its badges with its own ECDSA P-256 key (`BadgeKey`, made on first use). A token reads

    DJ1.<key id>.<payload>.<signature>

where the payload is the base64url of `event id|registration id|badge nonce|category code|short name` (UTF-8)
and the signature is ECDSA with SHA-256 over the ASCII text `DJ1.<key id>.<payload>`, written as the raw 64
bytes r||s in base64url — the form a browser's WebCrypto `verify` takes, so the door page checks a badge offline
with nothing but the event's public keys. The whole token stays under ~200 characters: a QR code small enough to
read from a phone at arm's length.

Revoking: a registration's `badge_nonce` is part of the signed payload, so a new nonce (`reissue`) makes every
badge printed before it refused. Door devices learn the current nonces (as short digests, `nonce_digest`) with
the rest of the door data whenever they are online. Rotating the key (`rotate_key`) retires the old one, which
still verifies the badges it signed: badges already printed stay good.

The private key is kept in the database as PEM: whoever reads the database can sign badges. That is the same
trust as the registrations themselves, and no door device ever sees it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.events.models import Event
from duijie.registration import badges_pdf
from duijie.registration.models import BadgeKey, Registration, RegistrationCategory

PREFIX = "DJ1"
NAME_LENGTH = 24  # characters of the name carried in the token; the door shows the full name from its list
COORDINATE = 32  # bytes of r, s, x and y on P-256

# Why a badge is refused, as the door device and the server both name it; the messages are shown at the door.
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
OTHER_EVENT = "other_event"
UNKNOWN_REGISTRATION = "unknown_registration"
REVOKED = "revoked"
NOT_CONFIRMED = "not_confirmed"

REASONS: dict[str, str] = {
    MALFORMED: _l("Not a badge of this system."),
    UNKNOWN_KEY: _l("Signed with a key this event does not know."),
    BAD_SIGNATURE: _l("The signature does not match: the badge was altered or forged."),
    OTHER_EVENT: _l("A badge of another event."),
    UNKNOWN_REGISTRATION: _l("No such registration."),
    REVOKED: _l("This badge was replaced by a newer one."),
    NOT_CONFIRMED: _l("The registration is not confirmed (cancelled, declined or still waiting)."),
}


class BadgeRefused(Exception):
    """The token does not admit anyone: `reason` is one of `REASONS`; `registration_id` is the registration it
    names when that much is known (a revoked badge, a cancelled registration)."""

    def __init__(self, reason: str, registration_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.registration_id = registration_id


@dataclass(frozen=True)
class Claims:
    """What a badge says about its holder; signed, so the door trusts it as far as the signature goes."""

    event_id: int
    registration_id: int
    nonce: str
    category: str
    name: str


@dataclass(frozen=True)
class Parsed:
    """A token split into its parts, before any signature is checked."""

    key_id: str
    claims: Claims
    signed: bytes
    signature: bytes


# -- encoding ----------------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict: only the URL-safe alphabet, no padding (a token in any other spelling is not ours)."""
    if not text or any(ch not in _B64URL for ch in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _clean(text: str) -> str:
    """A field of the payload: no separator, no line breaks."""
    return " ".join(text.replace("|", " ").split())


def encode_claims(claims: Claims) -> str:
    fields = [
        str(claims.event_id),
        str(claims.registration_id),
        _clean(claims.nonce),
        _clean(claims.category),
        _clean(claims.name)[:NAME_LENGTH],
    ]
    return b64url("|".join(fields).encode("utf-8"))


def decode_claims(payload: str) -> Claims:
    try:
        parts = unb64url(payload).decode("utf-8").split("|")
        event_id, registration_id, nonce, category, name = parts
        return Claims(int(event_id), int(registration_id), nonce, category, name)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise BadgeRefused(MALFORMED) from exc


def parse(token: str) -> Parsed:
    """Splits a token (as a scanner typed it: surrounding spaces are dropped) without checking the signature."""
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1]:
        raise BadgeRefused(MALFORMED)
    prefix, key_id, payload, signature = parts
    claims = decode_claims(payload)
    try:
        raw = unb64url(signature)
    except (ValueError, binascii.Error) as exc:
        raise BadgeRefused(MALFORMED) from exc
    if len(raw) != 2 * COORDINATE:
        raise BadgeRefused(MALFORMED)
    return Parsed(key_id, claims, f"{prefix}.{key_id}.{payload}".encode("ascii"), raw)


# -- keys ----------------------------------------------------------------------------------------------------------


def _new_key(event_id: int) -> BadgeKey:
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    # 8 characters of the URL-safe alphabet: never a dot, so it splits cleanly out of a token.
    return BadgeKey(event_id=event_id, key_id=secrets.token_urlsafe(6), public_key=public_pem, private_key=private_pem)


def event_keys(db: Session, *, event_id: int) -> list[BadgeKey]:
    """Every key of the event, the current one last: what a door device downloads (retired keys included, since
    they still verify the badges they signed)."""
    return list(db.scalars(select(BadgeKey).where(BadgeKey.event_id == event_id).order_by(BadgeKey.id)))


def current_key(db: Session, *, event_id: int) -> BadgeKey:
    """The key new badges of the event are signed with, made on first use.

    Two requests making the first key at the same moment each add one; both verify, and the older is used from
    then on, so nothing needs to be refused.
    """
    key = db.scalars(
        select(BadgeKey)
        .where(BadgeKey.event_id == event_id, BadgeKey.retired_at.is_(None))
        .order_by(BadgeKey.id)
        .limit(1)
    ).first()
    if key is None:
        key = _new_key(event_id)
        db.add(key)
        db.flush()
    return key


def rotate_key(db: Session, *, event_id: int, actor: Actor | None = None) -> BadgeKey:
    """Retires the event's current keys and makes a new one. Badges signed before keep verifying (their key is
    still published to door devices); badges printed from now on use the new key."""
    now = utcnow()
    retired = []
    for key in db.scalars(select(BadgeKey).where(BadgeKey.event_id == event_id, BadgeKey.retired_at.is_(None))):
        key.retired_at = now
        retired.append(key.key_id)
    new = _new_key(event_id)
    db.add(new)
    db.flush()
    if actor is not None:
        audit.record(
            db,
            actor=actor,
            entity_type="badge_key",
            entity_id=new.id,
            action="rotate",
            before={"keys": retired},
            after={"key": new.key_id},
            event_id=event_id,
        )
    return new


def public_jwk(key: BadgeKey) -> dict[str, str]:
    """The public key as a JSON Web Key, which WebCrypto imports directly (`importKey("jwk", ...)`)."""
    public = serialization.load_pem_public_key(key.public_key.encode("ascii"))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(COORDINATE, "big")),
        "y": b64url(numbers.y.to_bytes(COORDINATE, "big")),
    }


# -- signing and verifying -----------------------------------------------------------------------------------------


def sign(key: BadgeKey, claims: Claims) -> str:
    """The token of `claims` signed with `key`."""
    private = serialization.load_pem_private_key(key.private_key.encode("ascii"), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    signed = f"{PREFIX}.{key.key_id}.{encode_claims(claims)}"
    r, s = decode_dss_signature(private.sign(signed.encode("ascii"), ec.ECDSA(hashes.SHA256())))
    return f"{signed}.{b64url(r.to_bytes(COORDINATE, 'big') + s.to_bytes(COORDINATE, 'big'))}"


def signature_holds(public_pem: str, parsed: Parsed) -> bool:
    public = serialization.load_pem_public_key(public_pem.encode("ascii"))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    r = int.from_bytes(parsed.signature[:COORDINATE], "big")
    s = int.from_bytes(parsed.signature[COORDINATE:], "big")
    try:
        public.verify(encode_dss_signature(r, s), parsed.signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def claims_of(db: Session, registration: Registration) -> Claims:
    category = db.get(RegistrationCategory, registration.category_id)
    return Claims(
        event_id=registration.event_id,
        registration_id=registration.id,
        nonce=registration.badge_nonce,
        category=category.code if category is not None else "",
        name=registration.name,
    )


def badge_token(db: Session, registration: Registration) -> str:
    """The token printed on the registration's badge, signed with the event's current key."""
    return sign(current_key(db, event_id=registration.event_id), claims_of(db, registration))


def verify(db: Session, *, event_id: int, token: str) -> Registration:
    """The confirmed registration a token admits to the event, or `BadgeRefused` saying why not.

    Checked in this order: the form, the key (one of this event's, retired or not), the signature, the event
    named inside, the registration, its current nonce (an older one is a revoked badge), its state.
    """
    parsed = parse(token)
    key = db.scalar(select(BadgeKey).where(BadgeKey.key_id == parsed.key_id))
    if key is None or key.event_id != event_id:
        # A key of another event: say so only if its signature holds, else it is just a forgery.
        if key is not None and signature_holds(key.public_key, parsed):
            raise BadgeRefused(OTHER_EVENT)
        raise BadgeRefused(UNKNOWN_KEY)
    if not signature_holds(key.public_key, parsed):
        raise BadgeRefused(BAD_SIGNATURE)
    claims = parsed.claims
    if claims.event_id != event_id:
        raise BadgeRefused(OTHER_EVENT)
    registration = db.get(Registration, claims.registration_id)
    if registration is None or registration.event_id != event_id:
        raise BadgeRefused(UNKNOWN_REGISTRATION)
    if not secrets.compare_digest(registration.badge_nonce, claims.nonce):
        raise BadgeRefused(REVOKED, registration.id)
    if registration.state != "confirmed":
        raise BadgeRefused(NOT_CONFIRMED, registration.id)
    return registration


def nonce_digest(nonce: str) -> str:
    """What a door device keeps of a registration's current nonce: enough to tell a revoked badge (the first 16
    hex digits of its SHA-256), without handing out the nonce itself."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()[:16]


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def reissue(db: Session, *, registration: Registration, actor: Actor) -> str:
    """Gives the registration a new badge nonce, which revokes every badge printed before (a lost badge, a
    badge handed to someone else), and returns the new token. Side effects: the nonce is changed and the change
    audited; door devices refuse the old badge once they have fetched the door data again."""
    old = registration.badge_nonce
    registration.badge_nonce = new_nonce()
    db.flush()
    # The audit keeps digests: the log shows that the badge changed without holding what it is made of.
    audit.record(
        db,
        actor=actor,
        entity_type="registration",
        entity_id=registration.id,
        action="reissue_badge",
        before={"badge": nonce_digest(old)},
        after={"badge": nonce_digest(registration.badge_nonce)},
        event_id=registration.event_id,
    )
    return badge_token(db, registration)


class NoBadge(DomainError):
    """Only a confirmed registration has a badge: a pending, waiting or cancelled one is told why not."""

    status_code = 409


STATE_NAMES: dict[str, str] = {
    "pending": _l("awaiting the organiser's approval"),
    "waiting": _l("on the waiting list"),
    "offered": _l("offered a place that is not yet claimed"),
    "cancelled": _l("cancelled"),
    "declined": _l("declined"),
    "expired": _l("expired"),
}


def require_badge(registration: Registration) -> None:
    """Refuses (`NoBadge`, naming the state) a registration that is not confirmed: only those get a badge."""
    if registration.state != "confirmed":
        state = _(STATE_NAMES.get(registration.state, registration.state))
        raise NoBadge(
            _("A badge is issued once the registration is confirmed; this registration is %(state)s.")
            % {"state": state},
            field="state",
        )


def badge_pdf(db: Session, *, registration: Registration) -> bytes:
    """The registration's printable badge; refused (`NoBadge`, naming the state) unless it is confirmed."""
    require_badge(registration)
    event = db.get(Event, registration.event_id)
    category = db.get(RegistrationCategory, registration.category_id)
    assert event is not None and category is not None
    face = badges_pdf.BadgeFace(
        token=badge_token(db, registration),
        number=registration.id,
        name=registration.name,
        name_en=registration.name_en,
        organisation=registration.organisation,
        job_title=registration.job_title,
        category_code=category.code,
        category_zh=category.name_zh,
        category_en=category.name_en,
        event_zh=event.name_zh,
        event_en=event.name_en,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
    )
    return badges_pdf.render(face)
