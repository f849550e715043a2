"""The commercial vocabulary: merchant categories (ISO 18245 MCCs) with their daily rhythm, ticket size and
payment channels; shop brands; banks with their card issuer prefixes; and the short notes people type into a
payment's memo field."""

from __future__ import annotations

from dataclasses import dataclass

# Relative activity per hour of the day (0-23) for kinds of spending.
HOURLY_SHAPES: dict[str, tuple[float, ...]] = {
    "meal": (0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.5, 1.5, 2.0, 1.0, 1.2, 4.5,
             6.0, 3.0, 1.0, 0.8, 1.0, 2.5, 5.0, 5.0, 3.0, 1.5, 1.0, 0.6),
    "convenience": (0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.9, 2.5, 3.5, 2.6, 2.0, 2.2,
                    2.8, 2.2, 2.0, 2.2, 2.3, 2.6, 3.0, 3.0, 2.6, 2.0, 1.5, 1.0),
    "retail": (0.2, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.4, 2.8,
               2.8, 2.7, 2.6, 2.6, 2.7, 2.9, 3.4, 3.8, 3.6, 2.6, 1.2, 0.5),
    "commute": (1.2, 0.8, 0.4, 0.2, 0.2, 0.4, 1.5, 4.5, 5.0, 2.0, 1.2, 1.2,
                1.5, 1.2, 1.2, 1.4, 2.0, 4.0, 4.8, 3.0, 2.0, 2.0, 2.2, 1.8),
    "online": (1.6, 1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.0, 1.4, 1.7, 2.0,
               2.3, 2.0, 1.8, 1.8, 1.8, 1.9, 2.1, 2.6, 3.2, 3.5, 3.2, 2.4),
    "bills": (0.1, 0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.6, 1.8, 3.0, 3.2, 3.0,
              2.2, 2.6, 3.0, 2.8, 2.4, 2.0, 1.6, 1.4, 1.2, 0.9, 0.5, 0.2),
    "hotel": (0.8, 0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.0, 1.2, 1.6, 2.0,
              2.4, 2.6, 3.0, 3.0, 2.8, 2.6, 2.6, 2.8, 2.8, 2.2, 1.6, 1.2),
    "fuel": (0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1.2, 2.6, 3.0, 2.2, 1.8, 1.8,
             1.8, 1.6, 1.6, 1.8, 2.2, 3.0, 3.2, 2.4, 1.6, 1.0, 0.7, 0.5),
    "evening": (0.8, 0.4, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5,
                1.8, 2.0, 2.2, 2.2, 2.2, 2.5, 3.5, 4.5, 4.5, 3.5, 2.2, 1.4),
    "p2p": (0.5, 0.3, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.2, 2.6,
            3.0, 2.4, 2.0, 2.0, 2.0, 2.2, 2.6, 3.0, 3.2, 3.0, 2.2, 1.2),
}  # fmt: skip


@dataclass(frozen=True)
class Category:
    """A merchant category: its MCC, when and how much people spend there, and who sells it."""

    mcc: str
    shape: str  # key of the hourly activity profile
    share: float  # share of all payments
    median_cny: float
    median_krw: float
    sigma: float  # spread of the log-normal ticket size
    channels: tuple[float, float, float]  # QR, NFC, online (China; Korea uses NFC more)
    memo: str  # key of the memo vocabulary
    cn_brands: tuple[str, ...]
    kr_brands: tuple[str, ...]
    branches: bool = True  # shops named after their location ("星巴克(人民路店)")
    independents: tuple[str, ...] = ()  # kinds of independent Chinese shop ("面馆"), named after the owner
    kr_independents: tuple[str, ...] = ()  # kinds of independent Korean shop ("국밥"), named with a word


