"""A hall of twelve departments with the longest names a government service hall uses, in
Chinese and English, as the broker's `state/catalog` payload the kiosk reads."""

from __future__ import annotations

DEPARTMENTS = [
    (
        "social",
        "人力资源和社会保障局（社保医保参保登记）",
        "Human Resources and Social Security Bureau (Social and Medical Insurance Enrolment)",
    ),
    (
        "market",
        "市场监督管理局（企业开办与个体工商户登记）",
        "Market Regulation Administration (Business Start-up and Sole Trader Registration)",
    ),
    (
        "estate",
        "不动产登记中心（房屋产权与抵押登记）",
        "Real Estate Registration Centre (Property Titles and Mortgages)",
    ),
    (
        "entry",
        "公安局出入境管理（护照与港澳通行证）",
        "Public Security Exit and Entry Administration (Passports and Travel Permits)",
    ),
    (
        "fund",
        "住房公积金管理中心（提取与贷款）",
        "Housing Provident Fund Management Centre (Withdrawals and Loans)",
    ),
    (
        "tax",
        "税务局（个人所得税与发票业务）",
        "Taxation Bureau (Individual Income Tax and Invoices)",
    ),
    (
        "civil",
        "民政局（婚姻登记与社会救助）",
        "Civil Affairs Bureau (Marriage Registration and Social Assistance)",
    ),
    (
        "household",
        "公安局户政（户籍迁移与居民身份证）",
        "Public Security Household Registration (Residence Transfers and ID Cards)",
    ),
    (
        "transport",
        "交通运输局（道路运输经营许可）",
        "Transport Bureau (Road Transport Operating Permits)",
    ),
    (
        "health",
        "卫生健康委员会（医师与诊所执业登记）",
        "Health Commission (Doctor and Clinic Practice Registration)",
    ),
    (
        "ecology",
        "生态环境局（建设项目环境影响评价审批）",
        "Ecology and Environment Bureau (Environmental Impact Assessment Approval)",
    ),
    (
        "disabled",
        "残疾人联合会（残疾人证办理与补贴申请）",
        "Disabled Persons' Federation (Disability Certificates and Allowance Applications)",
    ),
]


def catalog(departments=DEPARTMENTS, seq: int = 1) -> dict:
    """The catalog payload of the hall (a matter per department, as a real hall has)."""
    return {
        "seq": seq,
        "hall": {
            "id": "citizen-centre",
            "name": {"zh": "市民服务中心", "en": "Citizen Service Centre"},
            "languages": ["zh", "en"],
            "default_language": "zh",
            "notice": {
                "zh": "请携带身份证原件办理业务；老年人、残疾人、孕妇请走绿色通道。",
                "en": "Please bring your ID card. Priority service for the elderly, disabled "
                "visitors and expectant mothers.",
            },
        },
        "departments": [
            {
                "id": dep_id,
                "prefix": chr(ord("A") + i),
                "name": {"zh": zh, "en": en},
                "matters": [{"id": "general", "name": {"zh": "综合业务", "en": "General matters"}}],
            }
            for i, (dep_id, zh, en) in enumerate(departments)
        ],
    }


def queues(departments=DEPARTMENTS) -> dict[str, dict]:
    """Mid-morning queue states: some long waits, some departments with no window open yet."""
    return {
        dep_id: {
            "waiting": 7 * i,
            "open_windows": 0 if i % 4 == 0 else 2,
            "estimated_wait_s": 540 * i,
        }
        for i, (dep_id, _, _) in enumerate(departments)
    }
