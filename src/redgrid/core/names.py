"""Realistic, deterministic people data for the demo, and validators for ID and phone numbers.

The generator is seeded (`random.Random` with a string seed, hashed with SHA-512, so the same seed
gives the same people on every run and machine). The validators are used on real input and follow
GB 11643-1999 《公民身份号码》 exactly.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

MALE = "M"
FEMALE = "F"

# --- ID numbers (GB 11643-1999) ------------------------------------------------------------------------

# Weight of position i is 2^(17-i) mod 11 (ISO 7064 MOD 11-2); the check character makes the weighted
# sum of all 18 positions ≡ 1 (mod 11), with X standing for 10.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # indexed by (weighted sum of the first 17 digits) mod 11

# First two digits of the address code: provinces (GB/T 2260), plus 71/81/82/83 used by Taiwan, Hong
# Kong and Macao residence permits (居住证).
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_EARLIEST_BIRTH = date(1900, 1, 1)


def id_check_digit(first17: str) -> str:
    """The 18th character for the 17 given digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("需要 17 位数字")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_error(value: str, today: date | None = None) -> str | None:
    """Why `value` is not a valid 18-digit 居民身份证号码, in Chinese; None when it is valid.

    1. 18 characters: 17 digits and a digit or X (a lower-case x is accepted as X).
    2. The first two digits are a province code (or 71/81/82/83 for residence permits).
    3. Digits 7–14 are a real calendar date between 1900-01-01 and today.
    4. The 18th character is the MOD 11-2 check character of the first 17.
    """
    if not isinstance(value, str):
        return "身份证号码应为文本"
    value = value.strip().upper()
    if len(value) != 18:
        return "身份证号码应为 18 位"
    if not value.isascii() or not _ID_PATTERN.match(value):
        return "身份证号码前 17 位应为数字，最后一位为数字或 X"
    if int(value[:2]) not in _PROVINCE_CODES:
        return "身份证号码的地址码不正确"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if not (_EARLIEST_BIRTH <= born <= (today or date.today())):
        return "身份证号码中的出生日期不合理"
    if id_check_digit(value[:17]) != value[17]:
        return "身份证号码校验位不正确，请检查是否输错"
    return None


def id_number_is_valid(value: str, today: date | None = None) -> bool:
    return id_number_error(value, today) is None


def id_number_birth_date(value: str) -> date:
    """The birth date in a valid ID number; ValueError (Chinese message) if the number is invalid."""
    error = id_number_error(value)
    if error:
        raise ValueError(error)
    value = value.strip()
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_gender(value: str) -> str:
    """MALE for an odd sequence digit (the 17th), FEMALE for an even one."""
    error = id_number_error(value)
    if error:
        raise ValueError(error)
    return MALE if int(value.strip()[16]) % 2 else FEMALE


# --- phone numbers ------------------------------------------------------------------------------------

_PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


def phone_is_valid(value: str) -> bool:
    """A mainland mobile number: 11 ASCII digits starting with 13–19 (no spaces, no +86)."""
    return isinstance(value, str) and value.isascii() and bool(_PHONE_PATTERN.match(value))


# Allocated mobile prefixes (中国移动/联通/电信/广电), weighted roughly by how many numbers are in use.
_PHONE_PREFIXES = {
    **dict.fromkeys(["134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159"], 8),
    **dict.fromkeys(["182", "183", "187", "188", "178", "147", "198", "195", "184"], 4),
    **dict.fromkeys(["130", "131", "132", "155", "156", "185", "186", "175", "176", "166"], 5),
    **dict.fromkeys(["133", "153", "180", "181", "189", "177", "173", "199", "191", "193"], 4),
    **dict.fromkeys(["192", "190", "196", "197"], 1),
}

# --- people -------------------------------------------------------------------------------------------