CATEGORIES: tuple[Category, ...] = (
    Category("5411", "retail", 0.13, 68, 25_000, 0.8, (0.7, 0.2, 0.1), "grocery",
             ("永辉超市", "华润万家", "沃尔玛", "盒马鲜生", "物美超市", "大润发", "家乐福", "联华超市"),
             ("이마트", "홈플러스", "롯데마트", "하나로마트", "노브랜드")),
    Category("5499", "convenience", 0.12, 18, 6_500, 0.7, (0.8, 0.2, 0.0), "grocery",
             ("全家", "罗森", "7-Eleven", "美宜佳", "便利蜂", "见福便利店", "芙蓉兴盛"),
             ("GS25", "CU", "세븐일레븐", "이마트24"), independents=("水果店", "便利店", "烟酒店"),
             kr_independents=("과일가게", "반찬가게", "슈퍼")),
    Category("5812", "meal", 0.16, 85, 28_000, 0.7, (0.75, 0.15, 0.1), "meal",
             ("海底捞火锅", "西贝莜面村", "外婆家", "太二酸菜鱼", "老乡鸡", "绿茶餐厅", "眉州东坡"),
             ("김밥천국", "본죽", "새마을식당", "원할머니보쌈", "명륜진사갈비"),
             independents=("面馆", "饺子馆", "川菜馆", "烧烤", "麻辣烫"),
             kr_independents=("국밥", "식당", "칼국수")),
    Category("5814", "meal", 0.12, 28, 8_000, 0.5, (0.8, 0.15, 0.05), "meal",
             ("麦当劳", "肯德基", "沙县小吃", "兰州拉面", "华莱士", "瑞幸咖啡", "星巴克", "喜茶", "蜜雪冰城"),
             ("맥도날드", "롯데리아", "버거킹", "맘스터치", "스타벅스", "이디야커피", "메가커피", "빽다방",
              "교촌치킨"),
             independents=("早餐店", "包子铺", "奶茶店"), kr_independents=("분식", "김밥", "치킨", "떡볶이")),
    Category("4121", "commute", 0.06, 24, 12_000, 0.6, (0.3, 0.1, 0.6), "taxi",
             ("滴滴出行", "曹操出行", "T3出行", "高德打车", "首汽约车"), ("카카오T", "우티", "타다"),
             branches=False),
    Category("4111", "commute", 0.05, 4, 1_500, 0.4, (0.3, 0.7, 0.0), "transit",
             ("{c}地铁", "{c}公交"), ("티머니", "코레일", "{c} 시내버스"), branches=False),
    Category("5541", "fuel", 0.03, 300, 70_000, 0.4, (0.6, 0.3, 0.1), "fuel",
             ("中国石化加油站", "中国石油加油站", "壳牌加油站", "中海油加油站"),
             ("SK에너지", "GS칼텍스", "현대오일뱅크", "S-OIL")),
    Category("5999", "retail", 0.06, 120, 20_000, 1.0, (0.5, 0.2, 0.3), "shopping",
             ("名创优品", "晨光文具", "得力文具"), ("다이소", "교보문고", "아트박스"),
             independents=("花店", "宠物店", "杂货店"), kr_independents=("꽃집", "문구", "철물점")),
    Category("4900", "bills", 0.02, 150, 60_000, 0.7, (0.1, 0.0, 0.9), "bills",
             ("国家电网", "南方电网", "{c}自来水", "{c}燃气"), ("한국전력공사", "{c}도시가스", "K-water"),
             branches=False),
    Category("5912", "retail", 0.03, 55, 12_000, 0.8, (0.7, 0.25, 0.05), "health",
             ("国大药房", "老百姓大药房", "益丰大药房", "大参林", "海王星辰", "同仁堂"),
             ("온누리약국", "365약국", "봄약국", "튼튼약국")),
    Category("7011", "hotel", 0.015, 450, 150_000, 0.6, (0.3, 0.2, 0.5), "leisure",
             ("如家酒店", "汉庭酒店", "7天酒店", "全季酒店", "亚朵酒店", "锦江之星"),
             ("롯데호텔", "신라스테이", "그랜드 하얏트", "호텔 신라")),
    Category("5732", "online", 0.02, 1200, 350_000, 1.0, (0.2, 0.2, 0.6), "shopping",
             ("苏宁易购", "国美电器", "华为授权体验店", "小米之家", "Apple Store"),
             ("롯데하이마트", "삼성디지털프라자", "LG베스트샵", "전자랜드")),
    Category("5311", "retail", 0.03, 260, 90_000, 0.9, (0.6, 0.3, 0.1), "shopping",
             ("万达百货", "银泰百货", "王府井百货", "天虹商场", "新世界百货"),
             ("롯데백화점", "신세계백화점", "현대백화점", "갤러리아백화점")),
    Category("5651", "retail", 0.03, 220, 60_000, 0.8, (0.5, 0.2, 0.3), "shopping",
             ("优衣库", "ZARA", "海澜之家", "太平鸟", "李宁", "安踏"),
             ("유니클로", "무신사 스탠다드", "탑텐", "스파오")),
    Category("7832", "evening", 0.015, 70, 15_000, 0.4, (0.4, 0.1, 0.5), "leisure",
             ("万达影城", "CGV影城", "博纳国际影城", "大地影院"), ("CGV", "롯데시네마", "메가박스")),
    Category("4814", "bills", 0.015, 60, 55_000, 0.6, (0.2, 0.0, 0.8), "bills",
             ("中国移动", "中国联通", "中国电信"), ("SK텔레콤", "KT", "LG유플러스"), branches=False),
    Category("5977", "retail", 0.015, 180, 30_000, 0.8, (0.6, 0.2, 0.2), "shopping",
             ("屈臣氏", "丝芙兰", "完美日记", "娇兰佳人"), ("올리브영", "아리따움", "이니스프리")),
    Category("8062", "bills", 0.01, 180, 40_000, 1.0, (0.8, 0.1, 0.1), "health",
             ("{c}第一人民医院", "{c}中心医院", "{c}中医院"), ("{c}의료원", "세브란스병원", "서울대학교병원"),
             branches=False),
)  # fmt: skip

