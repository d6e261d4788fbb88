"""The web import of any allowed size: the preview keeps the file on the server under a one-time token bound to
the account, the confirm form sends only the token, and the token is taken once."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.errors import DomainError
from duijie.deals import uploads
from duijie.marketplace.models import Opportunity
from tests import factories
from tests.conftest import csrf_of, login


def _csv_of_about(kilobytes: int, prefix: str) -> tuple[bytes, int]:
    lines = ["项目编号,项目名称,区域,金额,项目简介"]
    n = 0
    while sum(len(x.encode()) + 1 for x in lines) < kilobytes * 1024:
        lines.append(f"{prefix}-{n:05d},网页大文件项目{n},海淀区,1亿,{'说明文字' * 20}")
        n += 1
    return ("\n".join(lines) + "\n").encode(), n


def _token_of(page: str) -> str:
    return page.split('name="token" value="', 1)[1].split('"', 1)[0]


def test_a_900_kb_csv_previews_and_confirms_through_the_web(client: TestClient, db: Session) -> None:
    data, rows = _csv_of_about(900, "BIG")
    assert len(data) > 900 * 1024
    account = factories.account(db, role="organiser")
    login(client, account.username, factories.PASSWORD)
    csrf = csrf_of(client, "/import")
    preview = client.post("/import", data={"csrf": csrf}, files={"file": ("big.csv", data)})
    assert preview.status_code == 200 and "变更预览" in preview.text
    assert 'name="payload"' not in preview.text and len(preview.text) < len(data)
    token = _token_of(preview.text)
    done = client.post("/import/confirm", data={"csrf": csrf, "token": token})
    assert done.status_code == 200 and "已导入" in done.text
    count = select(func.count()).where(Opportunity.external_id.like("BIG-%"))
    assert db.scalar(count) == rows
    again = client.post("/import/confirm", data={"csrf": csrf, "token": token})
    assert again.status_code == 422 and "已过期或已导入" in again.text
    assert db.scalar(count) == rows


def test_a_preview_token_works_only_for_the_account_that_made_it(client: TestClient, db: Session) -> None:
    data, _rows = _csv_of_about(2, "TOK")
    first, second = factories.account(db, role="organiser"), factories.account(db, role="organiser")
    login(client, first.username, factories.PASSWORD)
    csrf = csrf_of(client, "/import")
    token = _token_of(client.post("/import", data={"csrf": csrf}, files={"file": ("t.csv", data)}).text)
    login(client, second.username, factories.PASSWORD)
    csrf = csrf_of(client, "/import")
    stolen = client.post("/import/confirm", data={"csrf": csrf, "token": token})
    assert stolen.status_code == 422 and "属于其他账号" in stolen.text
    assert db.scalar(select(func.count()).where(Opportunity.external_id.like("TOK-%"))) == 0
    login(client, first.username, factories.PASSWORD)
    csrf = csrf_of(client, "/import")
    assert client.post("/import/confirm", data={"csrf": csrf, "token": token}).status_code == 200
    assert db.scalar(select(func.count()).where(Opportunity.external_id.like("TOK-%"))) > 0


def test_a_staged_upload_expires_and_a_forged_token_is_refused() -> None:
    token = uploads.stage(account_id=7, filename="x.csv", data=b"a,b\n")
    with pytest.raises(DomainError, match=r"已过期|expired"):
        uploads.take(token, account_id=7, now=time.time() + uploads.TOKEN_TTL + 1)
    for forged in ("../../etc/passwd", "", "x" * 40, token):
        with pytest.raises(DomainError):
            uploads.take(forged, account_id=7)
    fresh = uploads.stage(account_id=7, filename="x.csv", data=b"a,b\n")
    assert uploads.take(fresh, account_id=7).data == b"a,b\n"
