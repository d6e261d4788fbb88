"""Chinese translations of the policy pages' interface strings, merged into the catalogue by `make messages`."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    "%(e)s of %(n)s apply": "%(n)s 项中符合 %(e)s 项",
    "%(num)s enterprise qualifies": ("符合条件的企业 %(num)s 家",),
    "%(num)s needs more facts": ("%(num)s 家需补充信息",),
    "%(num)s package": ("共 %(num)s 个政策包",),
    "%(num)s policy": ("%(num)s 项政策",),
    "%(num)s problem stops the policy from being saved.": ("有 %(num)s 处问题，政策暂不能保存。",),
    "%(u)s undetermined": "%(u)s 项待确定",
    "A list of cases: name, on (date), facts, expect: {outcome: eligible | not_eligible | undetermined, benefit}.": (
        "用例列表：name（名称）、on（日期）、facts（企业信息）、expect: {outcome: eligible | not_eligible | "
        "undetermined, benefit}。"
    ),
    "A new version must start after the current one (version %(n)s, from %(date)s).": (
        "新版本的生效日期须晚于现行版本（第 %(n)s 版，自 %(date)s 起施行）。"
    ),
    "Also list enterprises that lack a fact": "同时列出信息不全、尚待确定的企业",
    "Another policy already uses this identifier.": "该标识已被其他政策使用。",
    "Benefit": "支持方式",
    "Benefit kind": "支持方式",
    "Case": "用例",
    "Changing the rule, benefit, clauses, dates or test cases saves a new version; the version in force until "
    "then is closed the day before, so earlier decisions can still be explained.": (
        "修改规则、支持内容、条款、日期或测试用例将保存为新版本；原现行版本于新版本生效前一日终止，"
        "此前作出的判定仍可依原规则说明。"
    ),
    "Check eligibility": "开始自测",
    "Check my eligibility": "政策匹配自测",
    "Check whether your enterprise qualifies": "自测企业是否符合条件",
    "Choose among the listed values.": "请在所列选项中选择。",
    "Choose one of the districts.": "请选择所列区域之一。",
    "Choose one of the listed values.": "请选择所列选项之一。",
    "Choose one of the packages.": "请选择所列政策包之一。",
    "Choose the amount or quantity the benefit is computed from.": "请选择计算支持金额所依据的金额或数量指标。",
    "Choose what the enterprise receives.": "请选择企业可获得的支持方式。",
    "Choose yes or no.": "请选择“是”或“否”。",
    "Clauses": "政策条款",
    "Clauses (Chinese)": "政策条款（中文）",
    "Clauses (English)": "政策条款（英文）",
    "Date": "日期",
    "Decisions kept for the record": "已存档的判定结果",
    "Description (Chinese)": "说明（中文）",
    "Description (English)": "说明（英文）",
    "Each package tells an enterprise which policies it can use, what it would receive and what it still lacks. "
    "Rules are data: every decision comes with its reasons.": (
        "每个政策包都是企业用好政策的“说明书”：能享受哪些政策、可获得什么支持、还差哪些条件。"
        "申报条件以数据形式表达，每项判定均附理由。"
    ),
    "Edit policy": "编辑政策",
    "Eligibility rule (YAML or JSON)": "申报条件规则（YAML 或 JSON）",
    "Empty: open-ended.": "留空表示长期有效。",
    "Enterprise": "企业",
    "Estimated benefit": "预计支持金额",
    "Estimated benefit (yuan)": "预计收益（元）",
    "Evaluated on": "判定日期",
    "Evaluation date": "判定日期",
    "Expected": "预期结果",
    "Export CSV": "导出 CSV",
    "Export Excel": "导出 Excel",
    "Facts a rule can use": "规则可用的指标",
    "Figures": "经营指标",
    "Fill in what you know about the enterprise; leave the rest empty. Every policy then says whether it "
    "applies, why, what it would bring and which fact would change the answer.": (
        "请填写已掌握的企业信息，其余可留空。系统将逐项说明每项政策是否适用、依据何在、可获得多少支持，"
        "以及补充或改变哪项信息会影响结果。"
    ),
    "Fixed amount": "固定金额",
    "Formula: at most": "计算公式：最高",
    "Formula: computed from": "计算公式：依据指标",
    "Formula: rate": "计算公式：比例",
    "Give either a fixed amount or a formula, not both.": "固定金额与计算公式只能二选一。",
    "Give either facts or organisation_id.": "请提供 facts（企业信息）或 organisation_id（机构编号）之一。",
    "Give the date from which this version applies (YYYY-MM-DD).": "请填写本版本的施行日期（YYYY-MM-DD）。",
    "Give the policy's name in Chinese.": "请填写政策的中文名称。",
    "Identifier": "标识",
    "In force": "现行版本",
    "In force from": "施行日期",
    "In force until": "截止日期",
    "In words": "规则释义",
    "Issuer": "发布单位",
    "Issuer (Chinese)": "发布单位（中文）",
    "Issuer (English)": "发布单位（英文）",
    "Load": "载入",
    "Load an enterprise's stated facts": "载入企业已填报的信息",
    "Lower-case letters, digits and hyphens; it becomes the address of the page.": (
        "使用小写字母、数字和连字符，将作为政策页面的网址。"
    ),
    "Missing facts": "缺少的信息",
    "Need more facts": "需补充信息",
    "New policy": "新增政策",
    "No enterprise qualifies on this date with the facts on record.": "按现有企业信息，该日期下暂无符合条件的企业。",
    "No policy has been entered in this package yet.": "本政策包尚未录入政策。",
    "No such organisation: %(ref)s": "未找到机构：%(ref)s",
    "No such policy package: %(slug)s": "未找到政策包：%(slug)s",
    "No such policy: %(slug)s": "未找到政策：%(slug)s",
    "No test case yet.": "暂无测试用例。",
    "Not valid YAML or JSON (line %(line)s): %(problem)s": "不是有效的 YAML 或 JSON（第 %(line)s 行）：%(problem)s",
    "Only the enterprise itself and the organiser may change its facts.": "仅企业本身和主办方可修改企业信息。",
    "Only the enterprise itself and the organiser may see its eligibility decisions.": (
        "仅企业本身和主办方可查看该企业的政策判定结果。"
    ),
    "Only the organiser and district governments author policies.": "仅主办方和区政府可录入政策。",
    "Only the organiser may search enterprises for a policy.": "仅主办方可使用“政策找企业”。",
    "Other policies": "其他政策",
    "Outcome": "判定结果",
    "Package": "政策包",
    "Policies": "政策",
    "Policies that apply": "符合条件的政策",
    "Policy": "政策",
    "Policy self-check": "政策匹配自测",
    "Policy service packages": "政策服务包",
    "Profile": "基本情况",
    "Qualifications": "资质认定",
    "Reasons": "判定理由",
    "Result": "运行结果",
    "Save to the profile and keep the decisions": "保存至企业档案并存档判定结果",
    "Seen only by the enterprise itself and the organiser. Each names the version of the rules it was made "
    "under.": "仅企业本身和主办方可见。每项判定均注明所依据的规则版本。",
    "Test case %(n)s: %(message)s": "测试用例 %(n)s：%(message)s",
    "Test case “%(name)s” (%(on)s) expects %(expected)s but gives %(got)s.": (
        "测试用例“%(name)s”（%(on)s）预期为%(expected)s，实际为%(got)s。"
    ),
    "Test cases": "测试用例",
    "Test cases (YAML or JSON)": "测试用例（YAML 或 JSON）",
    "The draft is sound and its test cases pass; it can be saved.": "草稿校验通过，测试用例全部通过，可以保存。",
    "The facts checked": "本次自测所用的企业信息",
    "The facts were saved to the profile and the decisions kept for the record.": "企业信息已保存至档案，判定结果已存档。",
    "The rule as data": "规则数据",
    "The rule is checked when saved: an unknown fact, a type error or a comparison that can never hold is "
    "refused, pointing at its place in the rule. The test cases run on every save.": (
        "保存时将校验规则：使用未定义的指标、类型不符或永远无法成立的比较都会被拒绝，并指明出错位置。"
        "每次保存都会运行测试用例。"
    ),
    "The version cannot end before it starts.": "截止日期不能早于施行日期。",
    "Use 2 to 80 lower-case letters, digits and hyphens, e.g. hd-ai-compute.": (
        "请使用 2 至 80 个小写字母、数字或连字符，如 hd-ai-compute。"
    ),
    "Validate": "校验",
    "Version": "版本",
    "Version %(n)s": "第 %(n)s 版",
    "Versions": "版本沿革",
    "What the enterprise receives": "企业可获支持",
    "What would change it": "如何才能符合",
    "Which enterprises qualify": "政策找企业",
    "Who qualifies": "申报条件",
    "Why": "判定理由",
    "Worked examples that the rules must reproduce; they run every time the policy is saved and in the test "
    "suite.": "规则必须复现的示例，每次保存政策及运行测试时都会执行。",
    "Write a date as YYYY-MM-DD.": "请按 YYYY-MM-DD 格式填写日期。",
    "Write a number that is not negative.": "请填写不小于零的数值。",
    "Write a positive rate such as 10% (or yuan per unit, such as 1095).": "请填写正的比例，如 10%（或每单位金额，如 1095）。",
    "Write a ratio such as 5% or 0.05.": "请填写比例，如 5% 或 0.05。",
    "Write a whole number that is not negative.": "请填写不小于零的整数。",
    "Write an amount such as 2亿元, 500万元 or 1200000.": "请填写金额，如 2亿元、500万元 或 1200000。",
    'Write the eligibility rule, e.g. {all: [{fact: revenue, op: ">=", value: 2亿元}]}.': (
        '请填写申报条件规则，如 {all: [{fact: revenue, op: ">=", value: 2亿元}]}。'
    ),
    "Write the test cases as a list: name, on, facts and expect (outcome, benefit).": (
        "请以列表形式填写测试用例：name、on、facts 和 expect（outcome、benefit）。"
    ),
    "You may only author policies of your own district.": "只能录入本区的政策。",
    "You may only edit the policies of your own district.": "只能编辑本区的政策。",
    "all / any / not over conditions {fact, op, value}; operators == != < <= > >= in contains intersects; fn: "
    "age_years on a date.": (
        "以 all（全部满足）/ any（满足其一）/ not（不满足）组合条件 {fact, op, value}；运算符 == != < <= > >= "
        "in contains intersects；日期可用 fn: age_years 计算年限。"
    ),
    "e.g. 10%%": "如 10%%",
    "e.g. 100万元; or use a formula": "如 100万元；或使用计算公式",
    "e.g. 2亿元 or 500万元": "如 2亿元 或 500万元",
    "e.g. 5%%": "如 5%%",
    "e.g. 500万元": "如 500万元",
    "entered here": "平台录入",
    "estimated benefit %(amount)s in total": "预计支持金额合计 %(amount)s",
    "fact missing": "缺少信息",
    "facts from the enterprise's profile; change them to see what would happen": "信息取自企业档案，可修改后查看结果变化",
    "in force today": "现行有效",
    "met": "满足",
    "missed": "未满足",
    "no": "否",
    "not in force": "不在有效期内",
    "not stated": "未填报",
    "of %(n)s": "共 %(n)s 项",
    "open-ended": "长期有效",
    "passes": "通过",
    "undetermined": "待确定",
    "version %(n)s, %(start)s to %(end)s": "第 %(n)s 版，%(start)s 至 %(end)s",
    "where an amount can be computed": "仅计可测算金额的政策",
    "yes": "是",
    "— blank form —": "— 空白表单 —",
    "— city-wide —": "— 全市 —",
    "— no package —": "— 不归入政策包 —",
    "Only the organiser, the enterprise's district and the enterprise itself may see which policies may apply to it.": "仅主办方、企业所在区及企业本身可查看该企业可能适用的政策。",
    "Eligible on the facts given": "依已登记信息符合条件",
    "May fit, facts missing: reach out": "可能适用，待补充信息（建议对接）",
    "List": "名单",
    "Affinity": "匹配度",
    "Why it may fit": "推荐理由",
    "Policies that may apply to you": "您可能适用的政策",
    "Policies that may apply to this enterprise": "该企业可能适用的政策",
    "All suggestions": "查看全部推荐",
    "Policies the facts on record already qualify for come first, most benefit first; then those the facts cannot decide yet, closest to the enterprise first, with the facts still needed. Policies the rules exclude are left out.": "依据已登记信息即符合条件的政策列在前面，按预计支持金额从高到低排列；其后为现有信息尚不足以判定的政策，按与企业的匹配度从高到低排列，并注明尚需补充的信息。经规则判定不符合的政策不予列出。",
    "Eligible": "符合",
    "May apply": "可能适用",
    "Still needed: %(facts)s": "尚需补充：%(facts)s",
    "affinity %(score)s": "匹配度 %(score)s",
    "No policy in force fits the facts on record, or every one is ruled out by them.": "暂无与已登记信息相符的现行政策，或现行政策均已判定为不符合。",
    "Policy suggestions": "政策推荐",
    "Which policies may apply to an enterprise: the rules decide on the facts it has given, and the matching engine says which of the rest are closest to what it does, so that it knows which facts to give first.": "查看企业可能适用的政策：已提供的信息由政策规则作出判定；其余政策由匹配引擎按与企业业务的相关程度排序，便于企业确定优先补充哪些信息。",
    "Enterprise (identifier or number)": "企业（标识或编号）",
    "district not stated": "未填报所在区",
    "evaluated on %(day)s": "判定日期 %(day)s",
    "Choose an enterprise to see the policies that may apply to it.": "请选择企业，查看其可能适用的政策。",
    "List every enterprise that may fit, not only the closest %(n)s": "列出全部可能适用的企业（默认仅列匹配度最高的 %(n)s 家）",
    "%(num)s may fit once it gives its facts": ("另有 %(num)s 家补充信息后可能符合",),
    "Enterprises that may fit but have not given their facts yet": "可能适用但尚未提供相关信息的企业",
    "The facts on record cannot decide this policy for them. They are ranked by how close they are to it — industry, district, shared terms — so that the closest can be approached first and asked for the missing facts.": "这些企业的已登记信息尚不足以判定是否符合本政策。现按其与政策的匹配度（产业、区域、共同术语）排序，便于优先对接匹配度最高的企业，请其补充所缺信息。",
    "The closest %(shown)s of %(total)s": "共 %(total)s 家，列出匹配度最高的 %(shown)s 家",
    "%(num)s enterprise": ("共 %(num)s 家",),
    "Still needed": "尚需补充",
    "Other policies that may apply": "该企业可能适用的其他政策",
    "Every enterprise's facts on record decide this policy; there is no one to ask for more.": "所有企业的已登记信息均可对本政策作出判定，暂无需补充信息的企业。",
    "%(fact)s cannot be later than today.": "%(fact)s不能晚于今天。",
}