#: Person-to-person transfers: (kind, share of all transactions, median CNY, median KRW, sigma).
TRANSFER_KINDS: tuple[tuple[str, float, float, float, float], ...] = (
    ("p2p", 0.075, 200, 50_000, 1.2),
    ("rent", 0.01, 3_500, 600_000, 0.45),
    ("gift", 0.015, 0, 0, 0),
)
#: Amounts people send as gifts: lucky red-packet sums in China, round sums in Korea.
GIFT_CNY = (6.66, 8.88, 16.8, 20.0, 50.0, 66.0, 66.66, 88.0, 88.88, 100.0, 188.0, 200.0, 520.0, 888.0)
GIFT_KRW = (10_000.0, 20_000.0, 30_000.0, 50_000.0, 100_000.0)

CHANNELS = ("QR", "NFC", "online", "transfer")
STATUSES: tuple[tuple[str, float], ...] = (
    ("success", 97.2), ("failed", 1.6), ("refunded", 0.8), ("pending", 0.4),
)  # fmt: skip

# Words Korean shop owners put in front of what they sell ("행복분식", "엄마손김밥").
KR_INDEPENDENT_PREFIXES = ("행복", "엄마손", "할매", "옛날", "우리", "소문난", "원조")

# Memo vocabulary: per kind, Chinese and Korean notes. "{name}" is the other party's name, "{m}" the month.
# Meals have four kinds by time of day (see MEAL_MEMO_OF_HOUR).
MEMOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "meal_morning": (("早餐", "早饭", "豆浆油条", "咖啡", "包子"), ("아침", "커피", "모닝커피", "김밥")),
    "meal_noon": (("午饭", "午餐", "工作餐", "咖啡", "奶茶", "外卖", "请客"),
                  ("점심", "점심 식대", "커피", "배달")),
    "meal_evening": (("晚饭", "聚餐AA", "请客", "外卖", "奶茶", "团建"),
                     ("저녁", "회식", "배달", "더치페이")),
    "meal_night": (("夜宵", "烧烤", "外卖"), ("야식", "배달", "치킨")),
    "grocery": (("买菜", "超市购物", "日用品", "零食", "水果"), ("장보기", "생필품", "간식", "편의점")),
    "taxi": (("打车", "滴滴", "出租车", "加班打车"), ("택시비", "택시", "카카오T 택시")),
    "transit": (("地铁", "公交"), ("교통비", "지하철")),
    "fuel": (("加油",), ("주유",)),
    "shopping": (("网购", "衣服", "化妆品", "生日礼物", "退货补差价"), ("쇼핑", "옷", "화장품", "선물")),
    "bills": (("电费", "水费", "燃气费", "话费充值", "宽带费"),
              ("전기요금", "가스요금", "휴대폰 요금", "관리비")),
    "health": (("买药", "挂号费", "看病"), ("약값", "병원비")),
    "leisure": (("酒店", "住宿", "电影票"), ("숙박", "영화")),
    "p2p": (("转账给{name}", "还{name}的钱", "{name}的份子钱", "借款", "还款", "AA", "生活费", "代付"),
            ("{name}님께 송금", "{name} 회비", "더치페이", "용돈", "생활비", "축의금", "빌린 돈")),
    "rent": (("房租", "{m}月房租", "押金", "物业费"), ("월세", "{m}월 월세", "관리비", "보증금")),
    "gift": (("红包", "新年快乐", "生日快乐", "恭喜发财"), ("생일 축하해", "세뱃돈", "축하해")),
}  # fmt: skip

