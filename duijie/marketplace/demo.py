"""The technology trading of the 2024 Zhongguancun Forum in the demo: technology offers and demands, generated.

The forum put more than 3,000 technology results from over 40 countries up for trading; the demo holds a sample
of them (about 120 offers from universities, institutes and enterprises, and 50 demands from enterprises),
each marked as sample data (示例数据), with its readiness level, IP status and the terms on which it is traded.
Only existing demo enterprises and new universities and institutes own them, so the other modules' generated
data (which sample enterprises) and the summits' published totals stay exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.demo.builder import DemoBuilder
from duijie.directory.models import Organisation
from duijie.marketplace.models import Opportunity
from duijie.matching import taxonomy

EVENT = "zgc-forum-2024"
WAN = Decimal(10_000)

# Universities and institutes that bring results to the trading: slug, kind, zh, en, country, district, industries.
RESEARCH: tuple[tuple[str, str, str, str, str, str | None, tuple[str, ...]], ...] = (
    ("trade-univ-jingxi", "university", "京西理工大学（示例）", "Jingxi University of Technology (sample)",
     "CN", "海淀区", ("人工智能", "集成电路", "新一代信息技术", "智能制造与装备")),
    ("trade-univ-yanyuan", "university", "燕园医科大学（示例）", "Yanyuan Medical University (sample)",
     "CN", "海淀区", ("医药健康", "生物科技")),
    ("trade-univ-materials", "university", "北方材料科技大学（示例）",
     "Northern University of Materials Science (sample)", "CN", "昌平区",
     ("新材料", "绿色能源与节能环保")),
    ("trade-univ-beichen", "university", "北辰工业大学（示例）", "Beichen Polytechnic University (sample)",
     "CN", "房山区", ("智能制造与装备", "新能源智能汽车", "机器人")),
    ("trade-univ-zgc-info", "university", "中关村信息工程大学（示例）",
     "Zhongguancun University of Information Engineering (sample)", "CN", "海淀区",
     ("新一代信息技术", "人工智能", "量子信息")),
    ("trade-inst-semicon", "institute", "北京先进半导体研究院（示例）",
     "Beijing Advanced Semiconductor Institute (sample)", "CN", "海淀区", ("集成电路", "新材料")),
    ("trade-inst-manufacturing", "institute", "京津冀智能制造研究院（示例）",
     "Jing-Jin-Ji Intelligent Manufacturing Institute (sample)", "CN", "北京经济技术开发区",
     ("智能制造与装备", "机器人")),
    ("trade-inst-energy", "institute", "怀柔新能源技术研究所（示例）",
     "Huairou New Energy Technology Institute (sample)", "CN", "怀柔区",
     ("绿色能源与节能环保", "新能源智能汽车")),
    ("trade-inst-biomed", "institute", "亦庄生物医药创新研究院（示例）",
     "Yizhuang Biomedical Innovation Institute (sample)", "CN", "北京经济技术开发区", ("医药健康", "生物科技")),
    ("trade-inst-ai", "institute", "北方人工智能研究院（示例）", "Northern AI Research Institute (sample)",
     "CN", "海淀区", ("人工智能", "智能网联汽车")),
    ("trade-inst-rhein", "institute", "莱茵美因材料研究所（示例）",
     "Rhein-Main Institute for Materials Research (sample)", "DE", None, ("新材料", "智能制造与装备")),
    ("trade-inst-sg", "institute", "新加坡先进制造研究中心（示例）",
     "Singapore Centre for Advanced Manufacturing (sample)", "SG", None, ("智能制造与装备", "机器人")),
    ("trade-inst-negev", "institute", "内盖夫医疗技术研究所（示例）",
     "Negev Institute of Medical Technology (sample)", "IL", None, ("医药健康",)),
    ("trade-inst-thames", "institute", "泰晤士光电研究所（示例）", "Thames Institute of Photonics (sample)",
     "GB", None, ("集成电路", "新一代信息技术")),
    ("trade-inst-kansai", "institute", "关西机器人研究中心（示例）", "Kansai Robotics Research Centre (sample)",
     "JP", None, ("机器人", "智能制造与装备", "新能源智能汽车")),
)  # fmt: skip

# Technology offers by industry: (title zh, title en, where it applies zh, en[, industry when narrower]).
OFFERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "人工智能": (
        ("面向工业质检的小样本视觉缺陷检测算法", "Few-shot visual defect detection for industrial inspection",
         "3C电子、汽车零部件和光伏组件产线质检", "inspection lines for electronics, auto parts and PV modules"),
        ("多模态大模型行业知识问答系统", "Multimodal large-model Q&A system for industry knowledge",
         "能源、制造企业的技术文档检索与运维知识问答",
         "document retrieval and maintenance Q&A in energy and manufacturing firms"),
        ("大模型推理加速与低比特量化技术", "Low-bit quantisation and inference acceleration for large models",
         "边缘设备和私有化部署场景下的大模型推理", "large-model inference on edge devices and on premises"),
        ("具身智能机器人视觉—语言—动作模型", "Vision-language-action model for embodied robots",
         "仓储分拣、柔性装配等非结构化作业", "warehouse picking and flexible assembly"),
        ("城市交通信号智能配时优化系统", "AI signal timing optimisation for urban traffic",
         "城市路口群协调控制与拥堵治理", "coordinated control of urban intersections"),
        ("医学影像辅助诊断深度学习模型", "Deep-learning model for medical image diagnosis",
         "肺结节、眼底病变等影像筛查", "screening for lung nodules and retinal disease"),
        ("工业设备故障预测与健康管理算法", "Predictive maintenance and health management for industrial equipment",
         "风电、轨道交通和石化装备的状态监测", "condition monitoring in wind power, rail and petrochemicals"),
        ("中文语音识别与合成轻量化引擎", "Lightweight Chinese speech recognition and synthesis engine",
         "智能座舱、客服与政务热线", "smart cockpits, customer service and government hotlines"),
        ("遥感影像智能解译平台", "Intelligent interpretation of remote-sensing imagery",
         "国土调查、农业估产与灾害评估", "land survey, crop estimation and disaster assessment"),
        ("知识图谱驱动的金融风控模型", "Knowledge-graph-driven financial risk model",
         "银行信贷审批与反欺诈", "credit approval and anti-fraud in banks"),
        ("联邦学习隐私计算平台", "Federated-learning privacy computing platform",
         "医疗、金融数据的跨机构联合建模", "cross-institution modelling on medical and financial data"),
        ("视觉SLAM与多传感器融合定位技术", "Visual SLAM and multi-sensor fusion localisation",
         "巡检机器人、无人配送车的自主导航", "autonomous navigation of inspection robots and delivery vehicles"),
        ("代码生成大模型及智能编程助手", "Code-generation model and programming assistant",
         "软件企业研发效能提升", "developer productivity in software companies"),
        ("智能客服多轮对话引擎", "Multi-turn dialogue engine for customer service",
         "电信、电商和公共服务热线", "telecoms, e-commerce and public-service hotlines"),
        ("三维视觉测量与点云处理软件", "3D vision measurement and point-cloud software",
         "精密零件尺寸检测与逆向建模", "dimensional inspection and reverse modelling of precision parts"),
        ("AI药物分子生成与虚拟筛选平台", "AI molecule generation and virtual screening platform",
         "创新药先导化合物发现", "lead discovery for new drugs"),
        ("电力负荷预测与调度优化算法", "Power load forecasting and dispatch optimisation",
         "园区微电网与虚拟电厂", "park microgrids and virtual power plants"),
        ("视频结构化分析与事件检测系统", "Video structuring and event detection system",
         "城市治理、园区安防和安全生产", "urban management, campus security and workplace safety"),
    ),
    "集成电路": (
        ("28纳米工艺高速SerDes接口IP", "28 nm high-speed SerDes interface IP",
         "数据中心交换芯片和AI加速芯片", "data-centre switch and AI accelerator chips"),
        ("RISC-V高性能处理器核IP", "High-performance RISC-V processor core IP",
         "边缘计算、工业控制和物联网芯片", "edge, industrial-control and IoT chips"),
        ("碳化硅功率MOSFET器件设计与工艺", "SiC power MOSFET design and process",
         "新能源汽车电驱和光伏逆变器", "EV drives and PV inverters"),
        ("存算一体AI芯片架构", "Compute-in-memory AI chip architecture",
         "端侧语音和视觉推理", "on-device speech and vision inference"),
        ("晶圆表面缺陷光学检测设备", "Optical wafer surface defect inspection tool",
         "12英寸晶圆制造前道检测", "front-end inspection in 12-inch fabs"),
        ("先进封装Chiplet互连技术", "Chiplet interconnect for advanced packaging",
         "高性能计算芯片的异构集成", "heterogeneous integration of high-performance computing chips"),
        ("氮化镓射频功放芯片", "GaN RF power amplifier chip", "5G基站与卫星通信",
         "5G base stations and satellite communications"),
        ("高精度模数转换器（ADC）芯片设计", "High-precision ADC chip design",
         "医疗仪器和工业测量", "medical instruments and industrial measurement"),
        ("EDA版图物理验证工具", "EDA layout physical verification tool",
         "芯片设计企业的DRC/LVS签核", "DRC/LVS sign-off in chip design houses"),
        ("MEMS惯性传感器芯片及封装", "MEMS inertial sensor chip and package",
         "无人机、可穿戴设备和汽车电子", "drones, wearables and automotive electronics"),
        ("KrF/ArF光刻胶配方与工艺", "KrF/ArF photoresist formulation and process",
         "集成电路制造光刻工序", "lithography in IC manufacturing"),
        ("车规级MCU芯片设计", "Automotive-grade MCU design",
         "车身控制和电池管理系统", "body control and battery management systems"),
        ("硅光收发芯片", "Silicon photonics transceiver chip",
         "数据中心400G/800G光模块", "400G/800G data-centre optical modules"),
        ("芯片测试探针卡技术", "Probe card technology for chip testing", "晶圆级测试", "wafer-level testing"),
        ("低功耗蓝牙SoC芯片", "Low-power Bluetooth SoC", "智能家居和可穿戴设备", "smart home and wearables"),
    ),
    "医药健康": (
        ("靶向KRAS突变的小分子抑制剂", "Small-molecule inhibitor targeting KRAS mutations",
         "非小细胞肺癌和结直肠癌治疗", "treatment of non-small-cell lung and colorectal cancer"),
        ("mRNA疫苗递送脂质纳米颗粒技术", "Lipid nanoparticle delivery for mRNA vaccines",
         "传染病疫苗和肿瘤疫苗", "infectious-disease and cancer vaccines", "生物科技"),
        ("CAR-T细胞制备自动化工艺", "Automated CAR-T cell manufacturing",
         "血液肿瘤细胞治疗", "cell therapy for blood cancers", "生物科技"),
        ("双特异性抗体构建平台", "Bispecific antibody engineering platform",
         "肿瘤免疫治疗", "cancer immunotherapy", "生物科技"),
        ("可降解镁合金心血管支架", "Biodegradable magnesium-alloy cardiovascular stent",
         "冠脉介入治疗", "coronary intervention"),
        ("手术机器人力反馈控制技术", "Force-feedback control for surgical robots",
         "腹腔镜微创手术", "laparoscopic minimally invasive surgery"),
        ("基于微流控的即时检测（POCT）芯片", "Microfluidic point-of-care testing chip",
         "基层医疗和急诊检测", "primary care and emergency testing"),
        ("阿尔茨海默病血液生物标志物检测方法", "Blood biomarker assay for Alzheimer's disease",
         "阿尔茨海默病早期筛查与诊断", "early screening and diagnosis of Alzheimer's disease"),
        ("中药经典名方质量标准与制备工艺", "Quality standards and preparation of classic TCM formulas",
         "中药新药研发与产业化", "development and production of new TCM drugs"),
        ("新型口服胰岛素递送技术", "Novel oral insulin delivery", "糖尿病治疗", "diabetes treatment"),
        ("碱基编辑基因编辑工具", "Base-editing gene-editing tool",
         "遗传病治疗与分子育种", "genetic-disease therapy and molecular breeding", "生物科技"),
        ("高通量单细胞测序文库构建技术", "High-throughput single-cell sequencing library preparation",
         "肿瘤和免疫研究", "cancer and immunology research", "生物科技"),
        ("医用可吸收高分子缝合线", "Absorbable polymer surgical suture", "外科手术缝合", "surgical suturing"),
        ("脑机接口柔性电极", "Flexible electrodes for brain-computer interfaces",
         "神经疾病诊疗与康复", "diagnosis, treatment and rehabilitation of neurological disease"),
        ("抗体药物偶联物（ADC）连接子技术", "Linker technology for antibody-drug conjugates",
         "实体瘤治疗", "treatment of solid tumours"),
        ("便携式超声成像设备", "Portable ultrasound imaging device",
         "基层医疗和床旁检查", "primary care and point-of-care examination"),
        ("合成生物学法生产稀有人参皂苷", "Synthetic-biology production of rare ginsenosides",
         "保健食品与药物原料", "health foods and pharmaceutical ingredients", "生物科技"),
        ("康复外骨骼机器人", "Rehabilitation exoskeleton robot",
         "脑卒中和脊髓损伤康复", "rehabilitation after stroke and spinal-cord injury"),
    ),
    "智能制造与装备": (
        ("协作机器人一体化关节模组", "Integrated joint module for collaborative robots",
         "3C装配、医疗和教育机器人", "electronics assembly, medical and educational robots", "机器人"),
        ("高精度RV减速器", "High-precision RV reducer", "工业机器人关节", "industrial robot joints", "机器人"),
        ("五轴联动数控系统", "Five-axis CNC system", "航空航天复杂曲面加工",
         "machining of complex aerospace surfaces"),
        ("激光增材制造（金属3D打印）装备", "Laser additive manufacturing (metal 3D printing) equipment",
         "航空发动机零件和医疗植入物", "aero-engine parts and medical implants"),
        ("工业互联网设备数据采集网关", "Industrial IoT data acquisition gateway",
         "离散制造车间设备联网", "connecting machines in discrete manufacturing"),
        ("数字孪生工厂仿真平台", "Digital-twin factory simulation platform",
         "产线规划与产能优化", "line planning and capacity optimisation"),
        ("智能仓储AGV集群调度系统", "Fleet scheduling for warehouse AGVs",
         "电商和制造业仓储物流", "warehousing in e-commerce and manufacturing", "机器人"),
        ("焊接机器人视觉引导系统", "Vision guidance for welding robots",
         "工程机械和钢结构焊接", "welding of construction machinery and steel structures", "机器人"),
        ("精密伺服电机及驱动器", "Precision servo motors and drives",
         "数控机床、机器人和半导体设备", "machine tools, robots and semiconductor equipment"),
        ("管道巡检爬壁机器人", "Wall-climbing pipeline inspection robot",
         "石化、电力管道和储罐检测", "inspection of petrochemical and power pipelines and tanks", "机器人"),
        ("轴承故障在线监测装置", "Online bearing fault monitoring device",
         "风机、泵和压缩机", "fans, pumps and compressors"),
        ("柔性电子卷对卷印刷装备", "Roll-to-roll printing equipment for flexible electronics",
         "柔性传感器和RFID标签", "flexible sensors and RFID tags"),
        ("高速视觉分拣装备", "High-speed vision sorting equipment", "食品和快递分拣",
         "food and parcel sorting"),
        ("超精密光学元件加工技术", "Ultra-precision optical component machining",
         "光刻机和激光器光学元件", "optics for lithography tools and lasers"),
        ("工业机器人离线编程软件", "Offline programming software for industrial robots",
         "汽车焊装和喷涂", "automotive welding and painting", "机器人"),
        ("智能注塑成型工艺控制系统", "Intelligent injection-moulding process control",
         "汽车和家电塑料件", "plastic parts for cars and appliances"),
    ),
    "绿色能源与节能环保": (
        ("TOPCon高效太阳能电池工艺", "TOPCon high-efficiency solar cell process", "高效光伏组件",
         "high-efficiency PV modules"),
        ("钠离子电池正极材料及电芯", "Sodium-ion battery cathode and cells",
         "储能电站和电动两轮车", "storage plants and electric two-wheelers"),
        ("全钒液流电池储能系统", "Vanadium flow-battery storage system", "电网侧长时储能",
         "long-duration grid storage"),
        ("碱性电解水制氢装备", "Alkaline water electrolysis equipment for hydrogen", "绿氢生产",
         "green hydrogen production"),
        ("燃料电池膜电极", "Membrane electrode assembly for fuel cells", "氢燃料电池商用车",
         "hydrogen fuel-cell commercial vehicles"),
        ("工业余热有机朗肯循环发电", "ORC power generation from industrial waste heat",
         "钢铁、水泥和化工余热回收", "waste-heat recovery in steel, cement and chemicals"),
        ("二氧化碳捕集吸附材料及工艺", "CO2 capture sorbents and process",
         "火电和化工烟气碳捕集", "carbon capture from power and chemical flue gas"),
        ("风电叶片智能巡检与损伤识别", "Smart inspection and damage detection of wind-turbine blades",
         "风电场运维", "wind-farm operation and maintenance"),
        ("光伏组件回收与材料再生", "PV module recycling and material recovery", "退役光伏组件处理",
         "end-of-life PV modules"),
        ("建筑光伏一体化（BIPV）幕墙", "Building-integrated photovoltaic curtain wall",
         "公共建筑和产业园区", "public buildings and industrial parks"),
        ("高效磁悬浮离心鼓风机", "Efficient magnetic-levitation centrifugal blower",
         "污水处理曝气", "aeration in wastewater treatment"),
        ("垃圾焚烧飞灰无害化处置", "Safe treatment of incineration fly ash", "生活垃圾焚烧厂",
         "municipal waste incineration plants"),
        ("虚拟电厂聚合调控平台", "Virtual power plant aggregation platform",
         "分布式光伏、储能和可调负荷", "distributed PV, storage and flexible loads"),
        ("动力电池梯次利用检测与重组", "Testing and regrouping for second-life traction batteries",
         "退役动力电池储能", "storage built from retired EV batteries"),
        ("固态电解质与全固态电池", "Solid electrolytes and all-solid-state batteries",
         "电动汽车和消费电子", "electric vehicles and consumer electronics"),
        ("膜法海水淡化与浓盐水零排放", "Membrane desalination and zero liquid discharge",
         "沿海工业园区用水", "water supply for coastal industrial parks"),
    ),
    "新材料": (
        ("高导热氮化铝陶瓷基板", "High thermal-conductivity AlN ceramic substrate",
         "功率模块和LED封装", "power modules and LED packaging"),
        ("碳纤维复合材料快速成型工艺", "Rapid moulding of carbon-fibre composites",
         "汽车轻量化和无人机结构件", "lightweight car parts and drone structures"),
        ("石墨烯导热膜", "Graphene thermal film", "手机和服务器散热", "cooling of phones and servers"),
        ("电子级多晶硅提纯技术", "Purification of electronic-grade polysilicon", "集成电路硅片",
         "silicon wafers for ICs"),
        ("高温合金单晶叶片铸造技术", "Single-crystal superalloy blade casting",
         "航空发动机和燃气轮机", "aero engines and gas turbines"),
        ("聚酰亚胺柔性显示基膜", "Polyimide film for flexible displays", "OLED柔性屏", "flexible OLED screens"),
        ("稀土永磁材料晶界扩散技术", "Grain-boundary diffusion for rare-earth magnets",
         "新能源汽车驱动电机", "traction motors of electric vehicles"),
        ("气凝胶隔热材料", "Aerogel thermal insulation", "动力电池包防火隔热和管道保温",
         "fire barriers in battery packs and pipe insulation"),
        ("生物基可降解PLA改性技术", "Modified bio-based degradable PLA", "包装与一次性制品",
         "packaging and disposable products"),
        ("超高分子量聚乙烯纤维", "UHMWPE fibre", "防护装备和海洋缆绳", "protective gear and marine ropes"),
        ("金刚石半导体衬底生长", "Diamond semiconductor substrate growth", "高功率电子器件散热",
         "heat spreading for high-power electronics"),
        ("光学级PMMA薄膜", "Optical-grade PMMA film", "显示背光模组", "display backlight units"),
        ("海洋工程耐腐蚀涂层", "Anti-corrosion coatings for offshore engineering",
         "海上风电和化工装备", "offshore wind and chemical equipment"),
        ("电子级湿化学品纯化技术", "Purification of electronic-grade wet chemicals",
         "晶圆清洗与刻蚀", "wafer cleaning and etching"),
        ("形状记忆合金医用器械材料", "Shape-memory alloy for medical devices", "血管介入器械",
         "vascular interventional devices"),
    ),
    "新能源智能汽车": (
        ("800V高压碳化硅电驱系统", "800 V SiC electric drive system", "高端电动乘用车",
         "premium electric cars"),
        ("车载激光雷达", "Automotive LiDAR", "L3级以上自动驾驶", "level-3+ autonomous driving", "智能网联汽车"),
        ("自动驾驶多传感器融合感知算法", "Multi-sensor fusion perception for autonomous driving",
         "城市领航辅助驾驶和自动泊车", "urban navigation assistance and automated parking", "智能网联汽车"),
        ("电池管理系统SOC精确估算技术", "Accurate SOC estimation for battery management systems",
         "动力电池与储能系统", "traction batteries and storage systems"),
        ("一体化压铸车身技术", "Integrated die-cast car body", "车身轻量化", "lightweight car bodies"),
        ("车路协同路侧感知单元", "Roadside perception unit for vehicle-road cooperation",
         "智慧高速和自动驾驶示范区", "smart highways and autonomous-driving pilot zones", "智能网联汽车"),
        ("热泵空调整车热管理系统", "Heat-pump thermal management for EVs", "电动汽车冬季续航",
         "winter range of electric vehicles"),
        ("线控制动底盘系统", "Brake-by-wire chassis system", "自动驾驶车辆", "autonomous vehicles",
         "智能网联汽车"),
        ("电动汽车大功率无线充电技术", "High-power wireless charging for EVs", "停车场与公交场站",
         "car parks and bus depots"),
        ("车规级功率模块封装", "Automotive power module packaging", "电机控制器", "motor controllers"),
    ),
    "新一代信息技术": (
        ("量子密钥分发终端", "Quantum key distribution terminal", "政务和金融专网加密",
         "encryption of government and financial networks", "量子信息"),
        ("5G专网轻量化核心网", "Lightweight 5G private-network core", "工厂、港口和矿山",
         "factories, ports and mines"),
        ("卫星物联网通信模组", "Satellite IoT communication module", "海洋和野外监测",
         "ocean and field monitoring"),
        ("分布式数据库存储引擎", "Distributed database storage engine", "金融核心系统国产化",
         "domestic replacement of core banking systems", "软件和信息服务"),
        ("边缘计算视频分析一体机", "Edge video analytics appliance", "园区和工厂", "campuses and factories"),
        ("区块链电子存证平台", "Blockchain e-evidence platform", "司法和版权存证",
         "judicial and copyright evidence", "软件和信息服务"),
        ("工业控制系统安全防护技术", "Industrial control system security", "电力和石化控制系统",
         "power and petrochemical control systems"),
        ("可见光通信技术", "Visible-light communication", "室内定位和特殊场景通信",
         "indoor positioning and communication in special settings"),
        ("低轨卫星相控阵天线", "Phased-array antenna for LEO satellites", "卫星互联网终端",
         "satellite internet terminals"),
        ("8K超高清视频编解码技术", "8K ultra-HD video codec", "广播电视和网络直播",
         "broadcasting and live streaming"),
        ("分布式光纤传感监测系统", "Distributed fibre-optic sensing system", "管道、隧道和周界安防",
         "pipelines, tunnels and perimeter security"),
        ("数据分类分级与脱敏工具", "Data classification and masking tool", "政务和企业数据治理",
         "data governance in government and enterprises", "软件和信息服务"),
    ),
}  # fmt: skip

# Technology demands: (industry, title zh, title en, need zh, need en); the first three are the demo account's.
DEMANDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("人工智能", "工业零件三维视觉尺寸测量", "3D vision dimensional measurement of industrial parts",
     "现有二维视觉质检无法测量零件高度与平面度，寻求三维视觉测量与点云处理技术，集成到自有质检设备中",
     "Our 2D inspection cannot measure part height and flatness; we seek 3D vision measurement and point-cloud "
     "processing to build into our inspection devices"),
    ("人工智能", "视觉大模型边缘端量化部署", "Quantised edge deployment of a vision foundation model",
     "需将十亿参数级视觉大模型压缩后部署在国产边缘AI芯片上实时推理，精度损失不超过2%",
     "A billion-parameter vision model must run in real time on domestic edge AI chips, losing at most 2% accuracy"),
    ("集成电路", "工业相机高速图像采集接口芯片", "High-speed image acquisition interface chip for industrial cameras",
     "寻求高速SerDes接口IP或芯片方案，用于自研工业相机的图像采集与传输",
     "Looking for high-speed SerDes IP or chips for image capture and transfer in our own industrial cameras"),
    ("人工智能", "设备运维知识库大模型问答系统", "Large-model Q&A over an equipment maintenance knowledge base",
     "希望基于大模型构建覆盖设备手册、检修记录的知识问答系统，支持私有化部署",
     "An on-premises large-model Q&A system over equipment manuals and repair records"),
    ("人工智能", "生产设备预测性维护算法", "Predictive maintenance for production equipment",
     "需对数控机床和空压机进行故障预测，提前7天预警主要故障",
     "Fault prediction for CNC machines and air compressors, warning of major faults seven days ahead"),
    ("人工智能", "智能客服多轮对话系统升级", "Upgrade of a multi-turn customer-service dialogue system",
     "现有客服机器人意图识别准确率偏低，希望引入大模型多轮对话能力",
     "Our service bot misreads intents; we want large-model multi-turn dialogue"),
    ("人工智能", "城市路口信号配时优化", "Signal timing optimisation at urban intersections",
     "承担区域交通治理项目，需要路口群信号协调优化算法与实施经验",
     "For a district traffic project we need coordinated signal optimisation across intersections"),
    ("人工智能", "医学影像AI辅助诊断模型引进", "Licensing an AI model for medical image diagnosis",
     "拟为体检中心引进肺结节和眼底影像AI筛查模型，需具备医疗器械注册条件",
     "AI screening of lung nodules and retinal images for health-check centres, fit for device registration"),
    ("人工智能", "信贷反欺诈风控模型", "Anti-fraud credit risk model",
     "为合作银行建设小微企业信贷风控模型，需融合工商、司法等多源数据",
     "A credit risk model for small-business loans combining registry, court and other data"),
    ("集成电路", "车规级MCU芯片国产化替代", "Domestic automotive-grade MCU",
     "车身控制器需替换进口MCU，要求通过AEC-Q100认证",
     "Our body controllers need a domestic MCU replacing imports, AEC-Q100 qualified"),
    ("集成电路", "碳化硅功率器件导入", "Qualifying SiC power devices",
     "光伏逆变器拟导入国产碳化硅MOSFET，需联合开展可靠性验证",
     "We plan to use domestic SiC MOSFETs in PV inverters and need joint reliability testing"),
    ("集成电路", "晶圆缺陷检测设备国产化", "Domestic wafer defect inspection tool",
     "产线需要12英寸晶圆表面缺陷光学检测设备，灵敏度达到主流进口设备水平",
     "Our line needs optical inspection of 12-inch wafers matching leading imported tools"),
    ("集成电路", "AI加速芯片高速接口IP授权", "High-speed interface IP for an AI accelerator",
     "自研AI加速芯片需要28纳米或更先进工艺的SerDes接口IP授权",
     "Our AI accelerator needs SerDes interface IP at 28 nm or below"),
    ("集成电路", "Chiplet先进封装合作", "Chiplet advanced-packaging partner",
     "高性能计算芯片拟采用Chiplet方案，寻求先进封装互连技术合作",
     "We plan a chiplet design for an HPC chip and seek advanced-packaging interconnect partners"),
    ("集成电路", "400G硅光模块芯片", "Silicon photonics chips for 400G modules",
     "光模块产品升级需要硅光收发芯片方案",
     "Upgrading our optical modules needs a silicon photonics transceiver"),
    ("医药健康", "POCT微流控检测芯片", "Microfluidic chips for point-of-care testing",
     "拟开发心肌标志物即时检测产品，寻求微流控芯片设计与量产工艺",
     "For a cardiac-marker POCT product we seek microfluidic chip design and mass production"),
    ("医药健康", "ADC药物连接子技术引进", "Licensing ADC linker technology",
     "在研抗体药物偶联物项目需要稳定性更好的连接子技术",
     "Our antibody-drug conjugate programme needs a more stable linker"),
    ("医药健康", "mRNA递送系统合作开发", "Co-developing an mRNA delivery system",
     "肿瘤疫苗管线需要脂质纳米颗粒递送系统，拟合作开发",
     "Our cancer-vaccine pipeline needs a lipid nanoparticle delivery system"),
    ("医药健康", "手术机器人力反馈模块", "Force-feedback module for a surgical robot",
     "腹腔镜手术机器人需增加力反馈功能，寻求控制算法与传感器方案",
     "Our laparoscopic robot needs force feedback: control algorithms and sensors"),
    ("医药健康", "可降解心血管支架材料", "Biodegradable stent material",
     "寻求可降解镁合金或高分子支架材料及加工工艺",
     "Seeking biodegradable magnesium-alloy or polymer stent materials and processing"),
    ("医药健康", "阿尔茨海默病早筛试剂", "Early-screening assay for Alzheimer's disease",
     "体检业务需要基于血液标志物的阿尔茨海默病早筛方法",
     "A blood-biomarker method for early Alzheimer's screening in health checks"),
    ("医药健康", "中药经典名方制备工艺", "Preparation process for classic TCM formulas",
     "拟开发经典名方复方制剂，需质量标准研究与工艺放大",
     "Developing a classic-formula TCM product: quality standards and scale-up"),
    ("医药健康", "康复外骨骼产品合作", "Rehabilitation exoskeleton partnership",
     "康复医院连锁拟引入下肢康复外骨骼并联合开展临床评价",
     "A rehabilitation hospital chain wants lower-limb exoskeletons and joint clinical evaluation"),
    ("智能制造与装备", "协作机器人关节模组采购与定制", "Custom joint modules for collaborative robots",
     "协作机器人新品需要高功率密度一体化关节模组",
     "A new cobot needs high power-density integrated joint modules"),
    ("智能制造与装备", "焊接机器人视觉引导改造", "Vision guidance retrofit for welding robots",
     "钢结构焊接产线需加装视觉引导，实现焊缝自动识别与跟踪",
     "Our steel-structure welding line needs vision guidance for seam finding and tracking"),
    ("智能制造与装备", "仓储AGV集群调度系统", "Fleet scheduling for warehouse AGVs",
     "新建智能仓库需支持200台以上AGV协同调度",
     "A new warehouse must coordinate over 200 AGVs"),
    ("智能制造与装备", "产线数字孪生平台建设", "Digital twin of a production line",
     "汽车零部件工厂拟建设数字孪生平台，用于产线规划和产能仿真",
     "An auto-parts plant wants a digital twin for line planning and capacity simulation"),
    ("智能制造与装备", "车间设备联网与数据采集", "Connecting shop-floor machines and collecting data",
     "老旧设备需加装数据采集网关，接入工业互联网平台",
     "Legacy machines need data-acquisition gateways into an industrial internet platform"),
    ("智能制造与装备", "风机轴承在线监测", "Online monitoring of fan bearings",
     "需要轴承故障在线监测装置，降低非计划停机",
     "Online bearing fault monitoring to cut unplanned stops"),
    ("智能制造与装备", "高精度伺服驱动国产化", "Domestic high-precision servo drives",
     "半导体设备需要高精度伺服电机及驱动器替代进口产品",
     "Semiconductor equipment needs precision servo motors and drives replacing imports"),
    ("绿色能源与节能环保", "工业余热回收发电", "Power from industrial waste heat",
     "水泥生产线低温余热尚未利用，寻求有机朗肯循环发电方案",
     "Low-temperature waste heat of a cement line is unused; seeking ORC power generation"),
    ("绿色能源与节能环保", "储能电站钠离子电池方案", "Sodium-ion batteries for a storage plant",
     "拟建设用户侧储能电站，评估钠离子电池电芯与系统方案",
     "Assessing sodium-ion cells and systems for a behind-the-meter storage plant"),
    ("绿色能源与节能环保", "绿氢电解槽技术合作", "Electrolyser technology for green hydrogen",
     "配套风光项目建设制氢站，需要碱性电解水制氢装备",
     "A hydrogen station next to wind and solar farms needs alkaline electrolysers"),
    ("绿色能源与节能环保", "园区虚拟电厂接入", "Joining a park to a virtual power plant",
     "产业园区拟将分布式光伏、储能和空调负荷聚合参与需求响应",
     "An industrial park wants to pool its PV, storage and air-conditioning loads for demand response"),
    ("绿色能源与节能环保", "风电叶片无人机巡检", "Drone inspection of wind-turbine blades",
     "风电场需要叶片损伤智能识别与巡检服务",
     "A wind farm needs intelligent detection of blade damage"),
    ("绿色能源与节能环保", "退役动力电池梯次利用", "Second-life use of retired traction batteries",
     "回收的动力电池需检测分选与重组技术，用于通信基站储能",
     "Recovered EV batteries need testing, sorting and regrouping for base-station storage"),
    ("绿色能源与节能环保", "光伏组件回收处理工艺", "PV module recycling process",
     "寻求退役光伏组件拆解与硅、银材料再生技术",
     "Seeking dismantling of end-of-life PV modules and recovery of silicon and silver"),
    ("新材料", "功率模块高导热陶瓷基板", "High thermal-conductivity ceramic substrates for power modules",
     "功率模块封装需要氮化铝陶瓷基板，导热率不低于170W/m·K",
     "Power module packaging needs AlN substrates of at least 170 W/m·K"),
    ("新材料", "电池包气凝胶隔热材料", "Aerogel insulation for battery packs",
     "动力电池包需要阻隔热失控蔓延的气凝胶隔热材料",
     "Battery packs need aerogel insulation that stops thermal runaway from spreading"),
    ("新材料", "碳纤维轻量化结构件", "Lightweight carbon-fibre structural parts",
     "无人机机体拟采用碳纤维复合材料结构件，需要快速成型工艺",
     "Drone airframes in carbon-fibre composites need a rapid moulding process"),
    ("新材料", "电子级湿化学品国产化", "Domestic electronic-grade wet chemicals",
     "晶圆清洗工序需要电子级湿化学品纯化技术",
     "Wafer cleaning needs purification of electronic-grade wet chemicals"),
    ("新材料", "海上设备耐腐蚀涂层", "Anti-corrosion coatings for offshore equipment",
     "海上风电设备需要长效耐腐蚀涂层与施工工艺",
     "Offshore wind equipment needs long-life anti-corrosion coatings and application methods"),
    ("新能源智能汽车", "电动汽车热泵热管理系统", "Heat-pump thermal management for EVs",
     "新车型需提升冬季续航，寻求热泵空调整车热管理方案",
     "A new model needs better winter range: heat-pump thermal management"),
    ("新能源智能汽车", "车载激光雷达选型合作", "Automotive LiDAR partnership",
     "高阶辅助驾驶车型需要车规级激光雷达及感知融合算法",
     "Advanced driver assistance needs automotive-grade LiDAR and fusion perception"),
    ("新能源智能汽车", "电池管理系统SOC算法", "SOC algorithm for a battery management system",
     "需要提升电池管理系统SOC估算精度至3%以内",
     "We need SOC estimation in our BMS accurate to within 3%"),
    ("新能源智能汽车", "车路协同路侧设备", "Roadside units for vehicle-road cooperation",
     "承建自动驾驶示范区，需要路侧感知单元与边缘计算方案",
     "Building an autonomous-driving pilot zone: roadside perception and edge computing"),
    ("新一代信息技术", "工厂5G专网建设", "5G private network for a factory",
     "工厂拟建设5G专网，需要轻量化核心网与行业终端",
     "A factory wants a 5G private network with a lightweight core and industrial terminals"),
    ("新一代信息技术", "核心业务数据库国产化", "Domestic database for core systems",
     "核心业务系统拟迁移至国产分布式数据库",
     "Migrating core business systems to a domestic distributed database"),
    ("新一代信息技术", "工控系统安全防护", "Security for industrial control systems",
     "电力控制系统需要工控安全监测与防护方案",
     "Our power control systems need ICS security monitoring and protection"),
    ("新一代信息技术", "数据脱敏与分类分级", "Data masking and classification",
     "为满足数据安全合规要求，需要数据分类分级与脱敏工具",
     "Data-security compliance needs classification and masking tools"),
)  # fmt: skip

IP_STATUS: dict[str, tuple[str, ...]] = {
    "default": ("已授权发明专利", "已授权发明专利", "发明专利申请中", "PCT国际专利申请", "技术秘密"),
    "集成电路": ("已授权发明专利", "集成电路布图设计专有权", "发明专利申请中", "技术秘密"),
    "人工智能": ("已授权发明专利及软件著作权", "软件著作权", "发明专利申请中", "已授权发明专利"),
    "新一代信息技术": ("已授权发明专利及软件著作权", "软件著作权", "已授权发明专利"),
}
TERMS = ("转让", "许可", "作价入股", "合作开发")
PRICES_WAN = (100, 200, 300, 500, 800, 1000, 1500, 3000)
BUDGETS_WAN = (200, 300, 500, 800, 1000, 1500, 2000, 3000)
TERMS_EN = {
    "转让": "transfer",
    "许可": "licence",
    "作价入股": "equity contribution",
    "合作开发": "joint development",
}


def _maturity(trl: int) -> tuple[str, str]:
    """How far a result has come, in words, for its readiness level."""
    if trl <= 3:
        return "目前处于原理验证阶段", "at proof-of-concept stage"
    if trl <= 5:
        return "已完成实验室样机验证", "validated as a laboratory prototype"
    if trl == 6:
        return "已完成中试验证", "validated at pilot scale"
    if trl <= 8:
        return "已在用户现场完成示范应用", "demonstrated at customer sites"
    return "已实现批量应用", "in volume use"


def _research_orgs(builder: DemoBuilder) -> list[Organisation]:
    return [
        builder.org(
            slug,
            kind=kind,
            name_zh=zh,
            name_en=en,
            country=country,
            district=district,
            industries=list(industries),
            provenance=SYNTHETIC,
            description_zh=f"示例{'高校' if kind == 'university' else '科研机构'}：在{'、'.join(industries)}领域开展研究与成果转化。",
            description_en=f"Sample {kind}: research and technology transfer in "
            f"{', '.join(taxonomy.english_name(i) for i in industries)}.",
        )
        for slug, kind, zh, en, country, district, industries in RESEARCH
    ]


def _enterprises(builder: DemoBuilder) -> list[Organisation]:
    """The demo's own enterprises (released projects' companies and named ones), in a fixed order."""
    return sorted(
        (o for o in builder.orgs.values() if o.kind == "enterprise" and o.slug != "demo-xinghe"),
        key=lambda o: o.slug,
    )


def _near(orgs: list[Organisation], industry: str) -> list[Organisation]:
    """Organisations in the industry; else in a parent, child or related one; else all of them."""
    exact = [o for o in orgs if industry in (o.industries or [])]
    if exact:
        return exact
    close = [o for o in orgs if any(taxonomy.industry_fit(industry, i)[0] > 0 for i in o.industries or [])]
    return close or orgs


def _terms(rng: random.Random) -> list[str]:
    return sorted(rng.sample(TERMS, rng.choice((1, 1, 2))), key=TERMS.index)


def extend_demo(builder: DemoBuilder) -> None:
    """Add the forum's technology offers and demands (once: a second call finds them and adds nothing)."""
    db = builder.db
    event = builder.events[EVENT]
    if db.scalar(select(Opportunity.id).where(Opportunity.external_id == f"{EVENT}-T001")) is not None:
        return
    rng = builder.module_rng("marketplace")
    research = _research_orgs(builder)
    enterprises = _enterprises(builder)
    xinghe = builder.orgs["demo-xinghe"]
    published = dt.datetime.combine(event.starts_on, dt.time(9, 0), tzinfo=dt.UTC)
    n = 0
    sellers: set[str] = set()
    for industry, items in OFFERS.items():
        for item in items:
            n += 1
            title_zh, title_en, scene_zh, scene_en = item[:4]
            field = item[4] if len(item) > 4 else industry
            if n == 1:
                owner = xinghe
            elif rng.random() < 0.7:
                owner = rng.choice(_near(research, field))
            else:
                owner = rng.choice(_near(enterprises, field))
            sellers.add(owner.slug)
            base = 5 if owner.kind == "enterprise" else (3 if owner.kind == "university" else 4)
            trl = min(9, base + rng.randrange(4))
            terms = _terms(rng)
            ip = rng.choice(IP_STATUS.get(industry, IP_STATUS["default"]))
            priced = "转让" in terms or "作价入股" in terms or rng.random() < 0.3
            amount = Decimal(rng.choice(PRICES_WAN)) * WAN if priced else None
            mat_zh, mat_en = _maturity(trl)
            db.add(
                Opportunity(
                    external_id=f"{EVENT}-T{n:03d}",
                    event=event,
                    kind="tech_offer",
                    title_zh=title_zh,
                    title_en=title_en,
                    summary_zh=f"{title_zh}，适用于{scene_zh}。{mat_zh}。",
                    summary_en=f"{title_en}, for {scene_en}; {mat_en}.",
                    industry=field,
                    district=owner.district,
                    amount=amount,
                    trl=trl,
                    ip_status=ip,
                    licensing_terms="、".join(terms),
                    owner=owner,
                    status="negotiating" if rng.random() < 0.12 else "published",
                    published_at=published,
                    contact_name="成果转化联系人（示例）",
                    contact_email=f"offer{n:03d}@demo.duijie.invalid",
                    provenance=SYNTHETIC,
                )
            )
    # Companies selling results at the trading are not its buyers too, so no demand meets its own offer.
    buyers = [o for o in enterprises if o.slug not in sellers]
    for k, (industry, title_zh, title_en, need_zh, need_en) in enumerate(DEMANDS, start=1):
        owner = xinghe if k <= 3 else rng.choice(_near(buyers, industry))
        trl = rng.choice((5, 6, 6, 7, 7, 8))
        terms = _terms(rng)
        db.add(
            Opportunity(
                external_id=f"{EVENT}-D{k:03d}",
                event=event,
                kind="tech_demand",
                title_zh=title_zh,
                title_en=title_en,
                summary_zh=f"{need_zh}。",
                summary_en=f"{need_en}.",
                industry=industry,
                district=owner.district,
                amount=Decimal(rng.choice(BUDGETS_WAN)) * WAN,
                trl=trl,
                licensing_terms="、".join(terms),
                owner=owner,
                status="published",
                published_at=published,
                contact_name="技术需求联系人（示例）",
                contact_email=f"demand{k:03d}@demo.duijie.invalid",
                provenance=SYNTHETIC,
            )
        )
    builder.summary.opportunities += n + len(DEMANDS)
    db.flush()