# Surname weights in 0.01 % of the population: the national ranking (公安部 2020 姓名报告) tilted
# towards Shandong, where 王 张 李 刘 are even more dominant, 于 孙 and 韩 are common and the southern
# 黄 林 罗 陈 are rarer.
_SURNAMES = {
    "王": 880, "张": 820, "李": 780, "刘": 620, "陈": 300, "杨": 300, "赵": 260, "孙": 250,
    "马": 170, "于": 160, "高": 150, "郭": 150, "徐": 140, "周": 140, "吴": 110, "朱": 110,
    "胡": 90, "韩": 110, "宋": 100, "黄": 80, "郑": 90, "何": 60, "林": 50, "罗": 40,
    "丁": 80, "曹": 80, "田": 80, "邢": 50, "梁": 70, "谢": 40, "唐": 50, "许": 70,
    "冯": 70, "董": 70, "程": 60, "袁": 50, "邓": 30, "傅": 30, "沈": 30, "曾": 20,
    "彭": 40, "吕": 60, "苏": 60, "卢": 50, "蒋": 40, "蔡": 40, "贾": 60, "魏": 70,
    "薛": 50, "叶": 30, "闫": 50, "余": 20, "潘": 40, "杜": 60, "戴": 30, "夏": 40,
    "钟": 20, "汪": 20, "任": 60, "姜": 80, "范": 50, "方": 40, "石": 50, "姚": 40,
    "谭": 30, "廖": 10, "邹": 30, "熊": 10, "金": 30, "陆": 20, "郝": 40, "孔": 40,
    "白": 40, "崔": 60, "康": 30, "毛": 30, "邱": 30, "秦": 40, "江": 30, "史": 40,
    "顾": 20, "侯": 50, "邵": 40, "孟": 60, "龙": 10, "万": 20, "段": 30, "雷": 20,
    "钱": 20, "汤": 20, "尹": 40, "常": 40, "武": 40, "乔": 30, "贺": 30, "龚": 10,
    "文": 20, "庞": 30, "牛": 40, "葛": 40, "单": 30, "柴": 20, "房": 20, "鞠": 20,
    "隋": 20, "栾": 20, "尚": 20, "陶": 30, "翟": 20, "臧": 20, "国": 10, "滕": 20,
    # Two-character surnames: rare.
    "欧阳": 2, "司马": 1, "诸葛": 1, "上官": 1, "东方": 1,
}  # fmt: skip

# Given-name characters by birth cohort and gender, after the fashions of each period: revolution and
# construction (建国 卫东), reform and opening (伟 丽), the 1980s–90s (磊 婷) and the 2000s–10s (梓 涵).
_GIVEN = {
    1930: {
        MALE: "德福贵山林海庆成洪志文新胜利忠长永春生荣祥发宝富全义国华明军民友良俊",
        FEMALE: "秀英兰芳玉珍桂凤华梅霞琴淑翠荣云香莲爱美红菊娥素荷贞秋",
    },
    1960: {
        MALE: "建军伟强勇刚斌东峰波涛明平辉华海志卫国民林俊红兵新军庆利忠学文",
        FEMALE: "丽红艳霞燕玲敏静芳萍娟英梅华云秀丹莉青春玉凤琳洁",
    },
    1980: {
        MALE: "伟磊鹏超杰浩涛强斌亮飞鑫勇健凯帅龙宁晨刚波阳俊峰旭东明辉",
        FEMALE: "静丽婷娜敏燕莉倩雪颖晶蕾丹琳慧佳楠璐艳芳洁晓萍玲媛",
    },
    2000: {
        MALE: "子梓宇轩浩博文睿泽一俊逸晨辰宸铭皓航昊然豪奕沐承佑煜嘉瑞",
        FEMALE: "子梓涵欣怡诗雨萱可馨梦佳思语一若琪依妍悦彤瑶沐雅晴安宁",
    },
}
# Share of one-character given names by cohort (they peaked among children born in the 1980s–90s).
_SINGLE_SHARE = {1930: 0.15, 1960: 0.3, 1980: 0.35, 2000: 0.12}

# Shandong 2020 census: 汉族 99.3 %, 回族 the largest minority. Minorities are over-weighted a little
# so a demo street shows a few.
_ETHNICITIES = {
    "汉族": 9850, "回族": 80, "满族": 20, "蒙古族": 10, "朝鲜族": 10, "壮族": 8, "苗族": 6,
    "土家族": 6, "彝族": 4, "藏族": 3, "维吾尔族": 3,
}  # fmt: skip