#: Which meal memo kind fits each hour of the day: 0 morning, 1 noon, 2 evening, 3 night.
MEAL_MEMO_OF_HOUR = (3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3)
MEAL_MEMOS = ("meal_morning", "meal_noon", "meal_evening", "meal_night")

# Notes with personal data typed into them: "{phone}" is someone's mobile number, "{id}" an ID number.
PII_MEMOS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("收货人电话{phone}", "联系电话:{phone}", "请回电{phone}", "代付 身份证{id}", "身份证号{id} 报销",
     "{phone} 代充话费", "帮{name}交社保 身份证{id}"),
    ("연락처 {phone}", "{phone}로 연락주세요", "주민번호 {id}", "배송 연락 {phone}",
     "{name} 주민번호 {id} 대리접수"),
)  # fmt: skip


@dataclass(frozen=True)
class Bank:
    """A bank, how common it is, its card issuer prefixes and its account-number shape."""

    name: str
    country: str
    weight: float
    bins: tuple[tuple[int, int], ...]  # (6-digit issuer prefix, card length)
    account_prefix: str
    account_length: int


# Issuer prefixes follow the real brand ranges exactly (UnionPay 62, Visa 4, Mastercard 51-55 and 2221-2720);
# which bank uses which prefix is illustrative.
BANKS: tuple[Bank, ...] = (
    Bank("中国工商银行", "CN", 18,
         ((622202, 19), (621226, 19), (622208, 19), (427020, 16), (524047, 16)), "0200", 19),
    Bank("中国建设银行", "CN", 16, ((621700, 19), (622700, 19), (436742, 16), (552245, 16)), "4100", 20),
    Bank("中国农业银行", "CN", 14, ((622848, 19), (622845, 19), (548478, 16)), "1230", 19),
    Bank("中国银行", "CN", 12, ((621661, 19), (621785, 19), (456351, 16), (518378, 16)), "3365", 17),
    Bank("招商银行", "CN", 11, ((622588, 16), (621483, 16), (439225, 16), (552534, 16)), "7559", 16),
    Bank("交通银行", "CN", 7, ((622260, 19), (622262, 19), (458123, 16)), "3100", 21),
    Bank("中国邮政储蓄银行", "CN", 8, ((621799, 19), (622188, 19)), "6000", 18),
    Bank("兴业银行", "CN", 4, ((622909, 18), (622908, 18), (222760, 16)), "1170", 18),
    Bank("中信银行", "CN", 4, ((622690, 16), (435744, 16)), "7111", 19),
    Bank("浦发银行", "CN", 3, ((622521, 16), (456418, 16)), "9520", 17),
    Bank("平安银行", "CN", 3, ((622155, 16), (623058, 19), (528020, 16)), "1101", 14),
    Bank("KB국민은행", "KR", 18, ((457973, 16), (540926, 16), (222981, 16)), "", 14),
    Bank("신한은행", "KR", 16, ((451842, 16), (536181, 16)), "110", 12),
    Bank("우리은행", "KR", 12, ((461954, 16), (515594, 16)), "1002", 13),
    Bank("하나은행", "KR", 11, ((404825, 16), (524353, 16)), "", 14),
    Bank("NH농협은행", "KR", 12, ((465887, 16), (546252, 16)), "302", 13),
    Bank("IBK기업은행", "KR", 7, ((433028, 16), (625904, 16)), "", 14),
    Bank("카카오뱅크", "KR", 12, ((536648, 16), (465939, 16)), "3333", 13),
    Bank("토스뱅크", "KR", 6, ((409354, 16), (223341, 16)), "1000", 12),
    Bank("케이뱅크", "KR", 3, ((434976, 16),), "100", 12),
    Bank("부산은행", "KR", 3, ((464942, 16), (522006, 16)), "101", 12),
)  # fmt: skip
