"""Chinese for the strings of events; merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "There is no event “%(slug)s”.": "没有名为“%(slug)s”的活动。",
    # set-up rules (events.editing, events.figures)
    "%(v)s is not a date (write 2024-04-25)": "%(v)s 不是日期（请写作 2024-04-25）",
    "%(v)s is not a number (write 5000 or 1434.5).": "%(v)s 不是数字（请写作 5000 或 1434.5）。",
    "%(v)s is not a time zone; write its IANA name, such as Asia/Shanghai or Europe/Berlin.": (
        "%(v)s 不是有效的时区，请填写 IANA 时区名称，如 Asia/Shanghai 或 Europe/Berlin。"
    ),
    "A contest holds its final during “%(parent)s”: its end date must lie from %(start)s to %(end)s.": (
        "大赛的决赛在“%(parent)s”期间举行：结束日期须在 %(start)s 至 %(end)s 之间。"
    ),
    "An event cannot sit inside itself.": "活动不能设在其自身之下。",
    "A forum stands on its own: it cannot sit inside another event.": "论坛是独立的活动，不能设在其他活动之下。",
    "A published event keeps its address; unpublish it to change the slug.": (
        "已发布活动的网址不能更改；如需修改标识，请先撤回为草稿。"
    ),
    "Choose one of: %(allowed)s.": "请从以下选项中选择：%(allowed)s。",
    "Events inside this one are published (%(names)s); take them back to draft first.": (
        "本活动下设的活动已发布（%(names)s），请先将其撤回为草稿。"
    ),
    "Fill in this field.": "请填写此项。",
    "Name the document a reader can look up (title, publisher, date) or give its web address, not a file name.": (
        "请填写读者可以查到的出处（文章标题、发布单位、日期）或网址，而不是文件名。"
    ),
    "Only a draft can be deleted: take the event back to draft first.": "只能删除草稿：请先将活动撤回为草稿。",
    "Only an organiser of the whole programme creates top-level events.": "只有全市活动的主办方才能创建顶层活动。",
    "Publish “%(parent)s” first: an event inside a draft cannot be published.": (
        "请先发布“%(parent)s”：设在草稿活动下的活动不能发布。"
    ),
    "The event already has a figure “%(key)s”.": "本活动已有标识为“%(key)s”的公布数字。",
    "The event cannot be deleted: it holds %(records)s. Remove those first, or keep it as a draft.": (
        "无法删除该活动：其下还有%(records)s。请先删除这些记录，或将活动保留为草稿。"
    ),
    "The event cannot end (%(end)s) before it starts (%(start)s).": "活动的结束日期（%(end)s）不能早于开始日期（%(start)s）。",
    "The event cannot go from %(a)s to %(b)s.": "活动不能从“%(a)s”变为“%(b)s”。",
    "The event has no published figure “%(key)s”.": "本活动没有标识为“%(key)s”的公布数字。",
    "The event is held during “%(parent)s”: its dates must lie from %(start)s to %(end)s.": (
        "本活动在“%(parent)s”期间举行：日期须在 %(start)s 至 %(end)s 之间。"
    ),
    "The slug “%(slug)s” is taken by another event.": "标识“%(slug)s”已被其他活动使用。",
    "The text is too long: %(n)s characters, at most %(max)s.": "文字过长：共 %(n)s 个字符，最多 %(max)s 个。",
    "This event holds other events (%(names)s); only a forum can hold events.": (
        "本活动下设其他活动（%(names)s），只有论坛可以下设活动。"
    ),
    "Use lower-case letters, digits and hyphens (such as invest-beijing-2025), at most 80.": (
        "请使用小写字母、数字和连字符（如 invest-beijing-2025），最多 80 个字符。"
    ),
    "Use lower-case letters, digits and underscores, starting with a letter (such as signed_amount).": (
        "请使用小写字母、数字和下划线，并以字母开头（如 signed_amount）。"
    ),
    "Write at least two characters.": "请至少填写两个字。",
    "Write at most two decimals.": "最多保留两位小数。",
    "You do not organise “%(name)s”.": "您不是“%(name)s”的主办方。",
    "“%(child)s” (%(start)s to %(end)s) is held inside this event and would fall outside its dates; "
    "change that event first.": "“%(child)s”（%(start)s 至 %(end)s）设在本活动之下，将超出本活动的日期；请先调整该活动。",
    "“%(name)s” is not a forum: events are held inside a forum.": "“%(name)s”不是论坛：活动只能设在论坛之下。",
    # what holds an event (the refusal to delete it)
    "events inside it": "下设活动",
    "account roles": "账户角色",
    "achievement releases": "成果发布",
    "agenda sessions": "议程",
    "awards": "奖项",
    "contest entries": "参赛项目",
    "contest fields": "赛道",
    "contest regions": "赛区",
    "contest rounds": "评审轮次",
    "deals": "对接项目",
    "exhibitors": "参展单位",
    "invitations": "邀请",
    "judges": "评委",
    "matchmaking results": "匹配结果",
    "meeting participants": "洽谈参会方",
    "meeting requests": "洽谈申请",
    "meeting tables": "洽谈桌位",
    "meeting time slots": "洽谈时段",
    "meetings": "洽谈",
    "policy packages": "政策服务包",
    "projects": "项目",
    "registrations": "报名",
    "rooms": "会场",
    "check-ins": "签到记录",
    "programme tracks": "议程专题",
    "registration categories": "报名类别",
    "speaker profiles": "嘉宾资料",
    # the set-up pages
    "A summit, trading event or contest held during a forum sits inside it.": "论坛期间举办的峰会、技术交易活动或大赛设在该论坛之下。",
    "Actions": "操作",
    "Add": "添加",
    "Add a figure": "添加公布数字",
    "Add an event inside it": "在本论坛下添加活动",
    "Address (slug)": "网址标识",
    "As printed: 超, 约, 余": "按原文填写：超、约、余",
    "Back to draft": "撤回为草稿",
    "Cancel": "取消",
    "City": "城市",
    "Create the event": "创建活动",
    "Dates": "日期",
    "Delete this draft": "删除此草稿",
    "Description (Chinese)": "说明（中文）",
    "Description (English)": "说明（英文）",
    "Draft: only the organisers of this event see it. Publish it when it is ready.": (
        "草稿：只有本活动的主办方可以看到。准备就绪后请发布。"
    ),
    "Edit": "编辑",
    "Edit event": "编辑活动",
    "Event": "活动",
    "Events inside this forum": "本论坛下设的活动",
    "First day": "开始日期",
    "Format": "活动形式",
    "Held inside the forum": "所属论坛",
    "IANA name, such as Asia/Shanghai.": "IANA 时区名称，如 Asia/Shanghai。",
    "Key": "标识",
    "Kind": "类型",
    "Label (Chinese)": "名称（中文）",
    "Label (English)": "名称（英文）",
    "Last day": "结束日期",
    "Lower-case letters, digits and hyphens; it makes the page address, such as /events/invest-beijing-2025.": (
        "小写字母、数字和连字符，用作活动页面的网址，如 /events/invest-beijing-2025。"
    ),
    "Manage events": "活动管理",
    "Name (Chinese)": "名称（中文）",
    "Name (English)": "名称（英文）",
    "New event": "新建活动",
    "New events start as drafts: only their organisers see them until they are published.": (
        "新建的活动为草稿，发布之前只有其主办方可以看到。"
    ),
    "No event yet. Create the first one: a forum, or a summit held on its own.": "还没有活动。请创建第一个活动：论坛，或独立举办的峰会。",
    "None yet.": "暂无。",
    "Public page": "公开页面",
    "Publish": "发布",
    "Publish at once (otherwise it is saved as a draft)": "立即发布（否则保存为草稿）",
    "Published figures": "公布数字",
    "Published: everyone sees this event on the public pages, in the API and in search.": (
        "已发布：所有人都可以在公开页面、接口和搜索中看到本活动。"
    ),
    "Qualifier": "修饰词",
    "Remove": "删除",
    "Save": "保存",
    "Saved.": "已保存。",
    "Source": "来源",
    "State": "状态",
    "Such as signed_amount.": "如 signed_amount。",
    "Such as: main forum, parallel sessions, signing ceremony.": "如：主论坛、平行论坛、签约仪式。",
    "The document a reader can look up (title, publisher, date) or its web address.": (
        "读者可以查到的出处（文章标题、发布单位、日期）或网址。"
    ),
    "The draft “%(slug)s” was deleted.": "草稿“%(slug)s”已删除。",
    "The event": "活动信息",
    "The figures the organiser announced (projects released, amount signed …), each with where it was published, "
    "so that the event page can check them against the records.": (
        "主办方公布的数字（发布项目数、签约金额……）及其出处，活动页面据此与平台记录核对。"
    ),
    "Theme (Chinese)": "主题（中文）",
    "Theme (English)": "主题（英文）",
    "Time zone": "时区",
    "Unit": "单位",
    "Value": "数值",
    "Venue": "地点",
    "You do not organise any event yet.": "您还没有主办任何活动。",
    "— none: a forum or an event on its own —": "— 无：论坛或独立举办的活动 —",
    "个, 家, 亿元 …": "个、家、亿元……",
}
