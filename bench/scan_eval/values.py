"""Vectorised value generators for the evaluation tables: one function per *kind* of column.

Every generator has the face ``(rng, n) -> pl.Series`` and builds the whole column with NumPy digit
matrices and Polars string expressions (no per-row Python). Identifiers are valid where the real ones are
(check digits from :mod:`ringfence.detect.checksums`, real CN region codes, real card BINs and IMEI TACs);
decoys are built the way payment systems build them (date-prefixed order numbers, random references).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ringfence.detect.checksums import luhn_check_digits, mod11_2_check_values, rrn_check_digits

Gen = Callable[[np.random.Generator, int], pl.Series]
Digits = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]

_EPOCH = dt.date(1970, 1, 1)
FULL_WIDTH = [chr(0xFF10 + i) for i in range(10)]
ASCII_DIGITS = [str(i) for i in range(10)]

# ------------------------------------------------------------------------------------------ helpers


def day(year: int, month: int = 1, d: int = 1) -> int:
    """Days since 1970-01-01."""
    return (dt.date(year, month, d) - _EPOCH).days


def strings(chars: npt.NDArray[np.uint8]) -> pl.Series:
    """The rows of an ``(n, k)`` matrix of ASCII codes as ``k``-character strings."""
    n, k = chars.shape
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    offsets = np.arange(0, (n + 1) * k, k, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    series = pl.from_arrow(array)
    assert isinstance(series, pl.Series)
    return series.cast(pl.String)


def digit_text(digits: Digits) -> pl.Series:
    """An ``(n, k)`` matrix of digits 0-9 as ``k``-digit strings."""
    return strings(digits + np.uint8(48))


def rand_digits(rng: np.random.Generator, n: int, width: int, *, first_nonzero: bool = False) -> Digits:
    """An ``(n, width)`` matrix of uniform random digits (the first one 1-9 when asked)."""
    out = rng.integers(0, 10, size=(n, width), dtype=np.uint8)
    if first_nonzero and width:
        out[:, 0] = rng.integers(1, 10, size=n, dtype=np.uint8)
    return out


def to_digits(values: Ints, width: int) -> Digits:
    """Non-negative integers as an ``(n, width)`` zero-padded digit matrix."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10).astype(np.uint8)


def pick(rng: np.random.Generator, items: Sequence[str], n: int) -> pl.Series:
    """``n`` uniform draws from ``items`` as a String series."""
    return pl.Series(list(items), dtype=pl.String).gather(rng.integers(0, len(items), size=n))


def blend(rng: np.random.Generator, options: Sequence[pl.Series], weights: Sequence[float]) -> pl.Series:
    """Row ``i`` takes option ``k`` with probability ``weights[k]`` (all options the same length)."""
    n = len(options[0])
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    k = np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(options) - 1)
    frame = pl.DataFrame({f"o{i}": s for i, s in enumerate(options)} | {"k": k})
    return frame.select(
        pl.concat_list([f"o{i}" for i in range(len(options))]).list.get(pl.col("k"))
    ).to_series()


def ymd(days: Ints) -> tuple[Ints, Ints, Ints]:
    """Year, month and day of each day number."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    return year, month, (d - months).astype(np.int64) + 1


def date_digits(days: Ints, *, century: bool = True) -> Digits:
    """YYYYMMDD (or YYMMDD) digit matrix of day numbers."""
    y, m, d = ymd(days)
    year = to_digits(y, 4)[:, (0 if century else 2) :]
    return np.hstack([year, to_digits(m, 2), to_digits(d, 2)])


def date_series(days: Ints) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def group(text: pl.Series, sizes: Sequence[int], sep: str) -> pl.Series:
    """Splits each string into consecutive groups of ``sizes`` joined by ``sep`` (empty groups dropped)."""
    starts = np.cumsum([0, *sizes[:-1]])
    frame = pl.DataFrame({"t": text})
    parts = [pl.col("t").str.slice(int(s), int(k)) for s, k in zip(starts, sizes, strict=True)]
    expr = parts[0]
    for part in parts[1:]:
        expr = expr + pl.when(part.str.len_chars() > 0).then(pl.lit(sep) + part).otherwise(pl.lit(""))
    return frame.select(expr).to_series()


def fill(template: pl.Series, **values: pl.Series) -> pl.Series:
    """Replaces each ``{key}`` in the templates with that row's value."""
    frame = pl.DataFrame({"t": template} | values)
    expr = pl.col("t")
    for key in values:
        expr = expr.str.replace("{" + key + "}", pl.col(key), literal=True)
    return frame.select(expr).to_series()


def full_width(text: pl.Series) -> pl.Series:
    return text.str.replace_many(ASCII_DIGITS, FULL_WIDTH)


def luhn_complete(payload: Digits) -> Digits:
    return np.hstack([payload, luhn_check_digits(payload)[:, None]])


# ------------------------------------------------------------------------------------- vocabularies

