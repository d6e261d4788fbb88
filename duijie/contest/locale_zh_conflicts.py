"""Chinese for withdrawing a declared conflict of interest (pages, API and command line); merged by
`make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "No such conflict: %(id)s": "没有编号为 %(id)s 的回避记录",
    "Only the organiser and the judge concerned may withdraw this conflict.": "只有主办方和相关评委可以撤回此回避声明。",
    "Only a declared conflict can be withdrawn; a detected one is found again by the next detection.": (
        "只能撤回自行声明的回避；系统识别的回避在下次识别时会再次出现。"
    ),
    "Scores are already submitted for this entry, so its assignment is locked; ask the organiser to withdraw the conflict.": (
        "该项目已有评审提交评分，分配已锁定；请联系主办方撤回此回避声明。"
    ),
    "The conflict is withdrawn; the pair may be assigned from the next assignment run on.": (
        "回避声明已撤回；下次运行分配时，该评委可能被分配评审此项目。"
    ),
    "Withdraw the conflict with %(code)s": "撤回与 %(code)s 的回避声明",
    "Withdraw": "撤回",
    "Only the judges of this contest have a review page here.": "只有本届大赛的评委才有评审页面。",
    "Judge %(judge)s has no conflict with entry %(code)s.": "评委 %(judge)s 与项目 %(code)s 之间没有回避记录。",
}
