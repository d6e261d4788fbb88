"""Chinese for the strings of events; merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "There is no event “%(slug)s”.": "没有名为“%(slug)s”的活动。",
}
