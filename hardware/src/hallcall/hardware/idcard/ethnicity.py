"""The ethnic groups of GB 3304 ("中国各民族名称的罗马字母拼写法和代码"): the one table.

A resident ID card stores the ethnicity as two digits (GB 3304's numeric code); the card
prints the name without the trailing 族 ("民族 汉"), and so does this table. Codes 97 and 98
are GB 3304's "other" and "foreign-born citizen" entries.
"""

from __future__ import annotations

ETHNICITIES: dict[str, str] = {
    "01": "汉",
    "02": "蒙古",
    "03": "回",
    "04": "藏",
    "05": "维吾尔",
    "06": "苗",
    "07": "彝",
    "08": "壮",
    "09": "布依",
    "10": "朝鲜",
    "11": "满",
    "12": "侗",
    "13": "瑶",
    "14": "白",
    "15": "土家",
    "16": "哈尼",
    "17": "哈萨克",
    "18": "傣",
    "19": "黎",
    "20": "傈僳",
    "21": "佤",
    "22": "畲",
    "23": "高山",
    "24": "拉祜",
    "25": "水",
    "26": "东乡",
    "27": "纳西",
    "28": "景颇",
    "29": "柯尔克孜",
    "30": "土",
    "31": "达斡尔",
    "32": "仫佬",
    "33": "羌",
    "34": "布朗",
    "35": "撒拉",
    "36": "毛南",
    "37": "仡佬",
    "38": "锡伯",
    "39": "阿昌",
    "40": "普米",
    "41": "塔吉克",
    "42": "怒",
    "43": "乌孜别克",
    "44": "俄罗斯",
    "45": "鄂温克",
    "46": "德昂",
    "47": "保安",
    "48": "裕固",
    "49": "京",
    "50": "塔塔尔",
    "51": "独龙",
    "52": "鄂伦春",
    "53": "赫哲",
    "54": "门巴",
    "55": "珞巴",
    "56": "基诺",
    "97": "其他",
    "98": "外国血统中国籍人士",
}


def ethnicity_name(code: str) -> str:
    """The name for a two-digit code; `KeyError` for a code GB 3304 does not have."""
    return ETHNICITIES[code]


def ethnicity_code(name: str) -> str:
    """The code for a name (with or without 族); `KeyError` for an unknown name."""
    bare = name.removesuffix("族") if name not in ETHNICITIES.values() else name
    for code, known in ETHNICITIES.items():
        if known == bare:
            return code
    raise KeyError(name)
