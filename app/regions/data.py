"""The administrative divisions the platform ships with (GB/T 2260 codes, 2024 edition):
Zhejiang, Wenzhou and Wenzhou's twelve county-level divisions (温州市辖 4 区、5 县，代管 3 个县级市).

Rows only grow: a code is never renamed or reused (organisations point at it). ``flask regions
load`` adds rows that are missing and corrects names; the first migration of the table inserted
the rows below."""

PROVINCE, CITY, COUNTY = "province", "city", "county"

# (code, name, English name, parent code, level)
DIVISIONS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("330000", "浙江省", "Zhejiang Province", None, PROVINCE),
    ("330300", "温州市", "Wenzhou", "330000", CITY),
    ("330302", "鹿城区", "Lucheng District", "330300", COUNTY),
    ("330303", "龙湾区", "Longwan District", "330300", COUNTY),
    ("330304", "瓯海区", "Ouhai District", "330300", COUNTY),
    ("330305", "洞头区", "Dongtou District", "330300", COUNTY),
    ("330324", "永嘉县", "Yongjia County", "330300", COUNTY),
    ("330326", "平阳县", "Pingyang County", "330300", COUNTY),
    ("330327", "苍南县", "Cangnan County", "330300", COUNTY),
    ("330328", "文成县", "Wencheng County", "330300", COUNTY),
    ("330329", "泰顺县", "Taishun County", "330300", COUNTY),
    ("330381", "瑞安市", "Rui'an", "330300", COUNTY),
    ("330382", "乐清市", "Yueqing", "330300", COUNTY),
    ("330383", "龙港市", "Longgang", "330300", COUNTY),
)
