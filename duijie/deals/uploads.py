"""Uploaded sheets kept between the import preview and its confirmation.

The preview stores the file on the server under a random one-time token bound to the account that uploaded it;
the confirm form sends only the token (a form field of any size would meet the form parser's per-field limit).
Confirming takes the file once: a second confirmation with the same token, another account's token or one
older than `TOKEN_TTL` is refused. The files live in a directory of their own under the system's temporary
directory (one per user), shared by every worker of one machine; expired files are swept whenever a new one is stored.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _

# How long a previewed file waits for its confirmation.
TOKEN_TTL = 30 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def staging_dir() -> Path:
    """Where previewed files wait (created on first use, readable by this user only)."""
    path = Path(tempfile.gettempdir()) / f"duijie-imports-{getpass.getuser()}"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Staged:
    """A taken upload: its file name as uploaded and its bytes."""

    filename: str
    data: bytes


def stage(*, account_id: int | None, filename: str, data: bytes, now: float | None = None) -> str:
    """Keep the uploaded file for its confirmation; returns the one-time token the confirm form carries."""
    folder = staging_dir()
    now = time.time() if now is None else now
    sweep(folder, now=now)
    token = secrets.token_urlsafe(32)
    (folder / f"{token}.data").write_bytes(data)
    meta = {"account_id": account_id, "filename": filename, "created": now}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def take(token: str, *, account_id: int | None, now: float | None = None) -> Staged:
    """The file staged under `token` by this account, removed as it is taken (so only once)."""
    refused = DomainError(
        _("This preview has expired or was already imported; choose the file again."), field="file"
    )
    if not _TOKEN.fullmatch(token or ""):
        raise refused
    folder = staging_dir()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.data"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise refused from None
    if meta.get("account_id") != account_id:
        # Not consumed: the account that previewed it may still confirm.
        raise DomainError(_("This preview belongs to another account; choose the file again."), field="file")
    now = time.time() if now is None else now
    claimed = folder / f"{token}.taken-{secrets.token_hex(4)}"
    try:
        # The rename is atomic: of two confirmations racing, exactly one gets the file.
        os.rename(data_path, claimed)
    except OSError:
        raise refused from None
    try:
        if now - float(meta.get("created", 0)) > TOKEN_TTL:
            raise refused
        return Staged(filename=str(meta.get("filename") or "upload.xlsx"), data=claimed.read_bytes())
    finally:
        claimed.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)


def sweep(folder: Path, *, now: float) -> None:
    """Remove the previews nobody confirmed in time."""
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > TOKEN_TTL:
                path.unlink(missing_ok=True)
        except OSError:
            continue
