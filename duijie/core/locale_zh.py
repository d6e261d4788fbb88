"""Chinese for the strings of the ground floor (web glue, errors); merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Please log in first.": "请先登录。",
    "The server is busy. Please try again in a few seconds.": "服务器繁忙，请稍候几秒再试。",
    "A value is out of range or too long.": "某个值超出范围或过长。",
    "The change was not saved: a required value is missing, a referenced record does not exist, or the record exists already.": "更改未保存：缺少必填值、引用的记录不存在，或该记录已存在。",
    "This request must come from this site's own pages.": "此请求必须来自本站页面。",
    "Send the data as JSON (Content-Type: application/json).": "请以 JSON 格式发送数据（Content-Type: application/json）。",
    "The worker stopped responding; the job was queued again.": "执行任务的工作进程已无响应，任务已重新排队。",
    "The worker running this job stopped responding %(n)s times; nothing was written.": "执行此任务的工作进程已 %(n)s 次无响应，未写入任何结果。",
    "The job was cancelled; nothing was written.": "任务已取消，未写入任何结果。",
    "No such kind of job: %(kind)s": "没有这种任务：%(kind)s",
}
