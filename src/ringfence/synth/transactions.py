"""The transactions table, generated in fixed-size chunks.

Chunk ``c`` (rows ``c * CHUNK_ROWS`` up to the next chunk) is drawn from its own stream ``(seed, 5, c)``,
so any chunk can be made on its own and the rows never depend on how they are later batched.

Time: transaction ``g`` of ``N`` sits at quantile ``(g + U) / N`` of the year's activity curve (a day-by-hour
histogram with weekly rhythm, shopping festivals and Spring Festival, and a daily rhythm that peaks at lunch
and in the evening), so timestamps rise monotonically through the file as in a real payment log.
What: the hour decides the kind of spending (breakfast, commute, lunch, bills in office hours, online
shopping late at night) or a person-to-person transfer. Who and where: an active customer (heavy-tailed
activity) who had registered by then, paying mostly in their own city, sometimes travelling, rarely abroad.
``ts`` is naive local time; ``lat``/``lon`` are within metres of the merchant for QR and NFC payments and
around the customer's home for online payments and transfers (which have no merchant).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from ringfence.synth import contact, places
from ringfence.synth.accounts import Accounts
from ringfence.synth.commerce import (
    CATEGORIES,
    CHANNELS,
    GIFT_CNY,
    GIFT_KRW,
    HOURLY_SHAPES,
    MEAL_MEMO_OF_HOUR,
    MEAL_MEMOS,
    MEMOS,
    PII_MEMOS,
    STATUSES,
    TRANSFER_KINDS,
)
from ringfence.synth.config import TXN_END, TXN_START, SynthConfig
from ringfence.synth.customers import Population
from ringfence.synth.merchants import Merchants
from ringfence.synth.rand import (
    BoolArray,
    FloatArray,
    IntArray,
    RowPicker,
    choose_in_groups,
    civil_from_days,
    datetimes,
    day_number,
    nulls,
    pick,
    repeat_table,
    stream,
    take,
)

STREAM = 5
#: Rows per generated chunk. Fixed: changing it changes the data.
CHUNK_ROWS = 1 << 17
_DAY = 86_400
_WEEKDAY = (0.94, 0.95, 0.97, 1.0, 1.12, 1.18, 1.04)  # Monday .. Sunday
_SPECIAL_DAYS: tuple[tuple[str, str, float], ...] = (
    ("2025-06-18", "2025-06-18", 1.4),  # 618 shopping festival
    ("2025-10-01", "2025-10-07", 1.1),  # National Day golden week
    ("2025-11-11", "2025-11-11", 1.8),  # Singles' Day
    ("2026-02-10", "2026-02-16", 1.3),  # before Spring Festival / Seollal
    ("2026-02-17", "2026-02-23", 0.85),  # Spring Festival holiday
)
_HOME_CITY_SHARE = 0.85
_ABROAD_SHARE = 0.015  # payments in the other country (mixed platforms only)
_MEMO_SHARE_PAYMENT = 0.45
_MEMO_SHARE_TRANSFER = 0.8
_PII_MEMO_SHARE = 0.03  # of non-empty memos: a phone or ID number typed into the note
_SAME_IP_SHARE = 0.6
_IP_POOL = 1 << 16  # carrier addresses per country that payments come from besides the customer's usual one
_SLOTS = {"{name}": 1, "{phone}": 2, "{id}": 3, "{m}": 4}

#: Columns and types of the transactions table.
SCHEMA = pl.Schema(
    [
        ("txn_id", pl.String()),
        ("customer_id", pl.String()),
        ("account_id", pl.String()),
        ("merchant_id", pl.String()),
        ("amount", pl.Float64()),
        ("currency", pl.String()),
        ("ts", pl.Datetime("us")),
        ("channel", pl.String()),
        ("status", pl.String()),
        ("memo", pl.String()),
        ("device_ip", pl.String()),
        ("lat", pl.Float64()),
        ("lon", pl.Float64()),
    ]
)


def _compile_templates(
    groups: list[tuple[str, ...]],
) -> tuple[pl.Series, IntArray, pl.Series, IntArray, IntArray]:
    """Splits memo templates at their one placeholder: prefixes, slot kinds, suffixes, and the first index
    and size of each group of templates."""
    prefixes: list[str] = []
    slots: list[int] = []
    suffixes: list[str] = []
    sizes: list[int] = []
    for group in groups:
        sizes.append(len(group))
        for template in group:
            slot = next((s for s in _SLOTS if s in template), None)
            if slot is None:
                prefixes.append(template)
                slots.append(0)
                suffixes.append("")
            else:
                head, tail = template.split(slot, 1)
                prefixes.append(head)
                slots.append(_SLOTS[slot])
                suffixes.append(tail)
    size = np.array(sizes, dtype=np.int64)
    return pl.Series(prefixes), np.array(slots), pl.Series(suffixes), np.cumsum(size) - size, size


class TransactionGenerator:
    """Makes any chunk of a platform's transactions from the customers, accounts and merchants."""

    def __init__(
        self, config: SynthConfig, population: Population, accounts: Accounts, merchants: Merchants,
        cities: pl.DataFrame,
    ) -> None:  # fmt: skip
        self.seed = config.seed
        self.total = config.transactions
        self.mixed = config.locale == "mixed"
        self.pop = population
        self.accounts = accounts
        self.merchants = merchants
        n_cat = len(CATEGORIES)
        self.n_cat = n_cat

        # Time: the activity of every hour of the year, and what is bought at each hour of the day.
        kinds_share = np.array([c.share for c in CATEGORIES] + [k[1] for k in TRANSFER_KINDS])
        shapes = [c.shape for c in CATEGORIES] + ["p2p"] * len(TRANSFER_KINDS)
        profile = np.array(
            [np.array(HOURLY_SHAPES[s]) / np.sum(HOURLY_SHAPES[s]) for s in shapes]
        )  # kinds x 24
        joint = kinds_share[:, None] * profile
        hourly = joint.sum(axis=0)
        self.kind_of_hour = RowPicker(joint.T)  # 24 x kinds
        self.t0 = day_number(TXN_START) * _DAY
        n_days = day_number(TXN_END) - day_number(TXN_START)
        day = np.arange(n_days)
        weekday = (day_number(TXN_START) + day + 3) % 7  # 1970-01-01 was a Thursday
        day_weight = np.array(_WEEKDAY)[weekday]
        for first, last, factor in _SPECIAL_DAYS:
            lo = day_number(dt.date.fromisoformat(first)) - day_number(TXN_START)
            hi = day_number(dt.date.fromisoformat(last)) - day_number(TXN_START)
            day_weight[lo : hi + 1] *= factor
        bins = (day_weight[:, None] * hourly[None, :]).ravel()
        self.bin_weight = bins / bins.sum()
        self.bin_cum = np.cumsum(self.bin_weight)
        self.bin_cum[-1] = 1.0

        # Calendar of the year: YYYYMMDD and month of each day.
        year, month, dom = civil_from_days(day_number(TXN_START) + day)
        self.day_ymd = year * 10_000 + month * 100 + dom
        self.day_month = month

        # Who: customers by activity; those registered before the year start as a fallback.
        self.customer_table = repeat_table(population.activity)
        early = np.flatnonzero(population.registered < self.t0)
        self.early = early if len(early) else np.arange(len(population.activity))

        # Where: merchants grouped by (city, category), and by (country, category) where a city has none.
        n_city = cities.height
        self.city_kr = (cities["country"] == "KR").to_numpy()
        self.city_weight = cities["population"].to_numpy()
        key = merchants.city * n_cat + merchants.category
        self.m_order = np.argsort(key, kind="stable")
        self.m_cum = np.cumsum(merchants.popularity[self.m_order])
        counts = np.bincount(key, minlength=n_city * n_cat)
        self.m_end = np.cumsum(counts)
        self.m_start = self.m_end - counts
        key2 = merchants.korean.astype(np.int64) * n_cat + merchants.category
        self.c_order = np.argsort(key2, kind="stable")
        self.c_cum = np.cumsum(merchants.popularity[self.c_order])
        counts2 = np.bincount(key2, minlength=2 * n_cat)
        self.c_end = np.cumsum(counts2)
        self.c_start = self.c_end - counts2
        cn_cities, kr_cities = np.flatnonzero(~self.city_kr), np.flatnonzero(self.city_kr)
        self.country_cities = (cn_cities, kr_cities)

        # How much, how paid: log-normal ticket sizes per kind and currency; channel mixes per category.
        self.median = np.array(
            [[c.median_cny, c.median_krw] for c in CATEGORIES] + [[k[2], k[3]] for k in TRANSFER_KINDS]
        )
        self.log_median = np.log(np.maximum(self.median, 1.0))
        self.sigma = np.array([c.sigma for c in CATEGORIES] + [k[4] for k in TRANSFER_KINDS])
        cn_channels = np.array([c.channels for c in CATEGORIES])
        kr_channels = cn_channels.copy()
        kr_channels[:, 1] += 0.6 * cn_channels[:, 0]
        kr_channels[:, 0] *= 0.4
        # Rows: Chinese payers' categories, then Korean payers'.
        self.channel_of = RowPicker(np.concatenate([cn_channels, kr_channels]))

        # Memos: templates by kind of spending and language, and the texts that fill their slots.
        memo_keys = list(MEMOS)
        kind_memo = [c.memo for c in CATEGORIES] + [k[0] for k in TRANSFER_KINDS]
        # Meal memos depend on the hour: the kind's group is the first meal group plus the hour's offset.
        self.memo_group_of_kind = np.array(
            [memo_keys.index(MEAL_MEMOS[0] if k == "meal" else k) for k in kind_memo]
        )
        self.meal_kind = np.array([k == "meal" for k in kind_memo])
        self.meal_offset = np.array(MEAL_MEMO_OF_HOUR)
        groups = [MEMOS[k][lang] for k in memo_keys for lang in (0, 1)] + [PII_MEMOS[0], PII_MEMOS[1]]
        self.memo_prefix, self.memo_slot, self.memo_suffix, self.memo_start, self.memo_size = (
            _compile_templates(groups)
        )
        self.pii_group = 2 * len(memo_keys)
        frame = population.frame
        self.slot_source = {1: frame["name"], 2: frame["phone"], 3: frame["national_id"]}
        self.by_country = (np.flatnonzero(~population.korean), np.flatnonzero(population.korean))
        self.customer_id = frame["customer_id"]
        # Device IPs: the customer's usual address, or one from a pool of carrier addresses per country.
        pool_rng = stream(self.seed, STREAM, -1 % 2**32)
        self.ip_pool_size = _IP_POOL
        pool_korean = np.repeat(np.array([False, True]), _IP_POOL)
        self.ips = pl.concat(
            [frame["last_login_ip"], contact.ip_addresses(pool_rng, pool_korean, 0.2)], rechunk=True
        )
        self.account_id = accounts.frame["account_id"]
        # Transfers have no merchant: they point at a null appended after the last merchant.
        self.merchant_id = merchants.frame["merchant_id"].extend_constant(None, 1)
        self.no_merchant = merchants.frame.height

    @staticmethod
    def empty() -> pl.DataFrame:
        """A transactions frame with no rows."""
        return pl.DataFrame(schema=SCHEMA)

    @property
    def chunks(self) -> int:
        """The number of chunks the transactions are made in."""
        return -(-self.total // CHUNK_ROWS)

    def chunk(self, index: int) -> pl.DataFrame:
        """Chunk ``index``: rows ``index * CHUNK_ROWS`` up to the next chunk or the end."""
        rng = stream(self.seed, STREAM, index)
        lo = index * CHUNK_ROWS
        m = min(CHUNK_ROWS, self.total - lo)
        g = np.arange(lo, lo + m, dtype=np.int64)
        pop = self.pop

        # When.
        u = (g + rng.random(m)) / self.total
        hour_bin = np.minimum(np.searchsorted(self.bin_cum, u, side="right"), len(self.bin_cum) - 1)
        before = np.where(hour_bin > 0, self.bin_cum[hour_bin - 1], 0.0)
        frac = np.clip((u - before) / self.bin_weight[hour_bin], 0.0, 0.999999)
        second = (frac * 3600).astype(np.int64)
        ts = self.t0 + hour_bin * 3600 + second
        hour = hour_bin % 24
        day = hour_bin // 24

        # What, and who: a customer who had registered by then.
        kind = self.kind_of_hour(rng.random(m), hour)
        transfer = kind >= self.n_cat
        category = np.where(transfer, 0, kind)
        customer = self._customers(rng, ts)
        korean = pop.korean[customer]

        # Where: a merchant in the customer's city, a city they travel to, or (rarely) abroad.
        merchant = self._merchants(rng, customer, category)
        pay_korean = np.where(transfer, korean, self.merchants.korean[merchant])

        # With which card: usually the customer's first.
        first, count = self.accounts.first[customer], self.accounts.count[customer]
        account = first + np.where(rng.random(m) < 0.7, 0, (rng.random(m) * count).astype(np.int64))

        amount = self._amounts(rng, kind, pay_korean)
        channel_row = korean.astype(np.int64) * self.n_cat + category
        channel = np.where(transfer, 3, self.channel_of(rng.random(m), channel_row))
        status = pick(rng.random(m), [w for _, w in STATUSES])
        memo = self._memos(rng, kind, transfer, korean, day, hour)

        # From where: the customer's usual IP or a carrier address; at the shop, or at home when online.
        pool = len(pop.korean) + korean * self.ip_pool_size + rng.integers(0, self.ip_pool_size, m)
        ip_index = np.where(rng.random(m) < _SAME_IP_SHARE, customer, pool)
        in_person = (channel == 0) | (channel == 1)
        lat, lon = places.jitter(
            rng,
            np.where(in_person, self.merchants.lat[merchant], pop.home_lat[customer]),
            np.where(in_person, self.merchants.lon[merchant], pop.home_lon[customer]),
            np.where(in_person, 0.05, 2.0),
        )

        # Order numbers: YYYYMMDD, hhmmss, a 2-digit node and a 3-digit sequence (unique while fewer than
        # 1,000 payments share a second).
        clock = hour * 10_000 + (second // 60) * 100 + second % 60
        txn_id = ((self.day_ymd[day] * 1_000_000 + clock) * 100 + rng.integers(10, 100, m)) * 1000 + g % 1000

        return pl.DataFrame(
            {
                "txn_id": pl.Series(txn_id).cast(pl.String),
                "customer_id": self.customer_id.gather(customer),
                "account_id": self.account_id.gather(account),
                "merchant_id": self.merchant_id.gather(np.where(transfer, self.no_merchant, merchant)),
                "amount": amount,
                "currency": take(("CNY", "KRW"), pay_korean.astype(np.int64)),
                "ts": datetimes(ts),
                "channel": take(CHANNELS, channel),
                "status": take([s for s, _ in STATUSES], status),
                "memo": memo,
                "device_ip": self.ips.gather(ip_index),
                "lat": lat,
                "lon": lon,
            }
        )

    def _customers(self, rng: np.random.Generator, ts: IntArray) -> IntArray:
        table = self.customer_table
        customer = table[rng.integers(0, len(table), len(ts))].astype(np.int64)
        for _ in range(3):
            bad = np.flatnonzero(self.pop.registered[customer] > ts)
            if not len(bad):
                return customer
            customer[bad] = table[rng.integers(0, len(table), len(bad))]
        bad = np.flatnonzero(self.pop.registered[customer] > ts)
        customer[bad] = self.early[rng.integers(0, len(self.early), len(bad))]
        return customer

    def _merchants(self, rng: np.random.Generator, customer: IntArray, category: IntArray) -> IntArray:
        m = len(customer)
        home = self.pop.city[customer]
        korean = self.pop.korean[customer]
        city = home.copy()
        away = np.flatnonzero(rng.random(m) >= _HOME_CITY_SHARE)
        abroad = rng.random(len(away)) < (_ABROAD_SHARE / (1 - _HOME_CITY_SHARE) if self.mixed else 0.0)
        target_kr = korean[away] ^ abroad
        for kr in (False, True):
            rows = away[target_kr == kr]
            options = self.country_cities[int(kr)]
            if len(rows) and len(options):
                city[rows] = options[pick(rng.random(len(rows)), self.city_weight[options])]
        key = city * self.n_cat + category
        has = self.m_end[key] > self.m_start[key]
        u = rng.random(m)
        merchant = np.empty(m, dtype=np.int64)
        rows = np.flatnonzero(has)
        merchant[rows] = self.m_order[
            choose_in_groups(u[rows], key[rows], self.m_start, self.m_end, self.m_cum)
        ]
        rows = np.flatnonzero(~has)
        key2 = self.city_kr[city[rows]].astype(np.int64) * self.n_cat + category[rows]
        merchant[rows] = self.c_order[choose_in_groups(u[rows], key2, self.c_start, self.c_end, self.c_cum)]
        return merchant

    def _amounts(self, rng: np.random.Generator, kind: IntArray, krw: BoolArray) -> FloatArray:
        m = len(kind)
        currency = krw.astype(np.int64)
        log_median = self.log_median[kind, currency]
        value = np.exp(log_median + self.sigma[kind] * rng.standard_normal(m))
        gift = np.flatnonzero(kind == self.n_cat + 2)
        value[gift] = np.where(
            currency[gift] == 1,
            np.array(GIFT_KRW)[rng.integers(0, len(GIFT_KRW), len(gift))],
            np.array(GIFT_CNY)[rng.integers(0, len(GIFT_CNY), len(gift))],
        )
        # Won amounts are whole tens, mostly hundreds; yuan amounts have two decimals.
        step = np.where(currency == 1, np.where(rng.random(m) < 0.7, 100.0, 10.0), 0.01)
        amount: FloatArray = np.round(np.maximum(np.round(value / step), 1.0) * step, 2)
        return amount

    def _memos(
        self,
        rng: np.random.Generator,
        kind: IntArray,
        transfer: BoolArray,
        korean: BoolArray,
        day: IntArray,
        hour: IntArray,
    ) -> pl.Series:
        m = len(kind)
        share = np.where(transfer, _MEMO_SHARE_TRANSFER, _MEMO_SHARE_PAYMENT)
        rows = np.flatnonzero(rng.random(m) < share)
        k = len(rows)
        lang = korean[rows].astype(np.int64)
        kinds = kind[rows]
        topic = self.memo_group_of_kind[kinds] + np.where(
            self.meal_kind[kinds], self.meal_offset[hour[rows]], 0
        )
        group = np.where(rng.random(k) < _PII_MEMO_SHARE, self.pii_group + lang, topic * 2 + lang)
        template = self.memo_start[group] + (rng.random(k) * self.memo_size[group]).astype(np.int64)
        slot = self.memo_slot[template]
        filled = pl.repeat("", k, dtype=pl.String, eager=True)
        # The other person in the note is another customer of the same country.
        for kr in (0, 1):
            pool = self.by_country[kr]
            for s, source in self.slot_source.items():
                at = np.flatnonzero((slot == s) & (lang == kr))
                if len(at) and len(pool):
                    filled = filled.scatter(at, source.gather(pool[rng.integers(0, len(pool), len(at))]))
        at = np.flatnonzero(slot == 4)
        if len(at):
            filled = filled.scatter(at, pl.Series(self.day_month[day[rows[at]]]).cast(pl.String))
        text = self.memo_prefix.gather(template) + filled + self.memo_suffix.gather(template)
        return nulls(m, pl.String).scatter(rows, text)
