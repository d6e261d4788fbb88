"""The sessions, people and organisations of the 2023 and 2024 Zhongguancun Forums that the source documents
name, each with the seed file it comes from (its provenance).

What the reports say is kept as they say it: a session's name and day where the report gives them, the people
it quotes speaking there with the titles it gives them. Where a report names a session but not its day or
hour, the programme places it (the row still cites its source: the session is real, its slot is the demo's).
Nobody is put on a session the report does not put them on; a session the report names without speakers has
none. English forms are the organisations' own where they publish one, otherwise faithful translations; names
of people are in pinyin, family name first, except the two whose English name is their own (Robin Li, Ardem
Patapoutian).
"""

from __future__ import annotations

from dataclasses import dataclass

from duijie.core.demo_kit import SRC_2023, SRC_2024, SRC_FORUM_2023

S000, S001, S002 = SRC_2023, SRC_2024, SRC_FORUM_2023

# Organisations of the named speakers: key -> (slug of an organisation the demo already has, or None;
# name_zh, name_en, kind, country, source). With a slug the existing record is used.
ORGS: dict[str, tuple[str | None, str, str, str, str, str]] = {
    "gov-beijing": ("gov-beijing", "北京市人民政府", "Beijing Municipal People's Government", "government", "CN", S000),
    "baidu": (None, "百度", "Baidu, Inc.", "enterprise", "CN", S002),
    "westlake": (None, "西湖大学", "Westlake University", "university", "CN", S002),
    "hhmi": (None, "霍华德·休斯医学研究所", "Howard Hughes Medical Institute", "institute", "US", S002),
    "pmo": (None, "中国科学院紫金山天文台", "Purple Mountain Observatory, Chinese Academy of Sciences", "institute",
            "CN", S002),
    "cas": (None, "中国科学院", "Chinese Academy of Sciences", "institute", "CN", S000),
    "ipe": (None, "中国科学院过程工程研究所", "Institute of Process Engineering, Chinese Academy of Sciences",
            "institute", "CN", S000),
    "nea": (None, "国家能源局", "National Energy Administration", "government", "CN", S000),
    "bjpc": (None, "北京市人大常委会", "Standing Committee of the Beijing Municipal People's Congress", "government",
             "CN", S000),
    "most": (None, "科学技术部", "Ministry of Science and Technology", "government", "CN", S000),
    "bjstc": (None, "北京市科委、中关村管委会",
              "Beijing Municipal Science and Technology Commission / Zhongguancun Administrative Committee",
              "government", "CN", S000),
    "torch": (None, "科技部火炬中心", "Torch High Technology Industry Development Center, MOST", "government", "CN",
              S000),
    "xa-htz": (None, "西安高新区", "Xi'an High-tech Industries Development Zone", "park", "CN", S000),
    "zgc-startup": (None, "中关村高科技创业促进中心", "Zhongguancun High-tech Entrepreneurship Promotion Center",
                    "association", "CN", S002),
    "dp-tech": (None, "北京深势科技有限公司", "Beijing DP Technology Co., Ltd.", "enterprise", "CN", S002),
    "zgc-sci-city": (None, "中关村科学城管委会", "Zhongguancun Science City Administrative Committee", "government",
                     "CN", S002),
    "bj-cppcc": (None, "北京市政协", "Beijing Municipal Committee of the CPPCC", "government", "CN", S001),
    "cas-holdings": (None, "中国科学院控股有限公司", "Chinese Academy of Sciences Holdings Co., Ltd.", "enterprise",
                     "CN", S001),
}  # fmt: skip

