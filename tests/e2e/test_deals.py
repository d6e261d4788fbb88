"""Browser journeys of the deals issue: importing a workbook through the preview, and the industry map."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.e2e.helpers import login

pytestmark = pytest.mark.browser



def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["项目编号", "项目名称", "产业", "区域", "金额", "活动"])
    ws.append(["E2E-001", "浏览器导入的园区项目", "人工智能", "海淀区", "1.5亿", "invest-beijing-2024"])
    ws.append(["E2E-002", "金额写错的项目", "人工智能", "海淀区", "很多", "invest-beijing-2024"])
    ws.append(["invest-beijing-2024-P001", "改名的发布项目", None, None, None, None])
    wb.save(path)
    return path


def test_import_previews_changes_and_errors_then_imports_the_valid_rows(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(f"{live_server}/import")
    page.set_input_files("[data-testid=file]", str(_workbook(tmp_path / "sheet.xlsx")))
    page.click("[data-testid=preview]")
    expect(page.locator("[data-testid=import-report] h2")).to_contain_text("变更预览")
    expect(page.locator("[data-testid=count-created]")).to_have_text("1")
    expect(page.locator("[data-testid=count-updated]")).to_have_text("1")
    expect(page.locator("[data-testid=count-errors]")).to_have_text("1")
    expect(page.locator("[data-testid=errors] li")).to_have_text(
        ["项目!3:金额 — 很多 不是金额（请写作 1.5亿、15000万 或 150000000）"]
    )
    expect(page.locator("[data-testid=preview-table]")).to_contain_text("浏览器导入的园区项目")
    expect(page.locator("[data-testid=preview-table]")).to_contain_text("title_zh:")
    page.check("[data-testid=valid-only]")
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=import-report] h2")).to_contain_text("已导入")
    expect(page.locator("[data-testid=count-created]")).to_have_text("1")
    page.goto(f"{live_server}/projects?q=浏览器导入")
    expect(page.locator("body")).to_contain_text("浏览器导入的园区项目")


def _click_geo(page: Page, lng: float, lat: float) -> None:
    """Click the map where the longitude/latitude falls, as a visitor's mouse would."""
    box = page.locator("#district-map").bounding_box()
    assert box is not None
    x, y = page.evaluate(
        "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('district-map'))"
        ".convertToPixel({geoIndex: 0}, [lng, lat])",
        [lng, lat],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_map_colours_districts_and_clicks_through_to_projects_and_policies(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/map?event=invest-beijing-2024&measure=projects")
    expect(page.locator("#district-map canvas").first).to_be_visible()
    colours = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('district-map')).getOption().series[0].data.length"
    )
    assert colours == 16
    _click_geo(page, 116.2, 40.03)  # inside 海淀区, away from the city-centre districts
    page.wait_for_url("**district=*")
    assert unquote(page.url).endswith("district=海淀区")
    expect(page.locator("[data-testid=district-panel] h2")).to_have_text("海淀区")
    expect(page.locator("[data-testid=district-policies]")).to_have_attribute(
        "href", "/policies?district=%E6%B5%B7%E6%B7%80%E5%8C%BA"
    )
    page.goto(f"{live_server}/map?event=invest-beijing-2024&measure=projects")
    expect(page.locator("#district-map canvas").first).to_be_visible()
    _click_geo(page, 116.51, 39.79)  # the Development Area's own marker
    page.wait_for_url("**district=*")
    assert unquote(page.url).endswith("district=北京经济技术开发区")
    expect(page.locator("[data-testid=district-projects]")).to_have_attribute(
        "href",
        "/projects?district=%E5%8C%97%E4%BA%AC%E7%BB%8F%E6%B5%8E%E6%8A%80%E6%9C%AF%E5%BC%80%E5%8F%91%E5%8C%BA&event=invest-beijing-2024",
    )
