"""Data recipients (partners, processors, affiliates abroad) and the consents customers gave them.

Consent rows have the shape ``ringfence consent import`` reads: ``subject_id, purpose, recipient,
granted_at, withdrawn_at, separate_sensitive, cross_border`` where ``recipient`` is a recipient id or ``*``
(any recipient), a null ``withdrawn_at`` means the consent is still valid, and the two flags say whether the
consent was given separately for sensitive data and for a transfer abroad (as PIPA Art. 23/24/28-8 and PIPL
Art. 29/39 ask). Purposes are the rule packs' vocabulary (:mod:`ringfence.transfer`). Every customer
consents to payment processing and almost everyone to fraud prevention; marketing, analytics and credit
assessment are opt-in; consents that name a recipient abroad carry a separate cross-border consent about
two times in three; about one consent in ten has been withdrawn.

Recipients carry their role: the settlement and clearing houses are processors (entrustees) acting only
for payment processing; the others receive data for their own purposes (third parties).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.synth.config import AS_OF
from ringfence.synth.customers import Population
from ringfence.synth.rand import datetimes, day_number, stream

STREAM = 4
_DAY = 86_400

PURPOSES = ("payment_processing", "fraud_prevention", "marketing", "analytics", "credit_assessment")

#: recipient id, country, purposes it receives data for, the organisation it is an affiliate of, role.
RECIPIENTS: tuple[tuple[str, str, tuple[str, ...], str | None, str], ...] = (
    ("union-clearing", "CN", ("payment_processing",), None, "processor"),
    ("hangang-settlement", "KR", ("payment_processing",), None, "processor"),
    ("tianyan-risk", "CN", ("fraud_prevention", "credit_assessment"), None, "third-party"),
    ("seoul-fraudnet", "KR", ("fraud_prevention",), None, "third-party"),
    ("acme-analytics", "CN", ("analytics", "marketing"), None, "third-party"),
    ("mirae-marketing", "KR", ("marketing",), None, "third-party"),
    ("bluewave-ads", "US", ("marketing", "analytics"), None, "third-party"),
    ("hanbit-credit", "KR", ("credit_assessment",), None, "third-party"),
    ("dragonfly-lending", "CN", ("credit_assessment",), None, "third-party"),
    ("alipay-sg", "SG", ("fraud_prevention", "analytics"), "ant-group", "third-party"),
    ("pearl-cloud-hk", "HK", ("analytics",), "ringfence-pay", "third-party"),
)
# Where the recipients of each customer's country are: a named recipient elsewhere is a transfer abroad.
_HOME = {False: "CN", True: "KR"}

# Per purpose: share of customers who consent, share of those who name one recipient (otherwise '*'),
# share withdrawn later, and typical delay after registering (days) before consenting.
_TERMS: dict[str, tuple[float, float, float, float]] = {
    "payment_processing": (1.0, 0.0, 0.02, 0.0),
    "fraud_prevention": (0.95, 0.1, 0.03, 0.0),
    "marketing": (0.35, 0.5, 0.3, 60.0),
    "analytics": (0.45, 0.6, 0.2, 90.0),
    "credit_assessment": (0.3, 1.0, 0.15, 180.0),
}
# Share of consents naming a recipient abroad that were given with a separate cross-border consent, and of
# named consents given separately for sensitive data (unique identifiers, financial accounts).
_CROSS_BORDER = 0.65
_SEPARATE_SENSITIVE = 0.5


def build_recipients() -> pl.DataFrame:
    """The recipients table: ``recipient_id, country, purposes`` (comma-separated), ``affiliate_of``,
    ``role``."""
    return pl.DataFrame(
        {
            "recipient_id": [r[0] for r in RECIPIENTS],
            "country": [r[1] for r in RECIPIENTS],
            "purposes": [",".join(r[2]) for r in RECIPIENTS],
            "affiliate_of": pl.Series([r[3] for r in RECIPIENTS], dtype=pl.String),
            "role": [r[4] for r in RECIPIENTS],
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
        options = [r[0] for r in RECIPIENTS if purpose in r[2]]
        local = {
            kr: [r[0] for r in RECIPIENTS if purpose in r[2] and r[1] == _HOME[kr]] or options
            for kr in (False, True)
        }
        country = {r[0]: r[1] for r in RECIPIENTS}
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
        named_rows = recipient != "*"
        home = np.where(korean, "KR", "CN")
        where = pl.Series(recipient, dtype=pl.String).replace_strict(
            country, default="", return_dtype=pl.String
        )
        abroad = named_rows & (where.to_numpy() != home)
        cross_border = abroad & (rng.random(m) < _CROSS_BORDER)
        separate = named_rows & (rng.random(m) < _SEPARATE_SENSITIVE)
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
                    "separate_sensitive": pl.Series(separate, dtype=pl.Boolean),
                    "cross_border": pl.Series(cross_border, dtype=pl.Boolean),
                }
            )
        )
    return pl.concat(parts)
