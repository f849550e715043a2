"""State: the one store of a workspace (releases, ledger, consent snapshots, recipients, references).

SQLite in the workspace by default; PostgreSQL when a team shares it. See :mod:`ringfence.state.store`.
"""

from ringfence.state.store import SqlStore, StateStore, open_store, redact_url, without_password

__all__ = ["SqlStore", "StateStore", "open_store", "redact_url", "without_password"]