# Highest education attained (or being attained) by age band, in per cent, rounded from the 2020
# census for urban Shandong; older people went to school when fewer could.
_EDUCATION_BY_AGE = [
    (18, 34, {"初中": 14, "高中": 14, "中专": 10, "大专": 26, "本科": 31, "硕士研究生": 4.5, "博士研究生": 0.5}),
    (35, 49, {"小学": 4, "初中": 30, "高中": 20, "中专": 11, "大专": 15, "本科": 17, "硕士研究生": 2.6, "博士研究生": 0.4}),
    (50, 64, {"小学": 15, "初中": 40, "高中": 25, "中专": 7, "大专": 7, "本科": 5.5, "硕士研究生": 0.5}),
    (65, 79, {"未上过学": 8, "小学": 35, "初中": 32, "高中": 17, "中专": 3, "大专": 3, "本科": 2}),
    (80, 200, {"未上过学": 30, "小学": 40, "初中": 18, "高中": 8, "中专": 2, "大专": 1, "本科": 1}),
]  # fmt: skip

_OCCUPATIONS_BY_EDUCATION = {
    "low": {
        "个体工商户": 10, "企业职工": 16, "工人": 16, "农民": 6, "司机": 6, "快递员": 5, "外卖骑手": 5,
        "厨师": 4, "保安": 4, "保洁员": 4, "家政服务员": 3, "销售人员": 6, "自由职业": 4, "无业": 6,
        "料理家务": 4,
    },
    "mid": {
        "企业职工": 20, "个体工商户": 10, "销售人员": 8, "会计": 5, "护士": 4, "技术员": 6, "工人": 8,
        "司机": 4, "社区工作者": 3, "事业单位职工": 5, "自由职业": 6, "电工": 3, "无业": 4,
    },
    "high": {
        "企业职工": 18, "工程师": 10, "教师": 9, "医生": 5, "公务员": 6, "事业单位职工": 9, "程序员": 5,
        "会计": 5, "律师": 1, "销售人员": 5, "社区工作者": 3, "个体工商户": 4, "自由职业": 4,
        "研究人员": 2,
    },
}  # fmt: skip
_HIGH_EDUCATION = {"大专", "本科", "硕士研究生", "博士研究生"}
_MID_EDUCATION = {"高中", "中专"}

# Roads of 潍坊市奎文区 for demo addresses: 街 run east–west, 路 north–south.
_ROADS = (
    "文化路", "新华路", "鸢飞路", "虞河路", "北海路", "四平路", "潍州路", "和平路", "东方路",
    "胜利东街", "东风东街", "健康东街", "福寿东街", "民生东街", "北宫东街", "宝通东街", "玉清东街",
    "樱前街", "金宝街", "卧龙东街",
)  # fmt: skip


def road_names() -> list[str]:
    return list(_ROADS)


def building_address(road: str, number: int, building=None, unit=None, room=None) -> str:
    """Format as 文化路123号3号楼2单元501室; trailing parts may be left out (文化路123号3号楼 is a building)."""
    text = f"{road}{number}号"
    if building is not None:
        text += f"{building}号楼"
    if unit is not None:
        text += f"{unit}单元"
    if room is not None:
        text += f"{room}室"
    return text


def _normalise_gender(gender: str) -> str:
    if gender in (MALE, "男", "male"):
        return MALE
    if gender in (FEMALE, "女", "female"):
        return FEMALE
    raise ValueError(f"未知性别：{gender!r}")


def _years_before(day: date, years: int) -> date:
    # 29 February has no counterpart in most years: use 28 February, as age reckoning does.
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Person:
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    id_number: str
    phone: str  # "" for children too young to have their own
    education: str
    occupation: str