# The people: key -> (name_zh, name_en or None for pinyin, organisation key, source of the person).
PEOPLE: dict[str, tuple[str, str | None, str, str]] = {
    "li-yanhong": ("李彦宏", "Robin Li", "baidu", S002),
    "shi-yigong": ("施一公", None, "westlake", S002),
    "patapoutian": ("阿德姆·帕塔普蒂安", "Ardem Patapoutian", "hhmi", S002),
    "gan-weiqun": ("甘为群", None, "pmo", S002),
    "yu-yingjie": ("于英杰", None, "gov-beijing", S002),
    "zhan-wenlong": ("詹文龙", None, "cas", S000),
    "zhu-qingshan": ("朱庆山", None, "ipe", S000),
    "yin-hejun": ("阴和俊", None, "cas", S000),
    "xiang-haiping": ("向海平", None, "nea", S000),
    "yu-jun": ("于军", None, "bjpc", S000),
    "wu-zhaohui": ("吴朝晖", None, "most", S000),
    "zhang-jihong": ("张继红", None, "bjstc", S000),
    "lyu-xianzhi": ("吕先志", None, "torch", S000),
    "ma-xianping": ("马鲜萍", None, "xa-htz", S000),
    "xia-linmao": ("夏林茂", None, "gov-beijing", S000),
    "xu-jian": ("徐剑", None, "zgc-startup", S002),
    "liu-huishi": ("刘会师", None, "dp-tech", S002),
    "wu-kai": ("武凯", None, "zgc-sci-city", S002),
    "lu-yan": ("卢彦", None, "bj-cppcc", S001),
    "yang-jianhua": ("杨建华", None, "cas-holdings", S001),
}


@dataclass(frozen=True)
class Role:
    """What a named person was at one forum, as the report gives it, and what the report says they said."""

    title_zh: str
    title_en: str
    bio_zh: str
    bio_en: str


