"""Chinese of the badge link on a registration's own page."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Download my badge (PDF)": "下载我的胸卡（PDF）",
    "We look forward to welcoming you. Print your badge or keep it on your phone: its code is checked at the door.": "期待您的到来。请打印胸卡或保存在手机上，入场时将核验其二维码。",
}
