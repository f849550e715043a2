"""The evaluation tables and their labels, as data: which columns each table has and what each one holds.

A column is a header and a *kind*; the kind names the generator (:mod:`bench.scan_eval.values`) and the
label (the expected entity, or ``None`` for a column that holds no personal data, and for
``FREE_TEXT_PII`` the entities it must report in ``contains``). Labels therefore cannot drift from the
data: they are derived from the same table the generator reads.

Every column with an expected ``None`` is a *decoy*: a column a careless detector could flag (order
numbers, references, amounts, dates, codes, hashes, free text without personal data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.scan_eval import values as v


@dataclass(frozen=True)
class Kind:
    """How a column's values are made and what a correct scan says about them."""

    gen: v.Gen
    entity: str | None
    contains: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    # personal data
    "cn_name": Kind(v.cn_name, "PERSON_NAME"),
    "kr_name": Kind(v.kr_name, "PERSON_NAME"),
    "latin_name": Kind(v.latin_name, "PERSON_NAME"),
    "latin_mixed_name": Kind(v.latin_mixed_name, "PERSON_NAME"),
    "cjk_name": Kind(v.cjk_name, "PERSON_NAME"),
    "cn_id": Kind(v.cn_id, "CN_RESIDENT_ID"),
    "cn_id_mixed": Kind(v.cn_id_mixed, "CN_RESIDENT_ID"),
    "kr_rrn": Kind(v.kr_rrn, "KR_RRN"),
    "cn_phone_plain": Kind(v.cn_phone_plain, "PHONE_NUMBER"),
    "cn_phone_intl": Kind(v.cn_phone_intl, "PHONE_NUMBER"),
    "cn_phone_mixed": Kind(v.cn_phone_mixed, "PHONE_NUMBER"),
    "cn_phone_spaced": Kind(v.cn_phone_spaced, "PHONE_NUMBER"),
    "kr_phone": Kind(v.kr_phone, "PHONE_NUMBER"),
    "asia_phone": Kind(v.asia_phone, "PHONE_NUMBER"),
    "email": Kind(v.email, "EMAIL_ADDRESS"),
    "email_kr": Kind(v.email_kr, "EMAIL_ADDRESS"),
    "email_eu": Kind(v.email_eu, "EMAIL_ADDRESS"),
    "card_unionpay": Kind(v.card_unionpay, "PAYMENT_CARD"),
    "card_unionpay19": Kind(v.card_unionpay19, "PAYMENT_CARD"),
    "card_plain": Kind(v.card_plain, "PAYMENT_CARD"),
    "card_intl": Kind(v.card_intl, "PAYMENT_CARD"),
    "kr_account": Kind(v.kr_account, "BANK_ACCOUNT"),
    "cn_account": Kind(v.cn_account, "BANK_ACCOUNT"),
    "iban": Kind(v.iban, "IBAN"),
    "passport": Kind(v.passport, "PASSPORT_NUMBER"),
    "cn_address": Kind(v.cn_address, "POSTAL_ADDRESS"),
    "kr_address": Kind(v.kr_address, "POSTAL_ADDRESS"),
    "ip_address": Kind(v.ip_address, "IP_ADDRESS"),
    "ipv4": Kind(v.ipv4, "IP_ADDRESS"),
    "imei": Kind(v.imei, "IMEI"),
    "imei_dashed": Kind(v.imei_dashed, "IMEI"),
    "dob_iso": Kind(v.dob_iso, "DATE_OF_BIRTH"),
    "dob_cn": Kind(v.dob_cn, "DATE_OF_BIRTH"),
    "dob_kr": Kind(v.dob_kr, "DATE_OF_BIRTH"),
    "dob_slash": Kind(v.dob_slash, "DATE_OF_BIRTH"),
    "dob_date": Kind(v.dob_date, "DATE_OF_BIRTH"),
    "geo_pair": Kind(v.geo_pair, "GEO_COORDINATE"),
    "latitude": Kind(v.latitude, "GEO_COORDINATE"),
    "longitude": Kind(v.longitude, "GEO_COORDINATE"),
    "latitude_text": Kind(v.latitude_text, "GEO_COORDINATE"),
    "longitude_text": Kind(v.longitude_text, "GEO_COORDINATE"),
    "memo_cn_pii": Kind(v.memo_cn_pii, "FREE_TEXT_PII", ("CN_RESIDENT_ID", "PHONE_NUMBER")),
    "memo_cn_card": Kind(v.memo_cn_card, "FREE_TEXT_PII", ("CN_RESIDENT_ID", "PAYMENT_CARD")),
    "memo_kr_pii": Kind(v.memo_kr_pii, "FREE_TEXT_PII", ("PHONE_NUMBER",)),
    "note_en_pii": Kind(v.note_en_pii, "FREE_TEXT_PII", ("EMAIL_ADDRESS", "PHONE_NUMBER")),
    # decoys: no personal data
    "memo_kr_plain": Kind(v.memo_kr_plain, None),
    "subject": Kind(v.subject, None),
    "agent_note": Kind(v.agent_note, None),
    "order_no": Kind(v.order_no, None),
    "order_no19": Kind(v.order_no19, None),
    "trade_ref16": Kind(v.trade_ref16, None),
    "rand18": Kind(v.rand18, None),
    "amount_str": Kind(v.amount_str, None),
    "amount_float": Kind(v.amount_float, None),
    "amount_cny": Kind(v.amount_cny, None),
    "amount_krw": Kind(v.amount_krw, None),
    "amount_eur": Kind(v.amount_eur, None),
    "amount_int": Kind(v.amount_int, None),
    "mcc": Kind(v.mcc, None),
    "ts": Kind(v.ts, None),
    "ts_iso": Kind(v.ts_iso, None),
    "ts_typed": Kind(v.ts_typed, None),
    "epoch_ms": Kind(v.epoch_ms, None),
    "booking_date": Kind(v.booking_date, None),
    "reg_date": Kind(v.reg_date, None),
    "merchant": Kind(v.merchant, None),
    "sku": Kind(v.sku, None),
    "status": Kind(v.status, None),
    "status_cn": Kind(v.status_cn, None),
    "currency": Kind(v.currency, None),
    "country_code": Kind(v.country_code, None),
    "md5": Kind(v.md5, None),
    "sha256": Kind(v.sha256, None),
    "uuid": Kind(v.uuid, None),
    "count": Kind(v.count, None),
    "count_text": Kind(v.count_text, None),
    "level": Kind(v.level, None),
    # the platform's own keys of a person: personal (issue 14), no longer decoys
    "cust_id": Kind(v.cust_id, "INTERNAL_ID"),
    "cust_no": Kind(v.cust_no, "INTERNAL_ID"),
    "member_no": Kind(v.member_no, "INTERNAL_ID"),
    "user_id": Kind(v.user_id, "INTERNAL_ID"),
    "postcode_cn": Kind(v.postcode_cn, None),
    "ean13": Kind(v.ean13, None),
    "merchant_no": Kind(v.merchant_no, None),
    "terminal_id": Kind(v.terminal_id, None),
    "bank_name": Kind(v.bank_name, None),
    "app_version": Kind(v.app_version, None),
    "exchange_rate": Kind(v.exchange_rate, None),
    "accuracy": Kind(v.accuracy, None),
    "cell_id": Kind(v.cell_id, None),
    "city": Kind(v.city, None),
    "card_masked": Kind(v.card_masked, None),
    "bic": Kind(v.bic, None),
    "partner_ref": Kind(v.partner_ref, None),
    "employer": Kind(v.employer, None),
    "ticket_no": Kind(v.ticket_no, None),
    "channel": Kind(v.channel, None),
    "priority": Kind(v.priority, None),
    "session_len": Kind(v.session_len, None),
}