# Per forum (2023, 2024): person key -> their title then and the gist of what the report quotes.
ROLES: dict[int, dict[str, Role]] = {
    2023: {
        "li-yanhong": Role("百度创始人、董事长兼首席执行官", "Founder, Chairman and CEO, Baidu",
                           "在论坛全体会议上谈人工智能：人工智能成为人类创新的焦点，第四次工业革命的标志就是人工智能。",
                           "At the plenary, on artificial intelligence as the focus of human innovation and the "
                           "mark of a fourth industrial revolution."),
        "shi-yigong": Role("中国科学院院士、西湖大学校长",
                           "Academician of the Chinese Academy of Sciences; President, Westlake University",
                           "认为顶尖人才只有进行更充分交流，才能给世界带来更好的科学和技术。",
                           "Top talent must exchange more fully to bring the world better science and technology."),
        "patapoutian": Role("2021年诺贝尔生理学或医学奖获得者、克利夫兰研究所教授、霍华德·休斯医学研究所研究员",
                            "2021 Nobel Laureate in Physiology or Medicine; Professor, Scripps Research; "
                            "Investigator, Howard Hughes Medical Institute",
                            "谈科技领域的竞争与合作：真理让我们紧密相连而不是让我们分离。",
                            "On competition and cooperation in science: truth binds us together rather than "
                            "separating us."),
        "gan-weiqun": Role("中国科学院紫金山天文台研究员",
                           "Research Fellow, Purple Mountain Observatory, Chinese Academy of Sciences",
                           "在重大科技成果发布环节介绍“夸父卫星在轨获得世界一流天基太阳硬X射线图像”。",
                           "Presented the Kuafu-1 satellite's world-class space-based solar hard X-ray images "
                           "at the release of major achievements."),
        "yu-yingjie": Role("北京市副市长", "Vice Mayor of Beijing",
                           "在世界领先科技园区发展论坛上表示，科技园区是全球创新体系中的重要功能节点。",
                           "At the World-leading Science Parks Development Forum: science parks are key nodes of "
                           "the global innovation system."),
        "zhan-wenlong": Role("中国科学院院士", "Academician of the Chinese Academy of Sciences",
                             "核能将有效助力实现“双碳”目标，并有望成为未来我国电力系统的基荷能源。",
                             "Nuclear power will help reach the carbon peak and neutrality goals and may become "
                             "the base load of China's power system."),
        "zhu-qingshan": Role("中国科学院过程工程研究所副所长",
                             "Deputy Director, Institute of Process Engineering, Chinese Academy of Sciences",
                             "钢铁超低碳技术的发展对实现“双碳”目标具有非常重要的意义。",
                             "Ultra-low-carbon steel technology matters greatly for the carbon goals."),
        "yin-hejun": Role("中国科学院副院长、党组副书记",
                          "Vice President and Deputy Party Secretary, Chinese Academy of Sciences",
                          "介绍中科院“发电端”“消费端”“固碳端”三端发力的路线图和技术研发体系。",
                          "Presented the Academy's roadmap acting on generation, consumption and carbon capture."),
        "xiang-haiping": Role("国家能源局总工程师", "Chief Engineer, National Energy Administration",
                              "要坚持创新在我国能源发展全局中的核心地位，加快推进能源技术革命。",
                              "Innovation must stay at the core of China's energy development."),
        "yu-jun": Role("北京市人大常委会副主任、秘书长",
                       "Vice Chair and Secretary-General, Standing Committee of the Beijing Municipal People's "
                       "Congress",
                       "未来5年到10年，将围绕“双碳”关键核心技术攻关与成果转化推动相关工作。",
                       "Over the next five to ten years Beijing will push key carbon-neutrality technologies and "
                       "their transfer."),
        "wu-zhaohui": Role("科技部副部长", "Vice Minister of Science and Technology",
                           "作为我国首家科技园区，中关村探索出了一条具有中国特色的高新技术产业发展道路。",
                           "Zhongguancun, China's first science park, found a Chinese path for high-tech industry."),
        "zhang-jihong": Role("北京市科委、中关村管委会党组书记、主任",
                             "Party Secretary and Director, Beijing Municipal Science and Technology Commission "
                             "and Zhongguancun Administrative Committee",
                             "用一组数字印证中关村在创新引领方面的实力：制度创新是中关村持续领跑的核心密码。",
                             "Institutional innovation is the core of Zhongguancun's lead."),
        "lyu-xianzhi": Role("科技部火炬中心党委书记", "Party Secretary, Torch High Technology Industry Development "
                            "Center, Ministry of Science and Technology",
                            "国家高新区具备世界领先科技园区的建设基础。",
                            "China's national high-tech zones are ready to become world-leading science parks."),
        "ma-xianping": Role("西安市委常委、西安高新区党组书记",
                            "Member of the Standing Committee of the CPC Xi'an Municipal Committee; Party "
                            "Secretary, Xi'an High-tech Zone",
                            "通过“揭榜挂帅”机制，西安高新区已经涌现出158项“硬科技”技术和产品。",
                            "Open competition for key projects has produced 158 hard-tech technologies and "
                            "products in the Xi'an High-tech Zone."),
        "xia-linmao": Role("北京市委常委、常务副市长",
                           "Member of the Standing Committee of the CPC Beijing Municipal Committee; Executive "
                           "Vice Mayor of Beijing",
                           "诚邀世界各地的朋友们来京创新创业、投资兴业，共享发展机遇。",
                           "Invited friends from all over the world to innovate and invest in Beijing."),
        "xu-jian": Role("中关村高科技创业促进中心主任",
                        "Director, Zhongguancun High-tech Entrepreneurship Promotion Center",
                        "介绍本届大赛共吸引海内外2500余个项目参赛，涵盖15个领域的127条细分赛道。",
                        "The contest drew over 2,500 projects in 127 tracks of 15 fields."),
        "liu-huishi": Role("北京深势科技有限公司政企事务副总裁",
                           "Vice President for Government Affairs, Beijing DP Technology",
                           "夺得大赛冠军的深势科技代表：前沿引领意味着始终站在科技发展的最前沿。",
                           "For the champion, DP Technology: leading the frontier means staying at its edge."),
        "wu-kai": Role("中关村科学城管委会副主任、海淀区副区长",
                       "Deputy Director, Zhongguancun Science City Administrative Committee; Deputy Mayor of "
                       "Haidian District",
                       "介绍北京中关村综合保税区在创新中规划建设，创新是其“显性基因”。",
                       "Presented the Zhongguancun Comprehensive Bonded Zone, planned around innovation."),
    },
    2024: {
        "lu-yan": Role("北京市政协副主席", "Vice Chair, Beijing Municipal Committee of the CPPCC",
                       "介绍大会通过企业分享、政策和区域推介、咨询洽谈等形式展示北京投资环境和发展机遇。",
                       "Presented Beijing's investment environment through company talks, policy and district "
                       "presentations and consultations."),
        "yang-jianhua": Role("中国科学院经管委办公室主任，中国科学院控股有限公司党委书记、董事长",
                             "Director, Office of the Economic Management Committee, CAS; Party Secretary and "
                             "Chairman, Chinese Academy of Sciences Holdings",
                             "今年前沿科技大赛有来自海内外的3000多个项目报名参赛，体现了我国开放创新生态的吸引力。",
                             "Over 3,000 projects from home and abroad entered, showing the pull of China's open "
                             "innovation ecosystem."),
        "yu-yingjie": Role("北京市委常委、教育工委书记",
                           "Member of the Standing Committee of the CPC Beijing Municipal Committee; Secretary, "
                           "Municipal Education Work Committee",
                           "北京将不断优化创新办赛机制，努力打造高水平国际前沿技术交流窗口。",
                           "Beijing will keep improving the contest to make it a window on frontier technology."),
    },
}  # fmt: skip