# GB/T 2260 county codes with the first year each was assigned (0: before 1950). An ID's area code must
# have existed in its holder's birth year, as python-stdnum's ``cn.ric`` checks; the generator keeps that.
CN_REGIONS = (
    ("110105", "北京市", "北京市", "朝阳区", 0),
    ("110108", "北京市", "北京市", "海淀区", 0),
    ("120104", "天津市", "天津市", "南开区", 0),
    ("310104", "上海市", "上海市", "徐汇区", 0),
    ("310107", "上海市", "上海市", "普陀区", 0),
    ("310115", "上海市", "上海市", "浦东新区", 1992),
    ("140121", "山西省", "太原市", "清徐县", 0),
    ("330122", "浙江省", "杭州市", "桐庐县", 0),
    ("350121", "福建省", "福州市", "闽侯县", 0),
    ("360121", "江西省", "南昌市", "南昌县", 0),
    ("430121", "湖南省", "长沙市", "长沙县", 0),
    ("510121", "四川省", "成都市", "金堂县", 0),
    ("620121", "甘肃省", "兰州市", "永登县", 0),
    ("130102", "河北省", "石家庄市", "长安区", 1983),
    ("210102", "辽宁省", "沈阳市", "和平区", 1983),
    ("230102", "黑龙江省", "哈尔滨市", "道里区", 1983),
    ("320102", "江苏省", "南京市", "玄武区", 1983),
    ("330106", "浙江省", "杭州市", "西湖区", 1983),
    ("350203", "福建省", "厦门市", "思明区", 1983),
    ("370102", "山东省", "济南市", "历下区", 1983),
    ("410105", "河南省", "郑州市", "金水区", 1983),
    ("420106", "湖北省", "武汉市", "武昌区", 1983),
    ("440106", "广东省", "广州市", "天河区", 1985),
    ("440305", "广东省", "深圳市", "南山区", 1990),
    ("510104", "四川省", "成都市", "锦江区", 1990),
    ("500108", "重庆市", "重庆市", "南岸区", 1997),
    ("610113", "陕西省", "西安市", "雁塔区", 1983),
)
CN_ROADS = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "文化路", "新华路", "长江路", "黄河路", "学府路",
    "科技路", "南京路", "迎宾大道", "滨江大道", "东风路", "青年路", "光明街", "幸福路",
)  # fmt: skip
CN_COMPOUNDS = (
    "阳光花园", "锦绣家园", "碧桂园", "万科城", "绿地世纪城", "华润置地", "金色家园", "翠湖小区",
    "幸福里", "书香苑", "滨江花园", "丽景湾",
)  # fmt: skip
KR_DISTRICTS = (
    ("서울특별시", "강남구", "테헤란로"),
    ("서울특별시", "강남구", "도산대로"),
    ("서울특별시", "서초구", "반포대로"),
    ("서울특별시", "송파구", "올림픽로"),
    ("서울특별시", "마포구", "월드컵로"),
    ("서울특별시", "종로구", "세종대로"),
    ("서울특별시", "영등포구", "여의대로"),
    ("부산광역시", "해운대구", "해운대로"),
    ("부산광역시", "부산진구", "중앙대로"),
    ("인천광역시", "연수구", "컨벤시아대로"),
    ("대구광역시", "수성구", "달구벌대로"),
    ("대전광역시", "유성구", "대학로"),
    ("광주광역시", "서구", "상무대로"),
    ("경기도", "성남시 분당구", "판교역로"),
    ("경기도", "수원시 영통구", "광교로"),
    ("경기도", "고양시 일산동구", "중앙로"),
    ("제주특별자치도", "제주시", "연동로"),
)
CITY_CENTRES = (
    (39.9042, 116.4074), (31.2304, 121.4737), (23.1291, 113.2644), (22.5431, 114.0579),
    (30.5728, 104.0668), (30.2741, 120.1551), (34.3416, 108.9398), (37.5665, 126.9780),
    (35.1796, 129.0756), (37.4563, 126.7052), (35.8714, 128.6014), (33.4996, 126.5312),
)  # fmt: skip

CN_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "欧阳", "司马",
)  # fmt: skip
CN_GIVEN = (
    "伟", "芳", "娜", "秀", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "英", "华", "文", "辉", "建", "国", "玲", "婷", "宇", "浩", "凯", "鹏",
    "晨", "欣", "怡", "佳", "子", "涵", "梓", "轩", "思", "雨", "博", "嘉", "俊", "晓", "梅", "琳",
)  # fmt: skip
KR_SURNAMES = (
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안",
    "송", "류", "홍",
)  # fmt: skip
KR_SYLLABLES = (
    "민", "서", "준", "지", "현", "우", "영", "수", "진", "하", "은", "성", "예", "도", "윤", "연", "혜",
    "승", "재", "경", "유", "태", "동", "상", "호", "희", "미", "소", "아", "주", "원", "석", "철", "혁",
    "빈", "나", "다", "라",
)  # fmt: skip
LATIN_FIRST = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "Thomas", "Sarah", "Daniel", "Laura", "Lukas", "Anna", "Jonas", "Sophie", "Pierre", "Camille",
    "Marco", "Giulia", "Pablo", "Lucia", "Sven", "Emma", "Oliver", "Charlotte", "Hugo", "Chloe",
)  # fmt: skip
LATIN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Martin", "Bernard", "Rossi", "Bianchi",
    "García", "Fernández", "de Vries", "Jansen", "Andersson", "Nowak", "O'Brien", "Murphy", "Silva", "Costa",
)  # fmt: skip
PINYIN_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun")
PINYIN_GIVEN = (
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yang", "Jie", "Tao", "Ming", "Chao", "Xiaoming",
    "Yuxuan", "Zihan", "Haoran", "Jiahui", "Siyu", "Yiting", "Junjie",
)  # fmt: skip
KR_ROMAN_SURNAMES = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim")
KR_ROMAN_GIVEN = (
    "Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Do-yun", "Soo-ah", "Jae-won", "Yu-na", "Hyun-woo", "Ji-min",
)  # fmt: skip

CN_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
UNIONPAY_BINS = ("622202", "622848", "621700", "622588", "621226", "622700", "625965", "623058", "622908")
INTL_BINS = ("411111", "453201", "476173", "491653", "510510", "542418", "552133", "535316", "401288")
IMEI_TACS = ("35209900", "35391110", "35467811", "86891204", "86012503", "35875609", "86769803", "35332510")
MCCS = ("5411", "5812", "5814", "5999", "4121", "5311", "5541", "7011", "4814", "5732", "5912", "8062")

