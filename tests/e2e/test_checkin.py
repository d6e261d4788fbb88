"""Check-in at the door in a real browser, offline then synced.

The organiser opens the door page on a phone, the network goes away, and badges are checked with no server:
one through the camera (Chromium's fake camera plays a video of the badge's QR code), the same one again
through the USB scanner field (already admitted), another badge and a forged one through the scanner field.
Back online, the scans sync; a second device then scans a badge through the photo fallback, which the first
device already admitted, and the server flags it. The database holds one admission per badge and the flagged
repeats.

The server here is the suite's own (uvicorn in a thread) on a small database made with the factories, so the
test does not depend on the demo's registrations.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import segno
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.registration import badges
from duijie.registration.models import CheckIn
from tests import factories
from tests.e2e.conftest import ARGS, CHROMIUM, _free_port
from tests.e2e.helpers import PHONE, login
from tests.factories import PASSWORD
from tests.registration import factories_checkin as f

pytestmark = pytest.mark.browser


@dataclass
class Door:
    base: str
    engine: Engine
    slug: str
    username: str
    first: int  # registration ids and their badge tokens
    first_token: str
    second: int
    second_token: str


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    path = tmp_path_factory.mktemp("checkin") / "door.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    today = dt.date.today()
    with sessionmaker(bind=engine)() as db:
        event = factories.event(db, name_zh="门禁测试论坛", name_en="Door Test Forum", starts_on=today, ends_on=today)
        organiser = factories.account(db, role="organiser", event=event)
        first = f.registration(db, event, name="陈静", name_en="Chen Jing")
        second = f.registration(db, event, name="林涛", name_en="Lin Tao")
        f.registration(db, event, state="waiting")
        values = Door(
            base="",
            engine=engine,
            slug=event.slug,
            username=organiser.username,
            first=first.id,
            first_token=badges.badge_token(db, first),
            second=second.id,
            second_token=badges.badge_token(db, second),
        )
        db.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(database_url=url)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    values.base = f"http://127.0.0.1:{port}"
    yield values
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def qr_pixels(token: str, size: int = 480) -> np.ndarray:
    """The badge's QR code (as printed: error correction M, quiet zone of 4) as grey pixels, white around it."""
    rows = np.array([list(r) for r in segno.make(token, error="m", micro=False).matrix_iter(border=4)], dtype=bool)
    scale = size // rows.shape[0]
    code = np.where(np.kron(rows, np.ones((scale, scale), dtype=bool)), 0, 255).astype(np.uint8)
    frame = np.full((size, size * 4 // 3), 255, dtype=np.uint8)
    top, left = (frame.shape[0] - code.shape[0]) // 2, (frame.shape[1] - code.shape[1]) // 2
    frame[top : top + code.shape[0], left : left + code.shape[1]] = code
    return frame


def write_y4m(path: Path, grey: np.ndarray, frames: int = 10) -> None:
    """A Y4M video (4:2:0) of a still grey image: what Chromium's fake camera plays in a loop."""
    height, width = grey.shape
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    # Video range luma: black 16, white 235.
    luma = (16 + grey.astype(np.uint16) * 219 // 255).astype(np.uint8).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def write_png(path: Path, grey: np.ndarray) -> None:
    from PIL import Image

    Image.fromarray(grey, mode="L").save(path)


def _open_door(context: BrowserContext, door: Door, gate: str) -> Page:
    page = context.new_page()
    login(page, door.base, door.username, PASSWORD)
    page.goto(f"{door.base}/events/{door.slug}/checkin?gate={gate}")
    # The door data is on the device once the page says how many registrations it holds.
    expect(page.locator("[data-testid=data-state]")).to_contain_text("2")
    return page


def _scan(page: Page, token: str) -> None:
    page.fill("[data-testid=scan-input]", token)
    page.press("[data-testid=scan-input]", "Enter")


def _rows(engine: Engine) -> list[tuple[int | None, str, bool, str | None]]:
    with Session(engine) as db:
        return [
            (r.registration_id, r.gate, r.admitted, r.reason)
            for r in db.scalars(select(CheckIn).order_by(CheckIn.id))
        ]


def test_a_phone_checks_in_offline_and_syncs(browser: Browser, door: Door, tmp_path: Path) -> None:
    video = tmp_path / "badge.y4m"
    write_y4m(video, qr_pixels(door.first_token))
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(**PHONE)  # type: ignore[arg-type]
        context.grant_permissions(["camera"], origin=door.base)
        page = _open_door(context, door, "东门")
        result = page.locator("[data-testid=result]")

        context.set_offline(True)
        expect(page.locator("[data-testid=network]")).to_have_class("status-line offline")

        # The camera reads the first badge: admitted, with the name from the door data.
        page.click("[data-testid=camera-toggle]")
        expect(result).to_have_attribute("data-status", "admitted", timeout=15000)
        expect(result).to_contain_text("陈静")
        page.click("[data-testid=camera-toggle]")  # stop: the badge stays in view of the fake camera

        # The same badge through the USB scanner field: already admitted on this device.
        _scan(page, door.first_token)
        expect(result).to_have_attribute("data-status", "again")
        expect(result).to_contain_text("陈静")

        # The second badge, then a forged one (the first badge's payload with another registration's id).
        _scan(page, door.second_token)
        expect(result).to_have_attribute("data-status", "admitted")
        expect(result).to_contain_text("林涛")
        prefix, key_id, _payload, signature = door.first_token.split(".")
        forged_payload = door.second_token.split(".")[2]
        _scan(page, f"{prefix}.{key_id}.{forged_payload}.{signature}")
        expect(result).to_have_attribute("data-status", "invalid")

        expect(page.locator("[data-testid=pending]")).to_have_attribute("data-count", "4")
        assert _rows(door.engine) == []  # nothing reached the server while offline

        context.set_offline(False)
        expect(page.locator("[data-testid=pending]")).to_have_attribute("data-count", "0", timeout=15000)
        assert _rows(door.engine) == [
            (door.first, "东门", True, None),
            (door.first, "东门", False, "duplicate"),
            (door.second, "东门", True, None),
            (None, "东门", False, "bad_signature"),
        ]
        context.close()
    finally:
        camera_browser.close()

    # A second device, online, reads a photo of the second badge: admitted as far as it knows, flagged by the
    # server because the first device admitted that badge today.
    photo = tmp_path / "badge.png"
    write_png(photo, qr_pixels(door.second_token))
    other = browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = _open_door(other, door, "西门")
    page.set_input_files("[data-testid=photo-input]", str(photo))
    expect(page.locator("[data-testid=result]")).to_have_attribute("data-status", "admitted")
    expect(page.locator("[data-testid=pending]")).to_have_attribute("data-count", "0", timeout=15000)
    expect(page.locator("[data-testid=scans] li.flagged")).to_have_count(1)
    other.close()

    rows = _rows(door.engine)
    assert rows[-1] == (door.second, "西门", False, "duplicate")
    admitted = [(reg, gate) for reg, gate, ok, _reason in rows if ok]
    assert admitted == [(door.first, "东门"), (door.second, "东门")]  # one admission per badge
    with Session(door.engine) as db:
        flagged = db.scalars(select(CheckIn).where(CheckIn.reason == "duplicate").order_by(CheckIn.id)).all()
        firsts = {r.registration_id: r.id for r in db.scalars(select(CheckIn).where(CheckIn.admitted.is_(True)))}
        assert [(r.registration_id, r.duplicate_of_id) for r in flagged] == [
            (door.first, firsts[door.first]),
            (door.second, firsts[door.second]),
        ]


def test_the_door_page_reopens_without_a_network(browser: Browser, door: Door) -> None:
    """A door phone that reloads the page (or restarts its browser) offline still has the page, its door data
    and a working scanner: the page's service worker kept the page and its scripts."""
    context = browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = _open_door(context, door, "南门")
    kept = "async () => (await (await caches.open('duijie-door-v1')).keys()).map(r => new URL(r.url).pathname)"
    deadline = time.monotonic() + 20
    while "/static/checkin.js" not in page.evaluate(kept) or f"/events/{door.slug}/checkin" not in page.evaluate(kept):
        assert time.monotonic() < deadline, f"the service worker kept {page.evaluate(kept)}"
        time.sleep(0.2)
    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-testid=data-state]")).to_contain_text("2")
    expect(page.locator("[data-testid=network]")).to_have_class("status-line offline")
    _scan(page, door.second_token)
    expect(page.locator("[data-testid=result]")).to_have_attribute("data-status", "admitted")
    expect(page.locator("[data-testid=result]")).to_contain_text("林涛")
    expect(page.locator("[data-testid=pending]")).to_have_attribute("data-count", "1")
    context.close()
