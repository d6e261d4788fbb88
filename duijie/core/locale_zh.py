"""Chinese for the strings of the ground floor (web glue, errors); merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Please log in first.": "请先登录。",
    "The server is busy. Please try again in a few seconds.": "服务器繁忙，请稍候几秒再试。",
}