MERCHANTS = (
    "老王烧烤", "张记面馆", "沙县小吃(人民路店)", "瑞幸咖啡", "全家便利店", "美团外卖", "滴滴出行",
    "京东商城", "盒马鲜生", "海底捞火锅", "喜茶", "蜜雪冰城", "스타벅스 강남점", "GS25 역삼점", "CU 홍대점",
    "이마트 성수점", "배달의민족", "쿠팡", "올리브영 명동점", "파리바게뜨", "Apple Store", "McDonald's",
)  # fmt: skip
BANKS = (
    "中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行", "浦发银行",
    "국민은행", "신한은행", "우리은행", "하나은행", "농협은행", "카카오뱅크",
)  # fmt: skip
COMPANIES = (
    "上海云帆信息科技有限公司", "深圳市腾达电子有限公司", "杭州阿里巴巴网络技术有限公司",
    "北京字节跳动科技有限公司", "삼성전자", "현대자동차", "네이버", "个体经营", "自由职业",
)  # fmt: skip
CITIES = ("上海", "北京", "深圳", "广州", "杭州", "成都", "서울", "부산", "Shanghai", "Seoul")

# ------------------------------------------------------------------------------------ person data


def cn_name(rng: np.random.Generator, n: int) -> pl.Series:
    given2 = pick(rng, CN_GIVEN, n) + pick(rng, CN_GIVEN, n)
    given = blend(rng, [pick(rng, CN_GIVEN, n), given2], [0.35, 0.65])
    return pick(rng, CN_SURNAMES, n) + given


def kr_name(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, KR_SURNAMES, n) + pick(rng, KR_SYLLABLES, n) + pick(rng, KR_SYLLABLES, n)


def latin_name(rng: np.random.Generator, n: int) -> pl.Series:
    western = pick(rng, LATIN_FIRST, n) + " " + pick(rng, LATIN_LAST, n)
    upper = western.str.to_uppercase()
    return blend(rng, [western, upper], [0.9, 0.1])


def latin_mixed_name(rng: np.random.Generator, n: int) -> pl.Series:
    """Names as a cross-border platform stores them: Western, pinyin and romanised Korean."""
    pinyin = pick(rng, PINYIN_SURNAMES, n) + " " + pick(rng, PINYIN_GIVEN, n)
    korean = pick(rng, KR_ROMAN_SURNAMES, n) + " " + pick(rng, KR_ROMAN_GIVEN, n)
    return blend(rng, [latin_name(rng, n), pinyin, korean], [0.4, 0.4, 0.2])


def cjk_name(rng: np.random.Generator, n: int) -> pl.Series:
    return blend(rng, [cn_name(rng, n), kr_name(rng, n)], [0.6, 0.4])


def _birth_days(rng: np.random.Generator, n: int, lo: int = 1950, hi: int = 2006) -> Ints:
    return rng.integers(day(lo), day(hi, 12, 31), size=n, dtype=np.int64)


def _area_and_birth(rng: np.random.Generator, n: int, lo: int, hi: int) -> tuple[Digits, Ints]:
    """Area-code digits and birth days, each birth no earlier than its area code's first year."""
    regions = np.array([int(r[0]) for r in CN_REGIONS], dtype=np.int64)
    since = np.array([max(lo, r[4]) for r in CN_REGIONS], dtype=np.int64)
    idx = rng.integers(0, len(regions), n)
    usable = since[idx] <= hi
    idx = np.where(usable, idx, 0)  # area 0 has existed since before 1950
    first = (np.array(since[idx] - 1970, dtype="datetime64[Y]").astype("datetime64[D]")).astype(np.int64)
    days = first + (rng.random(n) * (day(hi, 12, 31) - first)).astype(np.int64)
    return to_digits(regions[idx], 6), days


def _cn_id18(rng: np.random.Generator, n: int) -> pl.Series:
    area, days = _area_and_birth(rng, n, 1950, 2006)
    payload = np.hstack([area, date_digits(days), rand_digits(rng, n, 3)])
    check = mod11_2_check_values(payload)
    text = digit_text(np.hstack([payload, np.minimum(check, 9)[:, None].astype(np.uint8)]))
    x = pl.Series(check == 10)
    return pl.select(pl.when(pl.lit(x)).then(text.str.slice(0, 17) + "X").otherwise(pl.lit(text))).to_series()


def _cn_id15(rng: np.random.Generator, n: int) -> pl.Series:
    area, days = _area_and_birth(rng, n, 1940, 1984)
    return digit_text(np.hstack([area, date_digits(days, century=False), rand_digits(rng, n, 3)]))


def cn_id(rng: np.random.Generator, n: int) -> pl.Series:
    """18-digit resident IDs; a check 'X' is written lower-case in a quarter of rows, some are spaced."""
    ids = _cn_id18(rng, n)
    lower = ids.str.to_lowercase()
    spaced = group(ids, [6, 8, 4], " ")
    return blend(rng, [ids, lower, spaced], [0.75, 0.15, 0.10])


def cn_id_mixed(rng: np.random.Generator, n: int) -> pl.Series:
    """18-digit IDs with some legacy 15-digit ones (issued before 1999) among them."""
    return blend(rng, [cn_id(rng, n), _cn_id15(rng, n)], [0.88, 0.12])


def kr_rrn(rng: np.random.Generator, n: int) -> pl.Series:
    """Resident registration numbers: pre-2020 (area code and check digit) and post-2020 (random tail)."""
    days = _birth_days(rng, n, 1950, 2005)
    year = ymd(days)[0]
    male = rng.random(n) < 0.5
    gender = np.where(year >= 2000, np.where(male, 3, 4), np.where(male, 1, 2)).astype(np.int64)
    area = rng.integers(0, 96, size=n, dtype=np.int64)
    payload = np.hstack(
        [date_digits(days, century=False), to_digits(gender, 1), to_digits(area, 2), rand_digits(rng, n, 3)]
    )
    old = np.hstack([payload, rrn_check_digits(payload)[:, None]])
    new = np.hstack([payload[:, :7], rand_digits(rng, n, 6)])
    use_new = (rng.random(n) < 0.08)[:, None]
    text = digit_text(np.where(use_new, new, old))
    hyphen = text.str.slice(0, 6) + "-" + text.str.slice(6)
    return blend(rng, [hyphen, text], [0.8, 0.2])