@dataclass(frozen=True)
class Named:
    """A session a report names. `day` is the forum's day (1 = first); `start`/`end` local wall-clock "HH:MM";
    `room` a room key of the venue (`vocabulary.ROOMS`); `people` (person key, role) in order."""

    year: int
    day: int
    start: str
    end: str
    room: str
    kind: str
    track: str | None
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    source: str
    people: tuple[tuple[str, str], ...] = ()
    language: str = "zh"
    mode: str = "offline"


NAMED: tuple[Named, ...] = (
    # 2023 (25-30 May): the plenary, the achievements released, the parallel forums and activities named.
    Named(2023, 1, "09:00", "09:45", "main", "plenary", None, "开幕式", "Opening Ceremony",
          "2023中关村论坛开幕，年度主题“开放合作·共享未来”。",
          "The 2023 Zhongguancun Forum opens under the theme Open Cooperation for a Shared Future.",
          S002, language="zh+en", mode="hybrid"),
    Named(2023, 1, "10:00", "12:00", "main", "plenary", None, "全体会议", "Plenary Session",
          "国内外嘉宾围绕前沿科技趋势与开放合作发表演讲。", "Speakers from China and abroad on frontier technology "
          "trends and open cooperation.", S002,
          (("shi-yigong", "speaker"), ("li-yanhong", "speaker"), ("patapoutian", "speaker")), "zh+en", "hybrid"),
    Named(2023, 1, "14:00", "15:30", "main", "release", "前沿科学", "重大科技成果发布",
          "Release of Major Scientific and Technological Achievements",
          "30余项重大科技成果发布，包括“夸父卫星在轨获得世界一流天基太阳硬X射线图像”、下一代云化开放无线网络新空口试验验证平台、"
          "30微米厚度柔性可折叠玻璃、深脑成像微型化三光子显微镜等。",
          "More than 30 major achievements released, among them the Kuafu-1 satellite's solar hard X-ray images, "
          "30-micron foldable glass and a miniature three-photon deep-brain microscope.",
          S002, (("gan-weiqun", "speaker"),), "zh+en", "hybrid"),
    Named(2023, 1, "15:45", "16:30", "main", "release", "前沿科学", "新一代量子计算云平台发布",
          "Release of the New-generation Quantum Computing Cloud Platform",
          "北京量子信息科学研究院发布国内规模最大、单芯片比特数最高的量子计算云平台，操控和读取精度超过98%。",
          "The Beijing Academy of Quantum Information Sciences releases China's largest quantum computing cloud "
          "platform, with control and readout fidelity above 98%.", S002, language="zh+en", mode="hybrid"),
    Named(2023, 2, "09:00", "12:00", "hall", "parallel_forum", "绿色低碳", "第二届碳达峰碳中和科技论坛",
          "2nd Forum on Science and Technology for Carbon Peaking and Carbon Neutrality",
          "平行论坛，围绕“碳达峰碳中和关键科技发展创新”话题开展深入交流。",
          "Parallel forum on key technologies for carbon peaking and carbon neutrality.", S000,
          (("yin-hejun", "speaker"), ("yu-jun", "speaker"), ("xiang-haiping", "speaker"),
           ("zhan-wenlong", "speaker"), ("zhu-qingshan", "speaker"))),
    Named(2023, 2, "14:00", "17:00", "intl", "signing", "开放合作", "投资北京全球峰会", "Invest Beijing Global Summit",
          "首次在中关村论坛期间举办：发布152个招商引资项目，签约39个重大项目，发布10个招商引资“政策服务包”。",
          "Held during the forum for the first time: 152 projects released, 39 major projects signed, ten policy "
          "service packages.", S000, (("xia-linmao", "speaker"),), "zh+en", "hybrid"),
    Named(2023, 3, "09:00", "12:00", "a", "parallel_forum", "数字经济", "全球数字化应用创新论坛",
          "Global Digital Application Innovation Forum", "本届论坛平行论坛之一。",
          "One of the forum's parallel forums.", S002),
    Named(2023, 3, "14:00", "17:30", "a", "parallel_forum", "数字经济", "世界开源创新发展论坛",
          "World Open Source Innovation and Development Forum", "本届论坛平行论坛之一。",
          "One of the forum's parallel forums.", S002),
    Named(2023, 3, "09:00", "12:00", "b", "parallel_forum", "技术交易", "中关村论坛技术经理人大会",
          "Zhongguancun Forum Technology Managers Conference",
          "中关村国际技术交易大会的技术交易主题活动之一。",
          "A technology trading event of the Zhongguancun International Technology Trading Conference.", S002),
    Named(2023, 3, "14:00", "15:00", "release", "release", "创新创业", "《全球城市人才黏性指数报告(2022)》发布",
          "Release of the Global Cities Talent Stickiness Index Report (2022)",
          "北京人才发展战略研究院和北京大学光华管理学院联合发布，北京综合得分全球第六。",
          "Released by the Beijing Institute for Talent Development Strategy and Peking University's Guanghua "
          "School of Management: Beijing ranks sixth worldwide.", S002),
    Named(2023, 4, "09:00", "12:00", "main", "contest_final", "创新创业",
          "第六届中关村国际前沿科技创新大赛总决赛",
          "Final of the 6th Zhongguancun International Frontier Technology Innovation Contest",
          "以“前沿引领，共创未来”为主题，2500余个项目参赛，涵盖15个领域的127条细分赛道；北京深势科技有限公司夺得冠军。",
          "Theme: Frontier-led, Creating the Future Together. Over 2,500 projects in 127 tracks of 15 fields; "
          "Beijing DP Technology won.", S002, (("xu-jian", "speaker"), ("liu-huishi", "speaker")),
          "zh+en", "hybrid"),
    Named(2023, 4, "09:00", "12:00", "b", "parallel_forum", "技术交易", "全球技术交易生态伙伴大会",
          "Global Technology Trading Ecosystem Partners Conference",
          "中关村国际技术交易大会的技术交易主题活动之一。",
          "A technology trading event of the Zhongguancun International Technology Trading Conference.", S002),
    Named(2023, 4, "14:00", "17:30", "b", "parallel_forum", "技术交易", "世界知名高校技术转移发展大会",
          "Conference on Technology Transfer at World-renowned Universities",
          "中关村国际技术交易大会的技术交易主题活动之一。",
          "A technology trading event of the Zhongguancun International Technology Trading Conference.", S002,
          language="zh+en"),
    Named(2023, 4, "14:00", "17:30", "hall", "parallel_forum", "前沿科学", "2023中国科幻大会",
          "2023 China Science Fiction Convention",
          "首次纳入中关村论坛，以“飞向科幻未来”为主题。", "Part of the forum for the first time; theme: Flying to "
          "the Science-Fiction Future.", S002),
    Named(2023, 5, "09:00", "11:30", "hall", "parallel_forum", "开放合作", "世界领先科技园区发展论坛",
          "World-leading Science Parks Development Forum",
          "由北京市政府、科技部、国际科技园及创新区域协会联合主办。",
          "Co-hosted by the Beijing Municipal Government, the Ministry of Science and Technology and the "
          "International Association of Science Parks and Areas of Innovation.", S000,
          (("wu-zhaohui", "speaker"), ("yu-yingjie", "speaker"), ("zhang-jihong", "speaker"),
           ("lyu-xianzhi", "speaker"), ("ma-xianping", "speaker")), "zh+en", "hybrid"),
    Named(2023, 5, "11:30", "12:00", "hall", "release", "开放合作",
          "《中国国家高新区开放创新发展报告(2021)》发布",
          "Release of the Report on Open Innovation in China's National High-tech Zones (2021)",
          "科技部火炬中心发布，系统分析国家高新区发展的总体情况。",
          "Released by the Torch Center of the Ministry of Science and Technology.", S000),
    Named(2023, 6, "09:00", "10:00", "release", "release", "开放合作",
          "中关村论坛发布会：北京中关村综合保税区获批",
          "Press Conference: the Zhongguancun Comprehensive Bonded Zone Approved",
          "全国首个以研发创新为特色的综合保税区正式获批同意设立。",
          "China's first comprehensive bonded zone built around research and development is approved.", S002,
          (("wu-kai", "speaker"),)),
    Named(2023, 6, "14:00", "17:00", "park", "signing", "技术交易", "“智慧农业”国际合作专场活动",
          "Smart Agriculture International Cooperation Session",
          "北京蜜农集团有限公司和北京强盛分析仪器有限公司就智慧养蜂系统项目达成合作，多个智慧农业项目现场签约。",
          "Beijing Minong Group and Beijing Qiangsheng Analytical Instruments sign a smart beekeeping project; "
          "several smart agriculture projects signed.", S002),
    # 2024 (25-29 April): the opening with its ten achievements, the investment conference, the contest final.
    Named(2024, 1, "09:00", "10:30", "main", "plenary", None, "开幕式", "Opening Ceremony",
          "2024中关村论坛年会开幕，年度主题“创新：建设更加美好的世界”。",
          "The 2024 Zhongguancun Forum opens under the theme Innovation: Building a Better World.", S001,
          language="zh+en", mode="hybrid"),
    Named(2024, 1, "10:30", "11:30", "main", "release", "前沿科学", "十项重大科技成果发布",
          "Release of Ten Major Scientific and Technological Achievements",
          "开幕式上发布：转角菱方氮化硼光学晶体、300兆瓦级F级重型燃气轮机、通用智能机器人“通通”、最短轨道周期脉冲星双星系统、"
          "史上最亮伽马暴、最长可重复高约束模等离子体运行、《中关村世界领先科技园区建设方案（2024—2027年）》等。",
          "Released at the opening: twisted rhombohedral boron nitride crystals, a 300 MW F-class heavy-duty gas "
          "turbine, the general-purpose robot Tong Tong, the shortest-orbit binary pulsar, the brightest "
          "gamma-ray burst, the longest repeatable H-mode plasma, the Zhongguancun plan for 2024-2027 and more.",
          S001, language="zh+en", mode="hybrid"),
    Named(2024, 1, "14:00", "17:00", "intl", "signing", "开放合作", "2024年投资北京大会",
          "Invest Beijing Conference 2024",
          "发布231个招商合作项目，招商总额902.21亿元；23个重点项目签约，签约金额超610亿元；"
          "“中关村科学城—马来西亚MRANTI科创合作平台”揭牌。",
          "231 projects released (90.221 billion yuan), 23 key projects signed (over 61 billion yuan); the "
          "Zhongguancun Science City-MRANTI cooperation platform unveiled.", S001, (("lu-yan", "speaker"),),
          "zh+en", "hybrid"),
    Named(2024, 3, "14:00", "17:30", "main", "contest_final", "创新创业", "第七届中国国际前沿科技大赛全球总决赛",
          "Global Final of the 7th China International Frontier Technology Contest",
          "以“开辟前沿新赛道 培育发展新动能”为主题，75个国家和地区的3164个项目参赛，22个优胜项目进入全球总决赛。",
          "Theme: Opening New Frontier Tracks, Fostering New Drivers of Growth. 3,164 projects from 75 countries "
          "and regions; 22 in the global final.", S001,
          (("yang-jianhua", "speaker"), ("yu-yingjie", "speaker")), "zh+en", "hybrid"),
)  # fmt: skip