class PersonGenerator:
    """Seeded source of plausible people living in 山东潍坊; one instance never repeats an ID or phone."""

    def __init__(self, seed: int | str = 0):
        self.rng = random.Random(f"person:{seed}")
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()

    def _weighted(self, table: dict):
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def gender(self) -> str:
        return MALE if self.rng.random() < 0.51 else FEMALE

    def ethnicity(self) -> str:
        return self._weighted(_ETHNICITIES)

    def name(self, gender: str, birth_year: int | None = None) -> str:
        """Surname by frequency and a one- or two-character given name in fashion for the birth year."""
        gender = _normalise_gender(gender)
        if birth_year is None:
            birth_year = self.rng.randrange(1935, 2021)
        cohort = max(start for start in _GIVEN if start <= max(birth_year, 1930))
        pool = _GIVEN[cohort][gender]
        surname = self._weighted(_SURNAMES)
        if self.rng.random() < _SINGLE_SHARE[cohort]:
            return surname + self.rng.choice(pool)
        first, second = self.rng.choice(pool), self.rng.choice(pool)
        # Doubled names (婷婷) exist but are rare; otherwise pick a different second character.
        while second == first and self.rng.random() < 0.9:
            second = self.rng.choice(pool)
        return surname + first + second

    def birth_date(self, min_age: int, max_age: int, today: date | None = None) -> date:
        """A uniformly random birth date for someone aged min_age..max_age (inclusive) on `today`."""
        if not 0 <= min_age <= max_age:
            raise ValueError("年龄范围不正确")
        today = today or date.today()
        latest = _years_before(today, min_age)
        earliest = _years_before(today, max_age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, region6: str, birth_date: date, gender: str) -> str:
        """A valid, not yet issued (by this generator) 18-digit number: odd sequence for men, even for women."""
        if len(region6) != 6 or not region6.isdigit():
            raise ValueError("地址码应为 6 位数字")
        male = _normalise_gender(gender) == MALE
        for _ in range(200):
            # Sequence 000 is not issued; men get 001–999 odd, women 002–998 even.
            sequence = self.rng.randrange(500) * 2 + 1 if male else self.rng.randrange(1, 500) * 2
            first17 = f"{region6}{birth_date:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number
        raise RuntimeError("no unused ID number left for this place, date and gender")

    def phone(self) -> str:
        while True:
            number = self._weighted(_PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def education(self, age: int) -> str:
        """Highest schooling for the age: the current school for children, the census mix for adults."""
        if age < 6:
            return "学龄前"
        if age < 12:
            return "小学"
        if age < 15:
            return "初中"
        if age < 18:
            return self._weighted({"高中": 60, "中专": 28, "初中": 12})
        band = next(table for low, high, table in _EDUCATION_BY_AGE if low <= age <= high)
        return self._weighted(band)

    def occupation(
        self, age: int | None = None, education: str | None = None, gender: str | None = None
    ) -> str:
        """An occupation that fits age and education (retired after the statutory age, pupils before 18)."""
        if age is not None:
            if age < 6:
                return "学龄前儿童"
            if age < 18 or (age <= 24 and education in _HIGH_EDUCATION and self.rng.random() < 0.5):
                return "学生"
            # Statutory retirement was 60 for men and 50–55 for women (now rising); the young old
            # often keep working.
            retire_at = 60 if gender != FEMALE else 55
            if age >= retire_at and self.rng.random() < min(0.95, 0.6 + 0.05 * (age - retire_at)):
                return "退休人员"
        level = "high" if education in _HIGH_EDUCATION else "mid" if education in _MID_EDUCATION else "low"
        return self._weighted(_OCCUPATIONS_BY_EDUCATION[level])

    def person(
        self, region6: str = "370705", min_age: int = 0, max_age: int = 95, today: date | None = None
    ) -> Person:
        """A consistent person: name fits birth year and gender, ID fits both, school fits age.

        `region6` defaults to 370705, the address code of 潍坊市奎文区.
        """
        today = today or date.today()
        gender = self.gender()
        born = self.birth_date(min_age, max_age, today)
        age = age_on(born, today)
        education = self.education(age)
        return Person(
            name=self.name(gender, born.year),
            gender=gender,
            birth_date=born,
            ethnicity=self.ethnicity(),
            id_number=self.id_number(region6, born, gender),
            phone=self.phone() if age >= 12 else "",
            education=education,
            occupation=self.occupation(age, education, gender),
        )
