"""Watch: read database audit logs for insiders' bulk reads of personal data.

:mod:`~ringfence.watch.parse` (logs → statements), :mod:`~ringfence.watch.features` (their personal
exposure, from the :mod:`~ringfence.watch.inventory`), :mod:`~ringfence.watch.detect` (per user-day
scores and alerts), :mod:`~ringfence.watch.run` (one run), :mod:`~ringfence.watch.follow` (``--follow``),
:mod:`~ringfence.watch.canary` (planted identifiers).
"""
