"""Chinese for the strings of the portal's pages; merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Welcome to duijie": "欢迎使用对接平台",
    "No event has been published yet. Once the organiser publishes a forum or a summit, its projects, deals and "
    "figures appear here.": "尚未发布任何活动。主办方发布论坛或峰会后，其项目、签约和数据将显示在这里。",
}