def _cn_mobile(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, CN_MOBILE_PREFIXES, n) + digit_text(rand_digits(rng, n, 8))


def cn_phone_plain(rng: np.random.Generator, n: int) -> pl.Series:
    return _cn_mobile(rng, n)


def cn_phone_intl(rng: np.random.Generator, n: int) -> pl.Series:
    m = _cn_mobile(rng, n)
    return blend(
        rng, ["+86 " + group(m, [3, 4, 4], " "), "+86" + m, "+86-" + group(m, [3, 4, 4], "-")], [6, 2, 2]
    )


def cn_phone_mixed(rng: np.random.Generator, n: int) -> pl.Series:
    m = _cn_mobile(rng, n)
    options = [
        m,
        group(m, [3, 4, 4], "-"),
        "+86 " + group(m, [3, 4, 4], " "),
        full_width(m),
        group(m, [3, 4, 4], " "),
    ]
    return blend(rng, options, [40, 25, 15, 10, 10])


def cn_phone_spaced(rng: np.random.Generator, n: int) -> pl.Series:
    return group(_cn_mobile(rng, n), [3, 4, 4], " ")


def kr_phone(rng: np.random.Generator, n: int) -> pl.Series:
    body = digit_text(rand_digits(rng, n, 8, first_nonzero=True))
    body = pl.select(pl.when(pl.lit(body).str.starts_with("1")).then(pl.lit("2") + pl.lit(body).str.slice(1))
                     .otherwise(pl.lit(body))).to_series()  # fmt: skip
    dashed = "010-" + group(body, [4, 4], "-")
    landline = "02-" + group(digit_text(rand_digits(rng, n, 8, first_nonzero=True)), [4, 4], "-")
    return blend(rng, [dashed, "010" + body, "+82 10-" + group(body, [4, 4], "-"), landline], [70, 15, 10, 5])


def asia_phone(rng: np.random.Generator, n: int) -> pl.Series:
    return blend(rng, [cn_phone_mixed(rng, n), kr_phone(rng, n)], [0.6, 0.4])


def _local_part(rng: np.random.Generator, n: int) -> pl.Series:
    first = pick(rng, [*PINYIN_GIVEN, *[f.lower() for f in LATIN_FIRST]], n).str.to_lowercase()
    last = pick(rng, [*PINYIN_SURNAMES, *KR_ROMAN_SURNAMES, "smith", "mueller"], n).str.to_lowercase()
    num = pl.Series(rng.integers(1, 9999, n)).cast(pl.String)
    qq = digit_text(rand_digits(rng, n, int(rng.integers(6, 11)), first_nonzero=True))
    return blend(rng, [first + "." + last, first + last + num, last + "_" + first, qq], [3, 3, 2, 2])


def email(rng: np.random.Generator, n: int) -> pl.Series:
    domains = (
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "gmail.com",
        "outlook.com",
        "naver.com",
        "hanmail.net",
    )
    addr = _local_part(rng, n) + "@" + pick(rng, domains, n)
    return blend(rng, [addr, addr.str.to_uppercase()], [0.95, 0.05])


def email_kr(rng: np.random.Generator, n: int) -> pl.Series:
    domains = ("naver.com", "daum.net", "hanmail.net", "gmail.com", "kakao.com", "nate.com")
    return _local_part(rng, n) + "@" + pick(rng, domains, n)


def email_eu(rng: np.random.Generator, n: int) -> pl.Series:
    domains = ("gmail.com", "web.de", "gmx.de", "orange.fr", "libero.it", "outlook.com", "ziggo.nl")
    return _local_part(rng, n) + "@" + pick(rng, domains, n)


def _card(rng: np.random.Generator, n: int, bins: Sequence[str], lengths: Sequence[int]) -> pl.Series:
    prefix = np.array([[int(c) for c in b] for b in bins], dtype=np.uint8)[rng.integers(0, len(bins), n)]
    out = []
    for length in lengths:
        out.append(digit_text(luhn_complete(np.hstack([prefix, rand_digits(rng, n, length - 7)]))))
    return blend(rng, out, [1.0] * len(out))


def _spaced_card(cards: pl.Series, sep: str) -> pl.Series:
    return group(cards, [4, 4, 4, 4, 3], sep)


def card_unionpay(rng: np.random.Generator, n: int) -> pl.Series:
    """UnionPay debit and credit cards, 16 and 19 digits, plain or spaced in fours."""
    cards = _card(rng, n, UNIONPAY_BINS, [16, 19])
    return blend(rng, [cards, _spaced_card(cards, " ")], [0.5, 0.5])


def card_plain(rng: np.random.Generator, n: int) -> pl.Series:
    return blend(rng, [_card(rng, n, UNIONPAY_BINS, [16, 19]), _card(rng, n, INTL_BINS, [16])], [0.6, 0.4])


def card_unionpay19(rng: np.random.Generator, n: int) -> pl.Series:
    return _card(rng, n, UNIONPAY_BINS, [19])


def card_intl(rng: np.random.Generator, n: int) -> pl.Series:
    cards = _card(rng, n, INTL_BINS, [16])
    return blend(rng, [_spaced_card(cards, "-"), cards, _spaced_card(cards, " ")], [0.5, 0.3, 0.2])


def kr_account(rng: np.random.Generator, n: int) -> pl.Series:
    """Korean bank account numbers in the formats of five banks."""
    raw = digit_text(rand_digits(rng, n, 14, first_nonzero=True))
    options = [
        "110-" + group(raw.str.slice(0, 9), [3, 6], "-"),
        group(raw, [6, 2, 6], "-"),
        "1002-" + group(raw.str.slice(0, 9), [3, 6], "-"),
        "352-" + group(raw.str.slice(0, 10), [4, 4, 2], "-"),
        "3333-" + group(raw.str.slice(0, 9), [2, 7], "-"),
    ]
    return blend(rng, options, [1, 1, 1, 1, 1])


