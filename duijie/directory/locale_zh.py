"""Chinese for the strings of accounts and sign-in; merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Too many failed sign-ins. Try again in %(minutes)s minutes.": "登录失败次数过多，请 %(minutes)s 分钟后再试。",
    "The password needs at least %(n)s characters.": "密码至少需要 %(n)s 个字符。",
    "This password is among the most commonly used ones; choose another.": "该密码属于最常用的密码之一，请另选一个。",
    "The password must not contain the user name.": "密码不能包含用户名。",
}
