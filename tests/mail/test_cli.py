"""`duijie mail ...` on a database of its own, against the SMTP server on loopback: a test message arrives, the
outbox lists it, a refused one shows the server's answer and can be queued again."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from duijie.cli import main
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests.fixtures.smtp import SmtpServer


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def test_send_test_arrives_and_the_outbox_lists_it(tmp_path: Path, mail_to: SmtpServer) -> None:
    url = _db(tmp_path)
    runner = CliRunner()
    sent = runner.invoke(main, ["mail", "send-test", "--db", url, "--to", "ops@example.org", "--locale", "en"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("sent: message 1 to ops@example.org (<outbox.1.")
    [received] = mail_to.wait_for(1)
    assert received.rcpt_tos == ["ops@example.org"]
    assert received.subject == "duijie: a test message"
    assert received.message["From"] == "duijie <noreply@duijie.test>"
    listed = runner.invoke(main, ["mail", "outbox", "--db", url, "--format", "json"])
    data = json.loads(listed.output)
    assert data["counts"] == {"queued": 0, "sending": 0, "sent": 1, "failed": 0}
    assert [(m["id"], m["state"], m["to"]) for m in data["messages"]] == [(1, "sent", "ops@example.org")]


def test_refused_test_message_says_why_and_is_queued_again(tmp_path: Path, mail_to: SmtpServer) -> None:
    url = _db(tmp_path)
    runner = CliRunner()
    mail_to.refuse("554 5.7.1 Relay access denied")
    refused = runner.invoke(main, ["mail", "send-test", "--db", url, "--to", "ops@example.org"])
    assert refused.exit_code == 1
    assert "failed: message 1 to ops@example.org (554 5.7.1 Relay access denied)" in refused.output
    listed = runner.invoke(main, ["mail", "outbox", "--db", url, "--state", "failed"])
    assert "554 5.7.1 Relay access denied" in listed.output
    again = runner.invoke(main, ["mail", "retry", "--db", url, "--id", "1"])
    assert again.exit_code == 0 and "queued again: 1" in again.output
    drained = runner.invoke(main, ["mail", "send-queued", "--db", url])
    assert drained.output.strip() == "sent 1  retry 0  failed 0  taken 0"
    assert [m.rcpt_tos for m in mail_to.wait_for(1)] == [["ops@example.org"]]
    twice = runner.invoke(main, ["mail", "retry", "--db", url, "--id", "1"])
    assert twice.exit_code == 2