def cn_account(rng: np.random.Generator, n: int) -> pl.Series:
    """Passbook-style account numbers: a 4-digit branch code and 13-15 further digits."""
    branch = pick(rng, ("1202", "3100", "4403", "0200", "1001", "5101"), n)
    return blend(rng, [branch + digit_text(rand_digits(rng, n, k)) for k in (13, 14, 15)], [1, 1, 1])


# Country -> (bank code letters or None, digits after the bank code) for four IBAN countries.
_IBAN_FORMATS: dict[str, tuple[tuple[str, ...] | None, int]] = {
    "DE": (None, 18),
    "NL": (("ABNA", "INGB", "RABO", "TRIO"), 10),
    "GB": (("NWBK", "BARC", "HBUK", "LOYD"), 14),
    "AT": (None, 16),
}


def _mod97(codes: npt.NDArray[np.uint8]) -> Ints:
    """Remainder mod 97 of each row of digit/letter codes (0-35), letters counting as two digits."""
    r = np.zeros(codes.shape[0], dtype=np.int64)
    for col in codes.T.astype(np.int64):
        r = np.where(col >= 10, (r * 100 + col) % 97, (r * 10 + col) % 97)
    return r


def _iban_country(rng: np.random.Generator, n: int, country: str) -> pl.Series:
    letters, width = _IBAN_FORMATS[country]
    bban = digit_text(rand_digits(rng, n, width))
    if letters:
        bban = pick(rng, letters, n) + bban
    check = 98 - _mod97(_codes(bban + country + "00"))
    return country + digit_text(to_digits(check, 2)) + bban


def _codes(text: pl.Series) -> npt.NDArray[np.uint8]:
    """Fixed-width upper-case alphanumeric strings as a matrix of values 0-35."""
    width = int(text.str.len_bytes().to_numpy().max())
    raw = np.frombuffer(b"".join(text.cast(pl.Binary).to_list()), dtype=np.uint8).reshape(-1, width)
    return np.where(raw >= 65, raw - 55, raw - 48).astype(np.uint8)


def iban(rng: np.random.Generator, n: int) -> pl.Series:
    """IBANs of four EU/UK countries, compact or printed in groups of four."""
    compact = blend(rng, [_iban_country(rng, n, c) for c in _IBAN_FORMATS], [3, 2, 1, 1])
    return blend(rng, [compact, group(compact, [4] * 9, " ")], [0.5, 0.5])


