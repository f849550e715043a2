"""Header hints: what a column's name says about its entity, in English, Chinese and Korean.

A header is only a hint. Names lie (``ref``, ``c7``, ``备注``) and look-alikes share words (``order_no`` is
not a passport number), so a hint raises the confidence of what the values already show, and decides only
between entities the values cannot tell apart (a bank account number and any other run of digits).
Headers are normalised first: lower case, NFKC, separators (``_ - . space``) removed.
"""

from __future__ import annotations

import re
import unicodedata

# Substrings that suggest each entity. Checked after normalisation; longer, more specific words first.
HINTS: dict[str, tuple[str, ...]] = {
    "CN_RESIDENT_ID": (
        "身份证",
        "证件号",
        "公民身份",
        "residentid",
        "citizenid",
        "idcard",
        "idno",
        "nationalid",
        "sfz",
        "shenfenzheng",
        "ric",
    ),
    "KR_RRN": ("주민등록", "주민번호", "rrn", "residentregistration", "jumin"),
    "PHONE_NUMBER": (
        "phone",
        "mobile",
        "cellphone",
        "tel",
        "msisdn",
        "手机",
        "电话",
        "联系方式",
        "联系电话",
        "手机号",
        "휴대폰",
        "핸드폰",
        "전화",
        "연락처",
        "휴대전화",
    ),
    "EMAIL_ADDRESS": ("email", "mail", "邮箱", "电子邮件", "이메일", "메일"),
    "PAYMENT_CARD": (
        "card",
        "pan",
        "cardno",
        "cardnumber",
        "卡号",
        "银行卡",
        "信用卡",
        "카드번호",
        "카드",
    ),
    "BANK_ACCOUNT": (
        "account",
        "acct",
        "accountno",
        "bankaccount",
        "账号",
        "账户",
        "帐号",
        "银行账户",
        "계좌",
        "계좌번호",
    ),
    "IBAN": ("iban",),
    "PASSPORT_NUMBER": ("passport", "护照", "여권"),
    "PERSON_NAME": (
        "name",
        "fullname",
        "firstname",
        "lastname",
        "surname",
        "holder",
        "payee",
        "payer",
        "姓名",
        "名字",
        "户名",
        "收款人",
        "付款人",
        "持卡人",
        "이름",
        "성명",
        "예금주",
        "고객명",
    ),
    "POSTAL_ADDRESS": ("address", "addr", "street", "地址", "住址", "收货地址", "주소", "거주지"),
    "IP_ADDRESS": ("ip", "ipaddr", "ipaddress", "clientip", "ip地址", "아이피"),
    "IMEI": ("imei", "deviceid", "设备号", "단말기"),
    "DATE_OF_BIRTH": ("birth", "dob", "birthday", "birthdate", "出生", "生日", "생년월일", "생일"),
    "GEO_COORDINATE": (
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "gps",
        "coord",
        "location",
        "经度",
        "纬度",
        "위도",
        "경도",
    ),
    "FREE_TEXT_PII": (
        "memo",
        "remark",
        "note",
        "comment",
        "description",
        "备注",
        "附言",
        "留言",
        "메모",
        "비고",
    ),
}

# Words that say a column is NOT personal data even when its values look like an identifier.
NOT_PERSONAL: tuple[str, ...] = (
    "order",
    "txn",
    "trade",
    "transaction",
    "serial",
    "ref",
    "merchant",
    "mcc",
    "amount",
    "price",
    "sku",
    "订单",
    "交易",
    "流水",
    "商户",
    "金额",
    "주문",
    "거래",
    "가맹점",
    "금액",
)

_SEPARATORS = re.compile(r"[\s_\-./:()\[\]#]+")


def normalise(header: str) -> str:
    """Lower-case NFKC form of a header with separators removed (``Phone_No.`` → ``phoneno``)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", header).lower())


def _matches(name: str, word: str) -> bool:
    # Short Latin hints (ip, tel, pan, lat) must be a whole token of the original header, not a substring
    # of a longer word ("tip", "hotel", "company", "translate").
    return word in name if len(word) > 3 or not word.isascii() else False


def _tokens(header: str) -> set[str]:
    text = unicodedata.normalize("NFKC", header)
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    return {t for t in re.split(r"[^0-9a-z\u3131-\uD7A3\u4E00-\u9FFF]+", text) if t}


def hinted_entities(header: str) -> set[str]:
    """The entities whose hint words the header holds."""
    name = normalise(header)
    tokens = _tokens(header)
    found = set()
    for entity, words in HINTS.items():
        for word in words:
            if _matches(name, word) or (word.isascii() and len(word) <= 3 and word in tokens):
                found.add(entity)
                break
    return found


def says_not_personal(header: str) -> bool:
    """True when the header names a business identifier or amount (``order_no``, ``交易流水号``)."""
    name = normalise(header)
    tokens = _tokens(header)
    return any(
        word in name if (len(word) > 3 or not word.isascii()) else word in tokens for word in NOT_PERSONAL
    )
