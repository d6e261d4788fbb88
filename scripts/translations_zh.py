"""Chinese translations of the interface, merged into duijie/locale/zh_CN/LC_MESSAGES/messages.po.

Run `make messages` after adding `_()` strings: it extracts the catalogue template and merges this table into
the .po file; the test suite fails if a string used by a page has no Chinese translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ZH: dict[str, str | tuple[str, ...]] = {
    "%(num)s deal": ("共 %(num)s 项",),
    "%(num)s project": ("共 %(num)s 个项目",),
    "A project cannot go from %(a)s to %(b)s.": "项目不能从“%(a)s”直接变为“%(b)s”。",
    "All categories": "全部类别",
    "All districts": "全部区域",
    "All events": "全部活动",
    "All industries": "全部产业",
    "All released projects": "全部发布项目",
    "All stages": "全部阶段",
    "All states": "全部状态",
    "Amount": "金额",
    "Amount (e.g. 1.5亿, 15000万 or 150000000)": "金额（如 1.5亿、15000万 或 150000000）",
    "Amount signed": "签约金额",
    "Amount, largest first": "金额从高到低",
    "Amount, smallest first": "金额从低到高",
    "Apply": "筛选",
    "Back to the events": "返回活动首页",
    "By district": "按区域",
    "By industry": "按产业",
    "Cancel": "取消",
    "Category": "类别",
    "Check policy eligibility": "政策匹配自测",
    "Clear": "清除",
    "Contact": "联系方式",
    "Contact e-mail": "联系邮箱",
    "Contact person": "联系人",
    "Contact phone": "联系电话",
    "Country": "国家/地区",
    "Deal": "项目",
    "Deals": "签约项目",
    "Deals on this project": "本项目的洽谈与签约",
    "Demo accounts are printed when the demo starts (organiser, haidian, enterprise, investor, judge).": "演示账户在启动演示时打印（organiser、haidian、enterprise、investor、judge）。",
    "District": "区域",
    "Each figure the organiser published, next to the same figure summed from the records on this platform.": "主办方公布的每项数字，与本平台依据记录汇总得出的同一数字并列对照。",
    "Edit": "编辑",
    "Edit project": "编辑项目",
    "Estimated: the source reports only the total of several projects.": "估算：报道仅公布了多个项目的合计金额。",
    "Event": "活动",
    "Events": "活动",
    "Events within": "下设活动",
    "Export": "导出",
    "Figure": "指标",
    "Figures are the sums of the records shown.": "页面所示数字均由平台记录汇总得出。",
    "Figures published for this event": "本活动公布的数字",
    "Filters": "筛选条件",
    "From the records": "记录汇总",
    "Generated sample data": "生成的示例数据",
    "HTTP API": "开放接口（API）",
    "Headline figures": "核心数据",
    "History": "变更记录",
    "In negotiation": "洽谈中",
    "Industries": "产业领域",
    "Industry": "产业",
    "Invest Beijing: projects, matchmaking and deals": "投资北京：项目发布、精准对接与签约落地",
    "Investment projects": "招商项目",
    "Kind": "类型",
    "Log in": "登录",
    "Log in to see the contact for this project.": "登录后可查看项目联系方式。",
    "Log out": "退出",
    "Main": "主导航",
    "Matchmaking": "精准对接",
    "Meetings": "洽谈",
    "Name": "名称",
    "Name (Chinese)": "名称（中文）",
    "Name (English)": "名称（英文）",
    "Next": "下一页",
    "No deal matches these filters.": "没有符合条件的项目。",
    "No project matches these filters.": "没有符合条件的项目。",
    "No such deal: %(id)s": "未找到签约项目：%(id)s",
    "No such organisation: %(id)s": "未找到机构：%(id)s",
    "No such project: %(id)s": "未找到项目：%(id)s",
    "Not allowed": "无权操作",
    "Not found": "页面不存在",
    "Only the organiser and the district that owns this project may edit it.": "只有主办方和项目所属区可以编辑该项目。",
    "Owner": "发布单位",
    "Page %(page)s of %(pages)s": "第 %(page)s / %(pages)s 页",
    "Pages": "分页",
    "Parties": "签约各方",
    "Password": "密码",
    "Planned amount": "计划金额",
    "Previous": "上一页",
    "Project": "项目",
    "Project number": "项目编号",
    "Projects": "项目",
    "Projects released": "发布项目",
    "Projects signed": "签约项目",
    "Published": "公布数",
    "Published figures and the records": "公布数字与记录核对",
    "Recognitions": "资质认定",
    "Released at": "发布活动",
    "Released projects": "发布项目",
    "Released projects by category": "发布项目分类统计",
    "Save": "保存",
    "Search projects": "搜索项目",
    "Search projects, organisations, policies": "搜索项目、机构、政策",
    "Signed deals": "签约项目",
    "Signed on": "签约日期",
    "Something needs fixing": "请修改后重试",
    "Sort by": "排序",
    "Source": "来源",
    "Stage": "阶段",
    "Status": "状态",
    "Summary": "项目简介",
    "Summary (Chinese)": "简介（中文）",
    "Summary (English)": "简介（英文）",
    "The form has expired. Reload the page and try again.": "表单已过期，请刷新页面后重试。",
    "The platform behind the Zhongguancun Forum's investment summits: published projects, 1:1 consultations, "
    "signed deals and policy packages, with every figure computed from its records.": "服务中关村论坛投资促进活动的平台：项目发布、一对一洽谈、重大项目签约与政策服务包，每一个数字都可追溯到具体记录。",
    "Theme": "主题",
    "This page does not exist.": "您访问的页面不存在。",
    "Total of released projects": "招商总额",
    "Username": "用户名",
    "Wrong username or password.": "用户名或密码错误。",
    "You do not have permission to do this.": "您没有执行此操作的权限。",
    "You may not move a project into a district you do not manage.": "不能把项目移到您不负责的区域。",
    "differs": "不一致",
    "duijie · Investment and innovation matchmaking": "对接 · 投资促进与科技创新对接平台",
    "estimate": "估算",
    "generated sample data": "生成的示例数据",
    "marks generated sample data; every other record cites the news report it comes from.": "表示生成的示例数据；其余记录均注明所依据的新闻报道。",
    "matches": "一致",
    "on stage": "现场签约",
    "open source": "开源",
    "projects": "个项目",
    "sample": "示例",
    "sourced": "有出处",
}


def module_tables(package: Path) -> dict[str, str | tuple[str, ...]]:
    """The tables feature modules keep next to their code (`duijie/<module>/locale_zh.py`, or several
    `locale_zh_<part>.py` when parts of a module are written apart; each a dict `ZH`)."""
    import importlib.util

    merged: dict[str, str | tuple[str, ...]] = {}
    for path in sorted(package.glob("*/locale_zh*.py")):
        spec = importlib.util.spec_from_file_location(f"locale_zh_{path.parent.name}_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        merged.update(module.ZH)
    return merged


def merge(pot_path: Path, po_path: Path) -> list[str]:
    """Write the zh_CN catalogue from the template and the tables; return msgids still untranslated."""
    table = {**ZH, **module_tables(pot_path.parent.parent)}
    with pot_path.open("rb") as fh:
        template = read_po(fh)
    catalog = Catalog(locale="zh_CN", project="duijie", fuzzy=False)
    missing = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        value = table.get(key)
        if value is None:
            missing.append(key)
        if isinstance(message.id, tuple):
            forms = value if isinstance(value, tuple) else ((value,) if value else ("",))
            catalog.add(message.id, string=tuple(forms[:1]), context=message.context)
        else:
            catalog.add(message.id, string=value if isinstance(value, str) else "", context=message.context)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=120, omit_header=False, sort_output=True)
    return missing


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent / "duijie" / "locale"
    missing = merge(root / "messages.pot", root / "zh_CN" / "LC_MESSAGES" / "messages.po")
    for key in missing:
        print(f"untranslated: {key}", file=sys.stderr)
    sys.exit(1 if missing else 0)
