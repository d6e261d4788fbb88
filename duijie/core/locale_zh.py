"""Chinese for the strings of the ground floor (web glue, errors); merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Please log in first.": "请先登录。",
    "The server is busy. Please try again in a few seconds.": "服务器繁忙，请稍候几秒再试。",
    "A value is out of range or too long.": "某个值超出范围或过长。",
    "The change was not saved: a required value is missing, a referenced record does not exist, or the record exists already.": "更改未保存：缺少必填值、引用的记录不存在，或该记录已存在。",
    "This request must come from this site's own pages.": "此请求必须来自本站页面。",
    "Send the data as JSON (Content-Type: application/json).": "请以 JSON 格式发送数据（Content-Type: application/json）。",
    "%(v)s is above the largest amount accepted (10万亿元, 10 trillion yuan)": "%(v)s 超过可接受的最大金额（10万亿元）",
    "%(v)s has fractions of a fen (at most two decimal places)": "%(v)s 含有不足一分的零头（最多两位小数）",
    "%(v)s is not an amount": "%(v)s 不是金额",
    "%(v)s is not an id": "%(v)s 不是有效的编号",
    "%(v)s is outside the dates accepted (%(first)s to %(last)s)": "%(v)s 超出可接受的日期范围（%(first)s 至 %(last)s）",
    "The text contains a control character (U+%(code)04X) at position %(at)s; remove it.": "文字在第 %(at)s 个字符处含有控制字符（U+%(code)04X），请删除。",
    "The text is too long: %(n)s characters, at most %(max)s.": "文字过长：共 %(n)s 个字符，最多 %(max)s 个。",
    "The worker stopped responding; the job was queued again.": "执行任务的工作进程已无响应，任务已重新排队。",
    "The worker running this job stopped responding %(n)s times; nothing was written.": "执行此任务的工作进程已 %(n)s 次无响应，未写入任何结果。",
    "The job was cancelled; nothing was written.": "任务已取消，未写入任何结果。",
    "No such kind of job: %(kind)s": "没有这种任务：%(kind)s",
    "This field cannot be emptied; leave it out to keep its value.": "该字段不能清空；如需保留原值，请不要提交该字段。",
    "Skip to content": "跳到正文",
}
