"""Badges and check-in: the badge PDF, the door page, its offline sync, the organiser's counts.

The door page is for the event's organisers (no separate door role yet: an organiser account limited to the
event is what door staff sign in with). Once loaded it keeps the event's public keys and confirmed
registrations in the browser and checks badges with no network; `static/checkin.js` syncs its scans through the
API (`POST /api/v1/events/{slug}/checkins`) whenever it is online.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.web import allow, get_db, render
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.registration import badges, checkin
from duijie.registration import service as registration_service
from duijie.registration.models import Registration

router = APIRouter(include_in_schema=False)

door_staff = allow(can_manage_event, on=event_from_slug)


def _pdf(data: bytes, registration: Registration) -> Response:
    # Shown in the browser (inline) so it prints from there; the file name says whose badge it is.
    filename = f"badge-{registration.id:06d}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/registrations/{token}/badge.pdf")
def own_badge(token: str, db: Session = Depends(get_db)) -> Response:
    """The registrant's own badge, through the manage link of their registration mail (public on purpose: the
    link is the key); refused with the reason unless the registration is confirmed."""
    registration = registration_service.by_token(db, token)
    return _pdf(badges.badge_pdf(db, registration=registration), registration)


@router.get("/events/{slug}/registrations/{registration_id}/badge.pdf")
def organiser_badge(
    registration_id: int,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
    db: Session = Depends(get_db),
) -> Response:
    """Any confirmed registration's badge, for the organisers of its event (printing at the desk)."""
    registration = db.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise NotFound(_("There is no such registration."), field="registration")
    return _pdf(badges.badge_pdf(db, registration=registration), registration)


def _door_text() -> dict[str, str]:
    """The door page's words, in the request's language, for the script that shows them offline."""
    return {
        "admitted": _("Admitted"),
        "again": _("Already admitted"),
        "again_detail": _("This badge was already admitted today on this device."),
        "invalid": _("Not valid"),
        "flagged": _("Flagged by the server: already admitted on another device."),
        "no_data": _("No door data on this device yet: open this page once while online."),
        "data_loaded": _("Registrations on this device: %(count)s (downloaded %(time)s)."),
        "online": _("Online"),
        "offline": _("Offline: scans are kept on this device and synced later."),
        "pending": _("%(count)s scans waiting to sync"),
        "synced": _("All scans synced (%(time)s)."),
        "sync_failed": _("Sync failed (%(status)s); the scans stay on this device and are sent again."),
        "sign_in": _("Signed out: sign in again to sync."),
        "camera_start": _("Start camera"),
        "camera_stop": _("Stop camera"),
        "camera_error": _("The camera cannot be opened (%(error)s). Use the scanner field or a photo."),
        "photo_none": _("No QR code found in the photo. Take it again closer and sharper."),
        "server_admitted": _("confirmed by the server"),
        "server_refused": _("refused by the server"),
        "waiting": _("not synced yet"),
        **{f"reason_{code}": _(text) for code, text in checkin.REASONS.items()},
    }


SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "checkin-sw.js"


@router.get("/checkin-sw.js", include_in_schema=False)
def door_service_worker() -> Response:
    """The door page's service worker (public: it holds no data), served from the site's root with the header
    that lets it control the door pages under /events/ (`Service-Worker-Allowed`)."""
    return Response(
        SERVICE_WORKER.read_bytes(),
        media_type="application/javascript",
        headers={"Service-Worker-Allowed": "/events/", "Cache-Control": "no-cache"},
    )


@router.get("/events/{slug}/checkin", response_class=HTMLResponse)
def door_page(
    request: Request,
    gate: str = Query("", max_length=80),
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
) -> HTMLResponse:
    """The door page for phones: camera, USB scanner field and photo fallback, working offline."""
    config = {
        "slug": event.slug,
        "gate": gate.strip(),
        "door_data_url": f"/api/v1/events/{event.slug}/checkin/door-data",
        "sync_url": f"/api/v1/events/{event.slug}/checkins",
        "sw_url": "/checkin-sw.js",
        "sw_scope": f"/events/{event.slug}/checkin",
        "locale": i18n.get_locale(),
        "text": _door_text(),
    }
    return render(request, "registration/checkin/door.html", {"event": event, "config": config, "gate": gate.strip()})


@router.get("/events/{slug}/checkin/counts", response_class=HTMLResponse)
def counts_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    actor: Actor = Depends(door_staff),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    """Admissions, repeated scans and refused badges per day and per gate."""
    days, gates = checkin.counts(db, event=event)
    return render(request, "registration/checkin/counts.html", {"event": event, "days": days, "gates": gates})
