"""What the generated part of the demo programme (示例数据) is made of: the venue's rooms, the tracks, the
subjects of parallel forums and talks per track, the shapes of a forum's half day, and the parts of synthetic
speakers' names, organisations and titles. Every text has its Chinese and English form."""

from __future__ import annotations

# The venue: key -> (name_zh, name_en, capacity, interpretation, floor_zh, floor_en). The order is the order of
# the timetable's columns; the busiest day opens the first 20 (the off-site venue only for what is held there).
ROOMS: dict[str, tuple[str, str, int, bool, str, str]] = {
    "main": ("主会场", "Main Hall", 1800, True, "一层", "Level 1"),
    "hall": ("多功能厅", "Multi-function Hall", 800, True, "一层", "Level 1"),
    "intl": ("国际会议厅", "International Conference Hall", 600, True, "二层", "Level 2"),
    "a": ("平行论坛A厅", "Parallel Forum Hall A", 450, True, "二层", "Level 2"),
    "b": ("平行论坛B厅", "Parallel Forum Hall B", 450, True, "二层", "Level 2"),
    "c": ("平行论坛C厅", "Parallel Forum Hall C", 400, True, "二层", "Level 2"),
    "d": ("平行论坛D厅", "Parallel Forum Hall D", 350, False, "三层", "Level 3"),
    "e": ("平行论坛E厅", "Parallel Forum Hall E", 300, False, "三层", "Level 3"),
    "f": ("平行论坛F厅", "Parallel Forum Hall F", 300, False, "三层", "Level 3"),
    "release": ("发布厅", "Press and Release Hall", 300, True, "一层", "Level 1"),
    "roadshow": ("路演厅", "Roadshow Hall", 250, False, "一层", "Level 1"),
    "signing": ("签约厅", "Signing Hall", 200, True, "二层", "Level 2"),
    **{
        f"r{n}": (f"会议室{n}", f"Meeting Room {n}", cap, n in (301, 302), f"{str(n)[0]}层",
                  f"Level {str(n)[0]}")
        for n, cap in ((301, 200), (302, 180), (303, 160), (304, 150), (305, 120), (306, 120), (401, 100),
                       (402, 100))
    },
    "park": ("中关村软件园会场", "Zhongguancun Software Park Venue", 300, False, "园区", "Off-site"),
}  # fmt: skip
OFFSITE = frozenset({"park"})

# Tracks: name_zh, name_en, the industries their sessions are about (None: no single industry).
TRACKS: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("人工智能", "Artificial Intelligence", ("人工智能",)),
    ("生命健康", "Life Sciences and Health", ("医药健康", "生物科技")),
    ("集成电路", "Integrated Circuits", ("集成电路",)),
    ("先进制造", "Advanced Manufacturing", ("智能制造与装备", "机器人", "新材料")),
    ("绿色低碳", "Green and Low-Carbon", ("绿色能源与节能环保", "新能源智能汽车")),
    ("数字经济", "Digital Economy", ("软件和信息服务", "新一代信息技术")),
    ("未来产业", "Future Industries", ("量子信息", "商业航天", "低空经济", "智能网联汽车")),
    ("前沿科学", "Frontier Science", (None,)),
    ("技术交易", "Technology Trading", ("科技服务",)),
    ("科技金融", "Science, Technology and Finance", ("科技服务",)),
    ("开放合作", "Open Cooperation", (None,)),
    ("创新创业", "Innovation and Entrepreneurship", ("科技服务",)),
)

