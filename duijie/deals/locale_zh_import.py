"""Chinese for the sheet import's API (`deals/api_import.py`)."""

ZH: dict[str, str] = {
    "Nothing was imported: the file has %(n)s problems to fix.": "未导入任何数据：文件中有 %(n)s 处问题需要修改。",
}