@dataclass(frozen=True)
class Table:
    """One exported file: its name, format, encoding, size, junk placeholders and columns."""

    file: str
    fmt: str  # csv | parquet | jsonl
    rows: int
    columns: Sequence[tuple[str, str]]  # (header, kind)
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030 | euc-kr
    separator: str = ","
    junk: Sequence[str] = ("", "N/A", "null")
    junk_share: tuple[float, float] = (0.05, 0.30)  # per column, drawn uniformly in this range


CN_JUNK = ("未知", "无", "-", "")
KR_JUNK = ("없음", "-", "", "미상")

TABLES: tuple[Table, ...] = (
    Table(
        "customers_en.csv",
        "csv",
        5_000,
        [
            ("customer_id", "cust_id"),
            ("full_name", "latin_mixed_name"),
            ("mobile", "cn_phone_intl"),
            ("email", "email"),
            ("id_number", "cn_id"),
            ("date_of_birth", "dob_iso"),
            ("registered_at", "ts"),
            ("address", "cn_address"),
            ("city", "city"),
            ("status", "status"),
            ("balance", "amount_str"),
            ("kyc_level", "level"),
        ],
    ),
    Table(
        "客户资料_gbk.csv",
        "csv",
        6_000,
        [
            ("客户编号", "cust_no"),
            ("姓名", "cn_name"),
            ("身份证号", "cn_id_mixed"),
            ("手机号", "cn_phone_mixed"),
            ("联系地址", "cn_address"),
            ("银行卡号", "card_unionpay"),
            ("开户行", "bank_name"),
            ("出生日期", "dob_cn"),
            ("注册时间", "ts"),
            ("邮编", "postcode_cn"),
            ("备注", "memo_cn_pii"),
            ("账户余额", "amount_cny"),
        ],
        encoding="gb18030",
        junk=CN_JUNK,
    ),
    Table(
        "고객정보_euckr.csv",
        "csv",
        5_000,
        [
            ("고객번호", "member_no"),
            ("성명", "kr_name"),
            ("주민번호", "kr_rrn"),
            ("휴대폰", "kr_phone"),
            ("주소", "kr_address"),
            ("카드번호", "card_intl"),
            ("계좌번호", "kr_account"),
            ("거래금액", "amount_krw"),
            ("가입일", "reg_date"),
            ("생년월일", "dob_kr"),
            ("이메일", "email_kr"),
            ("메모", "memo_kr_pii"),
        ],
        encoding="euc-kr",
        junk=KR_JUNK,
    ),
    Table(
        "transactions.parquet",
        "parquet",
        20_000,
        [
            ("txn_id", "trade_ref16"),
            ("order_no", "order_no"),
            ("customer_id", "user_id"),
            ("card_no", "card_plain"),
            ("card_no_masked", "card_masked"),
            ("amount", "amount_float"),
            ("currency", "currency"),
            ("mcc", "mcc"),
            ("merchant_name", "merchant"),
            ("created_at", "ts_typed"),
            ("status", "status"),
            ("client_ip", "ip_address"),
            ("device_imei", "imei"),
            ("lat", "latitude"),
            ("lng", "longitude"),
        ],
        junk=("",),
    ),
    Table(
        "export_0315.tsv",
        "csv",
        5_000,
        [
            ("c1", "order_no"),
            ("c2", "cn_name"),
            ("c3", "cn_phone_plain"),
            ("c4", "cn_id"),
            ("c5", "amount_str"),
            ("c6", "ts"),
            ("c7", "card_unionpay19"),
            ("c8", "email"),
            ("c9", "uuid"),
        ],
        separator="\t",
        junk=("", "NULL", "-"),
    ),
    Table(
        "eu_partner_payouts.csv",
        "csv",
        2_000,
        [
            ("partner_ref", "partner_ref"),
            ("account_holder", "latin_name"),
            ("iban", "iban"),
            ("bic", "bic"),
            ("passport_no", "passport"),
            ("nationality", "country_code"),
            ("amount_eur", "amount_eur"),
            ("booking_date", "booking_date"),
            ("value_date", "booking_date"),
            ("email", "email_eu"),
        ],
        separator=";",
        junk=("", "n/a"),
    ),
    Table(
        "app_events.jsonl",
        "jsonl",
        8_000,
        [
            ("event_id", "uuid"),
            ("user_ip", "ip_address"),
            ("imei", "imei_dashed"),
            ("gps", "geo_pair"),
            ("ua_hash", "sha256"),
            ("event_time", "ts_iso"),
            ("app_version", "app_version"),
            ("clicks", "count"),
            ("sku", "sku"),
            ("epoch_ms", "epoch_ms"),
            ("session_len", "session_len"),
        ],
        junk=("", "null"),
    ),
    Table(
        "legacy_dump_bom.csv",
        "csv",
        4_000,
        [
            ("col_a", "kr_rrn"),
            ("col_b", "kr_phone"),
            ("field7", "md5"),
            ("ref", "rand18"),
            ("x", "dob_iso"),
            ("col_c", "kr_address"),
            ("col_d", "kr_name"),
            ("col_e", "trade_ref16"),
            ("col_f", "mcc"),
            ("col_g", "cn_address"),
            ("col_h", "imei"),
        ],
        encoding="utf-8-sig",
        junk=("N/A", "未知", "없음", ""),
    ),
    Table(
        "settlement_merchants.csv",
        "csv",
        3_000,
        [
            ("merchant_no", "merchant_no"),
            ("商户名称", "merchant"),
            ("mcc", "mcc"),
            ("terminal_id", "terminal_id"),
            ("结算日期", "booking_date"),
            ("交易笔数", "count_text"),
            ("交易金额", "amount_str"),
            ("手续费", "amount_str"),
            ("currency", "currency"),
            ("batch_no", "order_no19"),
            ("商品条码", "ean13"),
            ("exchange_rate", "exchange_rate"),
        ],
        junk=("", "-"),
        junk_share=(0.0, 0.05),
    ),
    Table(
        "kr_remittance.parquet",
        "parquet",
        4_000,
        [
            ("수취인", "kr_name"),
            ("수취계좌", "kr_account"),
            ("은행명", "bank_name"),
            ("송금액", "amount_int"),
            ("여권번호", "passport"),
            ("생년월일", "dob_date"),
            ("이메일", "email_kr"),
            ("송금일시", "ts_typed"),
            ("메모", "memo_kr_plain"),
            ("국가코드", "country_code"),
        ],
        junk=KR_JUNK,
    ),
    Table(
        "support_tickets.csv",
        "csv",
        5_000,
        [
            ("ticket_no", "ticket_no"),
            ("channel", "channel"),
            ("subject", "subject"),
            ("customer_note", "note_en_pii"),
            ("agent_note", "agent_note"),
            ("created", "ts"),
            ("contact", "cn_phone_spaced"),
            ("priority", "priority"),
            ("备注", "memo_cn_card"),
        ],
        junk=("", "N/A"),
    ),
    Table(
        "location_history.csv",
        "csv",
        6_000,
        [
            ("用户ID", "user_id"),
            ("纬度", "latitude_text"),
            ("经度", "longitude_text"),
            ("定位时间", "ts"),
            ("设备号", "imei"),
            ("IP地址", "ipv4"),
            ("精度(米)", "accuracy"),
            ("城市", "city"),
            ("基站ID", "cell_id"),
        ],
        encoding="gb18030",
        junk=CN_JUNK,
    ),
    Table(
        "kyc_fields_gbk.csv",
        "csv",
        4_000,
        [
            ("field1", "cn_id_mixed"),
            ("field2", "cn_phone_mixed"),
            ("field3", "cn_name"),
            ("field4", "passport"),
            ("field5", "dob_slash"),
            ("field6", "amount_str"),
            ("field7", "rand18"),
            ("field8", "cn_address"),
            ("field9", "ts"),
            ("field10", "geo_pair"),
        ],
        encoding="gb18030",
        junk=CN_JUNK,
    ),
    Table(
        "card_applications.jsonl",
        "jsonl",
        5_000,
        [
            ("app_id", "ticket_no"),
            ("applicant", "cjk_name"),
            ("id_no", "cn_id"),
            ("mobile_no", "asia_phone"),
            ("home_addr", "cn_address"),
            ("employer", "employer"),
            ("annual_income", "amount_int"),
            ("birth", "dob_iso"),
            ("credit_limit", "amount_int"),
            ("card_pan", "card_unionpay"),
            ("email", "email"),
            ("apply_ts", "ts"),
            ("payee_account", "cn_account"),
        ],
        junk=("", "N/A", "-"),
    ),
)


def label(kind: str) -> Kind:
    """The kind registered under ``kind`` (a KeyError names a spec mistake)."""
    return KINDS[kind]
