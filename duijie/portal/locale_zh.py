"""Chinese for the strings of the portal's pages; merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Welcome to duijie": "欢迎使用对接平台",
    "No event has been published yet. Once the organiser publishes a forum or a summit, its projects, deals and "
    "figures appear here.": "尚未发布任何活动。主办方发布论坛或峰会后，其项目、签约和数据将显示在这里。",
    "duijie runs a city's innovation forum and investment summit: projects, 1:1 matchmaking meetings, deals, policies and contests.": "对接平台服务于城市的创新论坛和投资大会：项目发布、一对一洽谈、签约、政策和大赛。",
    "What to do next": "下一步",
    "Create the first organiser account: the person who runs the programme.": "创建第一个主办方账户，由其统筹全部活动。",
    "Create your account": "创建账户",
    "Create your first event on the events page, then invite the people who take part.": "在活动页面创建第一个活动，然后邀请参与者。",
    "Create your first event (a forum, a summit, a trading event or a contest) and publish it.": "创建第一个活动（论坛、大会、交易活动或大赛）并发布。",
    "Go to the events page": "前往活动页面",
    "Invite the organisers, districts, enterprises, investors and judges who take part.": "邀请参与的主办方、区政府/园区、企业、投资机构和评委。",
    "Your account is ready. The events you take part in appear here once they are published.": "您的账户已就绪。您参加的活动发布后会显示在这里。",
    "Organisers: sign in and create your first event at the events page.": "主办方：登录后在活动页面创建第一个活动。",
    "Enterprises and investors: sign up and wait for the organiser's approval.": "企业和投资机构：注册后等待主办方审核。",
    "%(num)s parallel forum": ("%(num)s 场平行论坛",),
    "%(num)s day": ("会期 %(num)s 天",),
    "All sessions": "全部活动场次",
}