# Per track: the subjects its parallel forums and talks are about (zh, en).
SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "人工智能": (("大模型", "Large Models"), ("具身智能", "Embodied Intelligence"), ("可信人工智能", "Trustworthy AI"),
                ("人工智能治理", "AI Governance"), ("智能体", "AI Agents"), ("多模态智能", "Multimodal Intelligence"),
                ("人工智能+制造", "AI in Manufacturing"), ("人工智能+医疗", "AI in Healthcare")),
    "生命健康": (("创新药", "Innovative Drugs"), ("脑科学与脑机接口", "Brain Science and Brain-Computer Interfaces"),
                ("细胞与基因治疗", "Cell and Gene Therapy"), ("合成生物", "Synthetic Biology"),
                ("高端医疗器械", "High-end Medical Devices"), ("精准医学", "Precision Medicine"),
                ("数字健康", "Digital Health")),
    "集成电路": (("芯片设计", "Chip Design"), ("先进封装", "Advanced Packaging"), ("RISC-V生态", "The RISC-V Ecosystem"),
                ("第三代半导体", "Wide-bandgap Semiconductors"), ("光电芯片", "Photonic Chips"),
                ("算力芯片", "Computing Chips")),
    "先进制造": (("人形机器人", "Humanoid Robots"), ("工业互联网", "Industrial Internet"), ("智能工厂", "Smart Factories"),
                ("高端装备", "High-end Equipment"), ("新材料", "New Materials"), ("增材制造", "Additive Manufacturing")),
    "绿色低碳": (("新型储能", "New Energy Storage"), ("氢能", "Hydrogen Energy"), ("碳捕集利用与封存", "Carbon Capture, "
                "Utilisation and Storage"), ("绿色建筑", "Green Buildings"), ("新能源汽车", "New-energy Vehicles"),
                ("零碳园区", "Zero-carbon Parks"), ("气候变化应对", "Responding to Climate Change")),
    "数字经济": (("数据要素", "Data as a Factor of Production"), ("数字孪生城市", "Digital Twin Cities"),
                ("开源生态", "Open-source Ecosystems"), ("隐私计算", "Privacy-preserving Computation"),
                ("工业软件", "Industrial Software"), ("数字贸易", "Digital Trade"), ("算力网络", "Computing Networks")),
    "未来产业": (("量子计算", "Quantum Computing"), ("商业航天", "Commercial Space"), ("低空经济", "The Low-altitude "
                "Economy"), ("6G通信", "6G Communications"), ("自动驾驶", "Autonomous Driving"),
                ("元宇宙", "The Metaverse")),
    "前沿科学": (("基础研究", "Basic Research"), ("大科学装置", "Large Research Facilities"),
                ("天文与空间科学", "Astronomy and Space Science"), ("聚变能源", "Fusion Energy"),
                ("科学智能", "AI for Science"), ("交叉学科", "Interdisciplinary Science")),
    "技术交易": (("技术转移", "Technology Transfer"), ("知识产权运营", "IP Commercialisation"),
                ("概念验证", "Proof of Concept"), ("技术经理人", "Technology Managers"),
                ("跨境技术交易", "Cross-border Technology Trading")),
    "科技金融": (("耐心资本", "Patient Capital"), ("硬科技投资", "Hard-tech Investment"), ("科创板", "The STAR Market"),
                ("天使投资", "Angel Investment"), ("科技保险", "Technology Insurance")),
    "开放合作": (("国际科技合作", "International Science and Technology Cooperation"), ("一带一路创新合作",
                "Belt and Road Innovation Cooperation"), ("外资研发中心", "Foreign R&D Centres"),
                ("科技园区合作", "Science Park Cooperation"), ("全球创新网络", "Global Innovation Networks")),
    "创新创业": (("青年科学家", "Young Scientists"), ("科技女性", "Women in Science and Technology"),
                ("孵化器", "Incubators"), ("专精特新企业", "Specialised and Innovative SMEs"),
                ("独角兽企业", "Unicorn Companies"), ("大学生创业", "Student Entrepreneurship")),
}  # fmt: skip