def passport(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese (E12345678, EA1234567, G12345678) and Korean (M12345678, M123A4567) passport numbers."""
    d8 = digit_text(rand_digits(rng, n, 8))
    d7 = digit_text(rand_digits(rng, n, 7))
    options = [
        "E" + d8,
        "E" + pick(rng, list("ABCDEFGH"), n) + d7,
        "G" + d8,
        "M" + d8,
        "M" + d7.str.slice(0, 3) + pick(rng, list("ABCDEFGHJK"), n) + d7.str.slice(3, 4),
    ]
    return blend(rng, options, [4, 2, 1, 2, 1])


def cn_address(rng: np.random.Generator, n: int) -> pl.Series:
    idx = rng.integers(0, len(CN_REGIONS), n)
    prov = pl.Series([r[1] for r in CN_REGIONS]).gather(idx)
    city = pl.Series([r[2] for r in CN_REGIONS]).gather(idx)
    county = pl.Series([r[3] for r in CN_REGIONS]).gather(idx)
    head = pl.select(
        pl.when(pl.lit(prov) == pl.lit(city)).then(pl.lit(city)).otherwise(pl.lit(prov) + pl.lit(city))
    )
    num = pl.Series(rng.integers(1, 999, n)).cast(pl.String)
    bldg = pl.Series(rng.integers(1, 30, n)).cast(pl.String)
    unit = pl.Series(rng.integers(1, 6, n)).cast(pl.String)
    room = pl.Series(rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n)).cast(pl.String)
    full = head.to_series() + county + pick(rng, CN_ROADS, n) + num + "号" + pick(rng, CN_COMPOUNDS, n)
    full = full + bldg + "栋" + unit + "单元" + room + "室"
    short = city + county + pick(rng, CN_ROADS, n) + num + "号"
    return blend(rng, [full, short], [0.7, 0.3])


def kr_address(rng: np.random.Generator, n: int) -> pl.Series:
    idx = rng.integers(0, len(KR_DISTRICTS), n)
    sido = pl.Series([d[0] for d in KR_DISTRICTS]).gather(idx)
    gu = pl.Series([d[1] for d in KR_DISTRICTS]).gather(idx)
    road = pl.Series([d[2] for d in KR_DISTRICTS]).gather(idx)
    base = sido + " " + gu + " " + road + " " + pl.Series(rng.integers(1, 400, n)).cast(pl.String)
    apt = ", " + pl.Series(rng.integers(101, 121, n)).cast(pl.String) + "동 "
    apt = apt + pl.Series(rng.integers(1, 25, n) * 100 + rng.integers(1, 6, n)).cast(pl.String) + "호"
    return blend(rng, [base, base + apt], [0.4, 0.6])


def _ipv4(rng: np.random.Generator, n: int) -> pl.Series:
    firsts = np.array([36, 39, 42, 58, 101, 112, 114, 117, 121, 175, 183, 211, 218, 222], dtype=np.int64)
    octets = [firsts[rng.integers(0, len(firsts), n)]] + [rng.integers(0, 256, n) for _ in range(3)]
    text = [pl.Series(o).cast(pl.String) for o in octets]
    return text[0] + "." + text[1] + "." + text[2] + "." + text[3]


def _ipv6(rng: np.random.Generator, n: int) -> pl.Series:
    g = [_hex(pl.Series(rng.integers(0, 65536, n))) for _ in range(6)]
    head = pick(rng, ("240e:3a1", "2408:8207", "2409:8a1e", "2001:2d8", "2001:e60"), n)
    full = head + ":" + g[0] + ":" + g[1] + ":" + g[2] + ":" + g[3] + ":" + g[4] + ":" + g[5]
    return blend(rng, [full, head + ":" + g[0] + "::" + g[5]], [0.6, 0.4])


def _hex(values: pl.Series) -> pl.Series:
    """Non-negative integers below 2**16 as lower-case hex without leading zeros."""
    v = values.to_numpy().astype(np.int64)
    nibbles = np.stack([(v >> s) & 15 for s in (12, 8, 4, 0)], axis=1)
    chars = np.where(nibbles < 10, nibbles + 48, nibbles + 87).astype(np.uint8)
    return strings(chars).str.strip_chars_start("0").replace("", "0")


def ip_address(rng: np.random.Generator, n: int) -> pl.Series:
    return blend(rng, [_ipv4(rng, n), _ipv6(rng, n)], [0.75, 0.25])


def ipv4(rng: np.random.Generator, n: int) -> pl.Series:
    return _ipv4(rng, n)


def _imei(rng: np.random.Generator, n: int) -> pl.Series:
    tac = np.array([[int(c) for c in t] for t in IMEI_TACS], dtype=np.uint8)[
        rng.integers(0, len(IMEI_TACS), n)
    ]
    return digit_text(luhn_complete(np.hstack([tac, rand_digits(rng, n, 6)])))


def imei(rng: np.random.Generator, n: int) -> pl.Series:
    return _imei(rng, n)


def imei_dashed(rng: np.random.Generator, n: int) -> pl.Series:
    plain = _imei(rng, n)
    return blend(rng, [group(plain, [2, 6, 6, 1], "-"), plain], [0.7, 0.3])


def _dob_days(rng: np.random.Generator, n: int) -> Ints:
    return _birth_days(rng, n, 1950, 2006)


def dob_iso(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_dob_days(rng, n)).dt.strftime("%Y-%m-%d")


def dob_cn(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_dob_days(rng, n)).dt.strftime("%Y年%m月%d日")


def dob_kr(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_dob_days(rng, n)).dt.strftime("%Y.%m.%d")


def dob_slash(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_dob_days(rng, n)).dt.strftime("%Y/%m/%d")


def dob_date(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_dob_days(rng, n))


def _coords(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    centres = np.array(CITY_CENTRES)[rng.integers(0, len(CITY_CENTRES), n)]
    lat = np.round(centres[:, 0] + rng.normal(0, 0.08, n), 6)
    lon = np.round(centres[:, 1] + rng.normal(0, 0.08, n), 6)
    return pl.Series(lat), pl.Series(lon)


def geo_pair(rng: np.random.Generator, n: int) -> pl.Series:
    lat, lon = _coords(rng, n)
    return blend(rng, [lat.cast(pl.String) + "," + lon.cast(pl.String),
                       lat.cast(pl.String) + ", " + lon.cast(pl.String)], [0.8, 0.2])  # fmt: skip


def latitude(rng: np.random.Generator, n: int) -> pl.Series:
    return _coords(rng, n)[0]


def longitude(rng: np.random.Generator, n: int) -> pl.Series:
    return _coords(rng, n)[1]


def latitude_text(rng: np.random.Generator, n: int) -> pl.Series:
    return _coords(rng, n)[0].cast(pl.String)


def longitude_text(rng: np.random.Generator, n: int) -> pl.Series:
    return _coords(rng, n)[1].cast(pl.String)


# -------------------------------------------------------------------------------------- free text

MEMO_CN = (
    "请尽快发货", "客户要求开具发票", "已退款", "商品质量问题，申请售后", "重复扣款，待核实",
    "用户咨询优惠活动", "配送延迟，已致歉", "已核实，无异常", "商户反馈系统故障", "周末不送货",
    "请放门卫室", "分期付款申请已通过", "积分兑换失败，已补发", "退货已签收", "",
)  # fmt: skip
MEMO_CN_PII = (
    "客户来电{phone}要求退款", "联系人手机：{phone}，请回电", "收货人电话{phone}", "本人身份证{id}已核验",
    "实名认证：身份证号{id}", "用户提供证件{id}申请解冻",
)  # fmt: skip
MEMO_KR = (
    "정기결제 변경 요청", "환불 처리 완료", "배송 지연 안내함", "카드 한도 상향 문의", "이중 결제 확인 중",
    "가맹점 단말기 오류", "포인트 적립 누락", "본인 확인 완료", "해지 요청", "",
)  # fmt: skip
MEMO_KR_PII = ("고객 연락처 {phone} 회신 요망", "{phone} 으로 문자 발송", "보호자 번호 {phone}")
NOTE_EN = (
    "Customer asked about refund status", "Chargeback opened by issuer", "Duplicate charge reversed",
    "Merchant terminal offline", "Delivery address confirmed", "Promo code not applied",
    "KYC documents pending", "Account upgraded to premium", "Card replaced after expiry", "No further action",
)  # fmt: skip
NOTE_EN_PII = ("Customer called back from {phone}", "Please reply to {email}", "Send receipt to {email}",
               "Caller gave alternate number {phone}")  # fmt: skip
SUBJECTS = (
    "退款进度查询", "无法绑定银行卡", "Payment failed", "Refund not received", "账户被冻结", "결제 오류",
    "Where is my order?", "优惠券无法使用", "카드 등록 문의", "App crashes on login", "提现到账时间",
)  # fmt: skip
AGENT_NOTES = (
    "订单{order}已退款{amount}元", "订单{order}重复支付，已原路退回",
    "交易{order}于{time}失败，已提示用户重试", "核实订单{order}，金额{amount}元无误", "已升级至二线处理",
    "用户已确认收到退款",
)  # fmt: skip


def _texts(
    rng: np.random.Generator, n: int, plain: Sequence[str], pii: Sequence[str], share: float
) -> pl.Series:
    return blend(rng, [pick(rng, plain, n), pick(rng, pii, n)], [1 - share, share])


def memo_cn_pii(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese memos; about 4.5% carry a phone number or a resident ID inside the text."""
    return fill(_texts(rng, n, MEMO_CN, MEMO_CN_PII, 0.045), phone=cn_phone_plain(rng, n), id=cn_id(rng, n))


def memo_cn_card(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese memos; about 4% carry a resident ID or a card number inside the text."""
    pii = ("本人身份证{id}已核验", "请退款至卡号{card}", "用户卡号{card}被盗刷，已冻结", "证件号码{id}")
    return fill(_texts(rng, n, MEMO_CN, pii, 0.04), id=cn_id(rng, n), card=card_unionpay19(rng, n))


def memo_kr_pii(rng: np.random.Generator, n: int) -> pl.Series:
    """Korean memos; about 4% carry a phone number inside the text."""
    return fill(_texts(rng, n, MEMO_KR, MEMO_KR_PII, 0.04), phone=kr_phone(rng, n))


def note_en_pii(rng: np.random.Generator, n: int) -> pl.Series:
    """English support notes; about 3.5% carry a phone number or an e-mail address."""
    return fill(_texts(rng, n, NOTE_EN, NOTE_EN_PII, 0.035), phone=cn_phone_intl(rng, n), email=email(rng, n))


def memo_kr_plain(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, MEMO_KR, n)


def subject(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, SUBJECTS, n)


def agent_note(rng: np.random.Generator, n: int) -> pl.Series:
    """Agent notes full of order numbers, amounts and times, and no personal data."""
    return fill(pick(rng, AGENT_NOTES, n), order=order_no(rng, n), amount=amount_str(rng, n), time=ts(rng, n))


# ----------------------------------------------------------------------------------------- decoys


def _recent_days(rng: np.random.Generator, n: int) -> Ints:
    return rng.integers(day(2025, 4, 1), day(2026, 3, 31), size=n, dtype=np.int64)


def order_no(rng: np.random.Generator, n: int) -> pl.Series:
    """Date-prefixed order numbers, 18 or 19 digits (YYYYMMDD + a sequence)."""
    prefix = digit_text(date_digits(_recent_days(rng, n)))
    tails = [digit_text(rand_digits(rng, n, 10)), digit_text(rand_digits(rng, n, 11))]
    return blend(rng, [prefix + tails[0], prefix + tails[1]], [0.5, 0.5])


def order_no19(rng: np.random.Generator, n: int) -> pl.Series:
    return digit_text(date_digits(_recent_days(rng, n))) + digit_text(rand_digits(rng, n, 11))


def trade_ref16(rng: np.random.Generator, n: int) -> pl.Series:
    """Random 16-digit trade references: about 10% pass Luhn by chance."""
    return digit_text(rand_digits(rng, n, 16, first_nonzero=True))


def rand18(rng: np.random.Generator, n: int) -> pl.Series:
    return digit_text(rand_digits(rng, n, 18, first_nonzero=True))


def amount_str(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(np.round(rng.lognormal(4.0, 1.3, n), 2)).cast(pl.String)


def amount_float(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(np.round(rng.lognormal(4.0, 1.3, n), 2))


def amount_cny(rng: np.random.Generator, n: int) -> pl.Series:
    cents = np.round(rng.lognormal(4.0, 1.3, n), 2)
    return "¥" + pl.Series(cents).cast(pl.Decimal(18, 2)).cast(pl.String)


def amount_krw(rng: np.random.Generator, n: int) -> pl.Series:
    won = (np.round(rng.lognormal(9.5, 1.2, n), -2)).astype(np.int64)
    text = pl.Series(won).cast(pl.String)
    return pl.select(pl.lit(text).str.reverse().str.replace_all(r"(\d{3})", "$1,").str.reverse()
                     .str.strip_chars_start(",")).to_series()  # fmt: skip


def amount_eur(rng: np.random.Generator, n: int) -> pl.Series:
    cents = (rng.lognormal(6.0, 1.0, n) * 100).astype(np.int64)
    euros = pl.Series(cents // 100).cast(pl.String)
    grouped = pl.select(pl.lit(euros).str.reverse().str.replace_all(r"(\d{3})", "$1.").str.reverse()
                        .str.strip_chars_start(".")).to_series()  # fmt: skip
    return grouped + "," + pl.Series(cents % 100).cast(pl.String).str.zfill(2)


def amount_int(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series((np.round(rng.lognormal(11.0, 1.0, n), -3)).astype(np.int64))


def mcc(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, MCCS, n)


def _timestamps(rng: np.random.Generator, n: int) -> pl.Series:
    seconds = rng.integers(day(2025, 4, 1) * 86400, day(2026, 3, 31) * 86400, size=n, dtype=np.int64)
    return pl.Series(seconds * 1_000_000).cast(pl.Datetime("us"))


def ts(rng: np.random.Generator, n: int) -> pl.Series:
    return _timestamps(rng, n).dt.strftime("%Y-%m-%d %H:%M:%S")


def ts_iso(rng: np.random.Generator, n: int) -> pl.Series:
    return _timestamps(rng, n).dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def ts_typed(rng: np.random.Generator, n: int) -> pl.Series:
    return _timestamps(rng, n)


def epoch_ms(rng: np.random.Generator, n: int) -> pl.Series:
    return (_timestamps(rng, n).cast(pl.Int64) // 1000 + pl.Series(rng.integers(0, 1000, n))).cast(pl.String)


def booking_date(rng: np.random.Generator, n: int) -> pl.Series:
    return date_series(_recent_days(rng, n)).dt.strftime("%Y-%m-%d")


def reg_date(rng: np.random.Generator, n: int) -> pl.Series:
    """Registration dates of the last eleven years, written like birth dates (``2019.05.12``)."""
    days = rng.integers(day(2015), day(2026, 3, 31), size=n, dtype=np.int64)
    return date_series(days).dt.strftime("%Y.%m.%d")


def merchant(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, MERCHANTS, n)


def sku(rng: np.random.Generator, n: int) -> pl.Series:
    return "SKU-" + digit_text(rand_digits(rng, n, 5)) + "-" + pick(rng, ("BLK", "WHT", "RED", "L", "XL"), n)


def status(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("SUCCESS", "FAILED", "REFUNDED", "PENDING", "CLOSED"), n)


def status_cn(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("成功", "失败", "已退款", "处理中"), n)


def currency(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("CNY", "KRW", "USD", "EUR", "HKD"), n)


def country_code(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("CN", "KR", "DE", "NL", "FR", "GB"), n)


def _hex_digest(rng: np.random.Generator, n: int, length: int) -> pl.Series:
    nibbles = rng.integers(0, 16, size=(n, length), dtype=np.uint8)
    return strings(np.where(nibbles < 10, nibbles + 48, nibbles + 87).astype(np.uint8))


def md5(rng: np.random.Generator, n: int) -> pl.Series:
    return _hex_digest(rng, n, 32)


def sha256(rng: np.random.Generator, n: int) -> pl.Series:
    return _hex_digest(rng, n, 64)


def uuid(rng: np.random.Generator, n: int) -> pl.Series:
    h = _hex_digest(rng, n, 32)
    variant = pick(rng, ("8", "9", "a", "b"), n)
    return (
        h.str.slice(0, 8) + "-" + h.str.slice(8, 4) + "-4" + h.str.slice(13, 3) + "-" + variant
        + h.str.slice(17, 3) + "-" + h.str.slice(20, 12)
    )  # fmt: skip


def count(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.poisson(4, n).astype(np.int64))


def count_text(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.poisson(30, n).astype(np.int64)).cast(pl.String)


def level(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.integers(0, 4, n)).cast(pl.String)


def cust_id(rng: np.random.Generator, n: int) -> pl.Series:
    return "C" + digit_text(rand_digits(rng, n, 8))


def cust_no(rng: np.random.Generator, n: int) -> pl.Series:
    return "KH" + digit_text(rand_digits(rng, n, 10))


def member_no(rng: np.random.Generator, n: int) -> pl.Series:
    return (
        "CU-"
        + pick(rng, ("2021", "2022", "2023", "2024", "2025"), n)
        + "-"
        + digit_text(rand_digits(rng, n, 6))
    )


def user_id(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.integers(10_000_000, 99_999_999, n))


def postcode_cn(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("100020", "200030", "510620", "518057", "310012", "610041", "430079"), n)


def ean13(rng: np.random.Generator, n: int) -> pl.Series:
    """EAN-13 product barcodes from the Chinese (690-695) and Korean (880) ranges, with check digits."""
    prefix = np.array(
        [[int(c) for c in p] for p in ("690", "691", "692", "693", "695", "880")], dtype=np.uint8
    )
    body = np.hstack([prefix[rng.integers(0, len(prefix), n)], rand_digits(rng, n, 9)]).astype(np.int64)
    weights = np.tile([1, 3], 6)
    check = ((10 - (body @ weights) % 10) % 10).astype(np.uint8)
    return digit_text(np.hstack([body.astype(np.uint8), check[:, None]]))


def merchant_no(rng: np.random.Generator, n: int) -> pl.Series:
    """15-digit UnionPay merchant numbers (898 + area + MCC + sequence)."""
    return (
        "898"
        + pick(rng, ("3100", "4403", "1100", "3301"), n)
        + pick(rng, MCCS, n)
        + digit_text(rand_digits(rng, n, 4))
    )


def terminal_id(rng: np.random.Generator, n: int) -> pl.Series:
    return digit_text(rand_digits(rng, n, 8, first_nonzero=True))


def bank_name(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, BANKS, n)


def app_version(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("5.12.3", "5.12.4", "5.13.0", "6.0.1", "4.9.8"), n)


def exchange_rate(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(
        np.round(rng.choice([0.1385, 7.1932, 0.00072, 1382.5, 0.1301], n) * rng.uniform(0.99, 1.01, n), 5)
    )


def accuracy(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(np.round(rng.gamma(2.0, 15.0, n), 1)).cast(pl.String)


def cell_id(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.integers(10_000, 268_435_455, n)).cast(pl.String)


def city(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, CITIES, n)


def card_masked(rng: np.random.Generator, n: int) -> pl.Series:
    """Truncated card numbers (first six, last four), which PCI DSS treats as no longer a PAN."""
    cards = _card(rng, n, UNIONPAY_BINS, [16])
    return cards.str.slice(0, 6) + "******" + cards.str.slice(12, 4)


def bic(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("DEUTDEFF", "COBADEFFXXX", "INGBNL2A", "ABNANL2A", "NWBKGB2L", "BKAUATWW"), n)


def partner_ref(rng: np.random.Generator, n: int) -> pl.Series:
    return "EP-" + digit_text(rand_digits(rng, n, 7))


def employer(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, COMPANIES, n)


def ticket_no(rng: np.random.Generator, n: int) -> pl.Series:
    return "TK" + digit_text(date_digits(_recent_days(rng, n))) + digit_text(rand_digits(rng, n, 4))


def channel(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("app", "web", "hotline", "wechat", "kakao"), n)


def priority(rng: np.random.Generator, n: int) -> pl.Series:
    return pick(rng, ("P1", "P2", "P3", "P4"), n)


def session_len(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(np.round(rng.exponential(120.0, n), 2))
