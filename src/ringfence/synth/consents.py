"""Data recipients (partners, processors, affiliates abroad) and the consents customers gave them.

Consent rows have the shape ``ringfence consent import`` reads: ``subject_id, purpose, recipient,
granted_at, withdrawn_at`` where ``recipient`` is a recipient id or ``*`` (any recipient) and a null
``withdrawn_at`` means the consent is still valid. Every customer consents to payment processing and almost
everyone to fraud detection; marketing, analytics, credit scoring and overseas transfer are opt-in, and
about one consent in ten has been withdrawn.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.synth.config import AS_OF
from ringfence.synth.customers import Population
from ringfence.synth.rand import datetimes, day_number, stream

STREAM = 4
_DAY = 86_400

PURPOSES = (
    "payment_processing", "fraud_detection", "marketing", "analytics", "credit_scoring", "overseas_transfer",
)  # fmt: skip

#: recipient id, country, purposes it receives data for, the organisation it is an affiliate of.
RECIPIENTS: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    ("union-clearing", "CN", ("payment_processing",), None),
    ("hangang-settlement", "KR", ("payment_processing",), None),
    ("tianyan-risk", "CN", ("fraud_detection", "credit_scoring"), None),
    ("seoul-fraudnet", "KR", ("fraud_detection",), None),
    ("acme-analytics", "CN", ("analytics", "marketing"), None),
    ("mirae-marketing", "KR", ("marketing",), None),
    ("bluewave-ads", "US", ("marketing", "analytics"), None),
    ("hanbit-credit", "KR", ("credit_scoring",), None),
    ("dragonfly-lending", "CN", ("credit_scoring",), None),
    ("alipay-sg", "SG", ("overseas_transfer", "fraud_detection", "analytics"), "ant-group"),
    ("pearl-cloud-hk", "HK", ("analytics", "overseas_transfer"), "ringfence-pay"),
)

# Per purpose: share of customers who consent, share of those who name one recipient (otherwise '*'),
# share withdrawn later, and typical delay after registering (days) before consenting.
_TERMS: dict[str, tuple[float, float, float, float]] = {
    "payment_processing": (1.0, 0.0, 0.02, 0.0),
    "fraud_detection": (0.95, 0.1, 0.03, 0.0),
    "marketing": (0.35, 0.5, 0.3, 60.0),
    "analytics": (0.45, 0.6, 0.2, 90.0),
    "credit_scoring": (0.3, 1.0, 0.15, 180.0),
    "overseas_transfer": (0.12, 1.0, 0.2, 120.0),
}


def build_recipients() -> pl.DataFrame:
    """The recipients table: ``recipient_id, country, purposes`` (comma-separated), ``affiliate_of``."""
    return pl.DataFrame(
        {
            "recipient_id": [r for r, _, _, _ in RECIPIENTS],
            "country": [c for _, c, _, _ in RECIPIENTS],
            "purposes": [",".join(p) for _, _, p, _ in RECIPIENTS],
            "affiliate_of": pl.Series([a for _, _, _, a in RECIPIENTS], dtype=pl.String),
        }
    )


def build_consents(seed: int, population: Population) -> pl.DataFrame:
    """Consent records of every customer, grouped by purpose, granted after registering and before the
    data's as-of date."""
    rng = stream(seed, STREAM)
    customers = population.frame
    n = customers.height
    as_of = day_number(AS_OF) * _DAY
    parts: list[pl.DataFrame] = []
    for purpose in PURPOSES:
        share, named, withdrawn_share, delay_days = _TERMS[purpose]
        rows = np.flatnonzero(rng.random(n) < share)
        m = len(rows)
        # A named recipient that receives data for this purpose, from the customer's country if one does.
        options = [r for r, _, ps, _ in RECIPIENTS if purpose in ps]
        local = {
            kr: [r for r, c, ps, _ in RECIPIENTS if purpose in ps and c == ("KR" if kr else "CN")] or options
            for kr in (False, True)
        }
        korean = population.korean[rows]
        cn_pick = np.array(local[False])[rng.integers(0, len(local[False]), m)]
        kr_pick = np.array(local[True])[rng.integers(0, len(local[True]), m)]
        any_pick = np.array(options)[rng.integers(0, len(options), m)]
        chosen = np.where(rng.random(m) < 0.3, any_pick, np.where(korean, kr_pick, cn_pick))
        recipient = np.where(rng.random(m) < named, chosen, "*")
        registered = population.registered[rows]
        delay = rng.exponential(delay_days * _DAY, m) if delay_days else np.zeros(m)
        granted = registered + delay.astype(np.int64)
        late = (
            granted >= as_of
        )  # consent given "in the future": draw it between registering and the as-of date
        granted = np.where(
            late, registered + (rng.random(m) * (as_of - registered)).astype(np.int64), granted
        )
        withdrawn = rng.random(m) < withdrawn_share
        withdrawn_at = granted + (rng.random(m) * (as_of - granted)).astype(np.int64)
        parts.append(
            pl.DataFrame(
                {
                    "subject_id": customers["customer_id"].gather(rows),
                    "purpose": pl.Series([purpose] * m, dtype=pl.String),
                    "recipient": pl.Series(recipient, dtype=pl.String),
                    "granted_at": datetimes(granted),
                    "withdrawn_at": datetimes(withdrawn_at).zip_with(
                        pl.Series(withdrawn), pl.Series([None] * m, dtype=pl.Datetime("us"))
                    ),
                }
            )
        )
    return pl.concat(parts)