# How a parallel forum on a subject is named: (zh with {s}, en with {s}).
FORUM_FORMS: tuple[tuple[str, str], ...] = (
    ("{s}论坛", "Forum on {s}"),
    ("{s}创新发展论坛", "{s} Innovation and Development Forum"),
    ("{s}国际研讨会", "International Symposium on {s}"),
    ("{s}产业对接会", "{s} Industry Matchmaking Session"),
    ("{s}青年科学家论坛", "Young Scientists Forum on {s}"),
    ("{s}闭门研讨会", "Closed-door Seminar on {s}"),
    ("{s}前沿峰会", "Frontier Summit on {s}"),
    ("{s}应用场景发布会", "{s} Application Scenarios Showcase"),
)
# A keynote's angle on a subject.
TALK_FORMS: tuple[tuple[str, str], ...] = (
    ("{s}的技术路线与产业化", "{s}: technology roadmap and industrialisation"),
    ("{s}的前沿进展", "Frontier advances in {s}"),
    ("{s}从实验室走向市场", "Taking {s} from the laboratory to the market"),
    ("{s}的关键挑战", "Key challenges of {s}"),
    ("{s}的国际合作机遇", "International cooperation opportunities in {s}"),
    ("北京{s}发展实践", "Developing {s} in Beijing"),
    ("{s}与新质生产力", "{s} and new quality productive forces"),
    ("{s}的标准与治理", "Standards and governance of {s}"),
)
PANEL_FORMS: tuple[tuple[str, str], ...] = (
    ("圆桌对话：{s}的下一个十年", "Panel: the next decade of {s}"),
    ("圆桌对话：{s}如何走向规模应用", "Panel: taking {s} to scale"),
    ("圆桌对话：{s}的创新生态", "Panel: the innovation ecosystem of {s}"),
    ("圆桌对话：资本眼中的{s}", "Panel: {s} as investors see it"),
)
RELEASE_FORMS: tuple[tuple[str, str], ...] = (
    ("《{s}发展报告（{y}）》发布", "Release of the {s} Development Report ({y})"),
    ("{s}创新成果发布", "Release of innovations in {s}"),
    ("{s}应用场景清单发布", "Release of the {s} application scenario list"),
)
SIGNING_FORMS: tuple[tuple[str, str], ...] = (
    ("{s}合作项目集中签约", "Signing of {s} cooperation projects"),
    ("{s}产业联盟成立仪式", "Launch of the {s} industry alliance"),
)
ROADSHOW_FORMS: tuple[tuple[str, str], ...] = (
    ("{s}前沿项目路演", "{s} frontier project roadshow"),
    ("{s}初创企业路演", "{s} start-up roadshow"),
)
OPENING_ZH = "开幕致辞与嘉宾介绍。"
OPENING_EN = "Welcome addresses and introductions."

# Parts of synthetic Chinese names: family names (most frequent first) and characters of given names.
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静磊洋勇艳杰娟涛明超秀霞平刚桂英华玲丹萍鹏辉宇浩凯健俊帆帅旭宁琳雪晨阳欣怡睿哲嘉子涵梓轩思远"
    "博文一诺雨泽俊熙志强海燕建国晓光立新振华永红卫东春梅秋菊冬梅晓峰亚楠佳琪梦瑶天佑昊然若曦"
)
# Synthetic foreign names: (given, its Chinese transliteration), (family, transliteration).
FOREIGN_GIVEN: tuple[tuple[str, str], ...] = (
    ("James", "詹姆斯"), ("Anna", "安娜"), ("Sophie", "索菲"), ("Luca", "卢卡"), ("David", "戴维"),
    ("Maria", "玛丽亚"), ("Thomas", "托马斯"), ("Laura", "劳拉"), ("Michael", "迈克尔"), ("Elena", "埃琳娜"),
    ("Peter", "彼得"), ("Sarah", "萨拉"), ("Daniel", "丹尼尔"), ("Julia", "朱莉娅"), ("Martin", "马丁"),
    ("Emma", "埃玛"), ("Lars", "拉尔斯"), ("Olga", "奥尔加"), ("Ahmed", "艾哈迈德"), ("Priya", "普丽娅"),
)  # fmt: skip
FOREIGN_FAMILY: tuple[tuple[str, str], ...] = (
    ("Schmidt", "施密特"), ("Miller", "米勒"), ("Rossi", "罗西"), ("Fischer", "菲舍尔"), ("Brown", "布朗"),
    ("Wilson", "威尔逊"), ("Taylor", "泰勒"), ("Dubois", "杜布瓦"), ("Novak", "诺瓦克"), ("Nielsen", "尼尔森"),
    ("Garcia", "加西亚"), ("Costa", "科斯塔"), ("Kowalski", "科瓦尔斯基"), ("Hansen", "汉森"), ("Weber", "韦伯"),
    ("Moreau", "莫罗"), ("Bianchi", "比安基"), ("Evans", "埃文斯"), ("Clarke", "克拉克"), ("Larsen", "拉森"),
)  # fmt: skip

