"""ringfence: keep payment customers' data inside the fence.

Find the personal data you hold, release it only lawfully and de-identified, record every release in a
tamper-evident ledger, and when data turns up outside, prove how much of it is yours and who let it out.
The library API is the product; the ``ringfence`` command line calls it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
