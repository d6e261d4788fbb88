"""Files that would take the server down are refused before they are read: a zip bomb (an .xlsx whose parts
inflate far beyond their size), a workbook of too many parts, too many rows, an oversized CSV file. Each refusal
names the limit, in the request's language, on the web page and on the command line (exit code 2)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core import sheets
from duijie.core.sheets import SheetTooLarge, read_file
from tests import factories
from tests.conftest import csrf_of, in_english, login

MB = 1024 * 1024


def _bomb(gigabytes: int = 1) -> bytes:
    """A 'workbook' of about 1 MB whose shared strings inflate to `gigabytes` GB of one repeated character,
    written in 1 MB pieces so that making it never holds more than one piece."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            piece = b"a" * MB
            for _ in range(1024 * gigabytes):
                part.write(piece)
    return buf.getvalue()


def _workbook(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["项目编号", "项目名称"])
    for n in range(rows):
        ws.append([f"R-{n}", f"项目{n}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb()


def test_a_zip_bomb_is_refused_before_any_large_allocation(bomb: bytes) -> None:
    assert len(bomb) < 2 * MB
    tracemalloc.start()
    try:
        with pytest.raises(SheetTooLarge) as refused:
            read_file("bomb.xlsx", bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * MB
    assert refused.value.message == "工作簿解压后超过 200 MB，请拆分成较小的文件。"


def test_a_part_compressed_beyond_the_ratio_is_refused_even_under_the_total() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * (20 * MB))
    with pytest.raises(SheetTooLarge) as refused:
        read_file("dense.xlsx", buf.getvalue())
    assert "100" in refused.value.message and "xl/sharedStrings.xml" in refused.value.message


def test_a_workbook_of_too_many_parts_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for n in range(sheets.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"xl/part{n}.xml", "<x/>")
    with pytest.raises(SheetTooLarge) as refused:
        read_file("parts.xlsx", buf.getvalue())
    assert str(sheets.MAX_ZIP_MEMBERS) in refused.value.message


def test_an_ordinary_workbook_passes_the_checks() -> None:
    (sheet,) = read_file("ok.xlsx", _workbook(3))
    assert [cells[:2] for _n, cells in sheet.rows] == [["R-0", "项目0"], ["R-1", "项目1"], ["R-2", "项目2"]]


def test_too_many_rows_are_refused_in_a_csv_file_and_a_workbook() -> None:
    rows = sheets.MAX_ROWS + 1
    csv_data = ("项目编号,项目名称\n" + "".join(f"R-{n},项目\n" for n in range(rows))).encode()
    with pytest.raises(SheetTooLarge) as csv_refused:
        read_file("rows.csv", csv_data)
    assert csv_refused.value.message == "文件超过 100,000 行，请拆分成较小的文件。"
    exactly = ("项目编号,项目名称\n" + "".join(f"R-{n},项目\n" for n in range(rows - 1))).encode()
    assert len(read_file("rows.csv", exactly)[0].rows) == sheets.MAX_ROWS
    with pytest.raises(SheetTooLarge):
        read_file("rows.xlsx", _workbook(rows))


def test_an_oversized_csv_file_is_refused_unread() -> None:
    data = b"x" * (sheets.MAX_CSV_BYTES + 1)
    with pytest.raises(SheetTooLarge) as refused:
        read_file("big.csv", data)
    assert refused.value.message == "CSV 文件超过 50 MB。"


def test_the_web_import_refuses_a_bomb_on_its_page_in_the_pages_language(
    client: TestClient, db: Session, bomb: bytes
) -> None:
    account = factories.account(db, role="organiser")
    login(client, account.username, factories.PASSWORD)
    token = csrf_of(client, "/import")
    refused = client.post("/import", data={"csrf": token}, files={"file": ("bomb.xlsx", bomb)})
    assert refused.status_code == 413
    assert "工作簿解压后超过 200 MB" in refused.text and 'data-testid="import-error"' in refused.text
    with in_english(client):
        english = client.post("/import", data={"csrf": token}, files={"file": ("bomb.xlsx", bomb)})
    assert english.status_code == 413 and "unpacks to more than 200 MB" in english.text


def test_the_import_command_refuses_a_bomb_with_exit_code_2(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    result = CliRunner().invoke(main, ["import", "--db", str(tmp_path / "empty.db"), str(path)])
    assert result.exit_code == 2 and "200 MB" in result.output