# Synthetic organisations for speakers beyond the directory's companies and investors:
# (slug, name_zh, name_en, kind, country).
SPEAKER_ORGS: tuple[tuple[str, str, str, str, str], ...] = (
    ("forum-univ-1", "京北大学（示例）", "Jingbei University (sample)", "university", "CN"),
    ("forum-univ-2", "燕京理工大学（示例）", "Yanjing Institute of Technology (sample)", "university", "CN"),
    ("forum-univ-3", "华东科技大学（示例）", "East China University of Science (sample)", "university", "CN"),
    ("forum-univ-4", "西南交通科技大学（示例）", "Southwest University of Transport Science (sample)", "university",
     "CN"),
    ("forum-univ-5", "中原医科大学（示例）", "Zhongyuan Medical University (sample)", "university", "CN"),
    ("forum-univ-6", "海淀信息科技大学（示例）", "Haidian University of Information Science (sample)", "university",
     "CN"),
    ("forum-inst-1", "京西人工智能研究院（示例）", "Jingxi Institute for Artificial Intelligence (sample)", "institute",
     "CN"),
    ("forum-inst-2", "北方生命科学研究所（示例）", "Northern Institute of Life Sciences (sample)", "institute", "CN"),
    ("forum-inst-3", "未来能源研究院（示例）", "Future Energy Research Institute (sample)", "institute", "CN"),
    ("forum-inst-4", "先进集成电路研究中心（示例）", "Advanced Integrated Circuits Research Centre (sample)",
     "institute", "CN"),
    ("forum-inst-5", "量子前沿研究院（示例）", "Quantum Frontier Institute (sample)", "institute", "CN"),
    ("forum-inst-6", "空天信息研究所（示例）", "Institute of Aerospace Information (sample)", "institute", "CN"),
    ("forum-inst-7", "智能制造创新中心（示例）", "Intelligent Manufacturing Innovation Centre (sample)", "institute",
     "CN"),
    ("forum-inst-8", "数字经济研究院（示例）", "Digital Economy Research Institute (sample)", "institute", "CN"),
    ("forum-assoc-1", "中关村示例产业联盟", "Zhongguancun Sample Industry Alliance", "association", "CN"),
    ("forum-assoc-2", "京津冀技术转移协会（示例）", "Jing-Jin-Ji Technology Transfer Association (sample)",
     "association", "CN"),
    ("forum-assoc-3", "青年科技工作者协会（示例）", "Young Scientists Association (sample)", "association", "CN"),
    ("forum-intl-1", "湖滨理工学院（示例）", "Lakeside Institute of Technology (sample)", "university", "US"),
    ("forum-intl-2", "莱茵大学（示例）", "Rhineland University (sample)", "university", "DE"),
    ("forum-intl-3", "北海研究中心（示例）", "North Sea Research Centre (sample)", "institute", "DK"),
    ("forum-intl-4", "阿尔卑斯创新研究所（示例）", "Alpine Institute for Innovation (sample)", "institute", "CH"),
    ("forum-intl-5", "泰晤士科技政策研究院（示例）", "Thames Institute for Science Policy (sample)", "institute", "GB"),
    ("forum-intl-6", "南洋创新联盟（示例）", "Nanyang Innovation Alliance (sample)", "association", "SG"),
    ("forum-intl-7", "地中海科技园区协会（示例）", "Mediterranean Science Parks Association (sample)", "association",
     "IT"),
)  # fmt: skip

# The job titles synthetic speakers hold, by kind of organisation (zh, en).
TITLES_BY_KIND: dict[str, tuple[tuple[str, str], ...]] = {
    "enterprise": (("董事长", "Chairman"), ("首席执行官", "CEO"), ("总经理", "General Manager"),
                   ("副总裁", "Vice President"), ("首席技术官", "CTO"), ("首席科学家", "Chief Scientist"),
                   ("创始人", "Founder"), ("研发总监", "R&D Director")),
    "investor": (("创始合伙人", "Founding Partner"), ("合伙人", "Partner"), ("投资总监", "Investment Director"),
                 ("董事总经理", "Managing Director")),
    "university": (("教授", "Professor"), ("副教授", "Associate Professor"), ("院长", "Dean"),
                   ("讲席教授", "Chair Professor")),
    "institute": (("研究员", "Research Fellow"), ("副研究员", "Associate Research Fellow"), ("所长", "Director"),
                  ("首席科学家", "Chief Scientist")),
    "association": (("理事长", "President"), ("秘书长", "Secretary-General"), ("副理事长", "Vice President")),
}  # fmt: skip
# What a synthetic bio adds after the speaker's field (zh, en).
BIO_CLOSES: tuple[tuple[str, str], ...] = (
    ("主持和参与多项国家级科研项目", "has led and taken part in several national research programmes"),
    ("在国际期刊发表论文数十篇", "has published dozens of papers in international journals"),
    ("带领团队完成多轮融资", "has led the team through several financing rounds"),
    ("推动多项技术成果在京落地转化", "has brought several technologies to market in Beijing"),
    ("担任多个行业组织的专家委员", "serves on the expert committees of several industry bodies"),
)
