"""Names of the investors' countries (ISO 3166 codes as stored on organisations), in Chinese and English."""

from __future__ import annotations

from duijie.core import i18n

COUNTRIES: dict[str, tuple[str, str]] = {
    "CN": ("中国", "China"),
    "HK": ("中国香港", "Hong Kong, China"),
    "MO": ("中国澳门", "Macao, China"),
    "TW": ("中国台湾", "Taiwan, China"),
    "SG": ("新加坡", "Singapore"),
    "US": ("美国", "United States"),
    "GB": ("英国", "United Kingdom"),
    "DE": ("德国", "Germany"),
    "FR": ("法国", "France"),
    "JP": ("日本", "Japan"),
    "KR": ("韩国", "Republic of Korea"),
    "MY": ("马来西亚", "Malaysia"),
    "CH": ("瑞士", "Switzerland"),
    "NL": ("荷兰", "Netherlands"),
    "IT": ("意大利", "Italy"),
    "SE": ("瑞典", "Sweden"),
    "IL": ("以色列", "Israel"),
    "AE": ("阿联酋", "United Arab Emirates"),
    "SA": ("沙特阿拉伯", "Saudi Arabia"),
    "AU": ("澳大利亚", "Australia"),
    "CA": ("加拿大", "Canada"),
}


def country_name(code: str | None) -> str:
    """The country's name in the current locale; unknown codes as they are, no country as a dash."""
    if not code or code == "—":
        return i18n.gettext("not recorded")
    zh, en = COUNTRIES.get(code, (code, code))
    return zh if i18n.is_zh() else en
