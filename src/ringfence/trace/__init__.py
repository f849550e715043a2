"""Trace: is leaked data ours, how much of it, and whose copy did it come from.

- :mod:`~ringfence.trace.identifiers`: identifiers in one normal form per kind, and their keyed digests;
- :mod:`~ringfence.trace.reference`: ``reference add``: the company's own records as sorted keyed digests
  in the state store;
- :mod:`~ringfence.trace.align`: a leak's columns paired with the released ones and brought to canonical
  types;
- :mod:`~ringfence.trace.tokens`: leaked ``rt1_`` tokens recomputed per recipient scope, with a bound;
- :mod:`~ringfence.trace.verdict`: the 99% interval of the match rate and the verdict;
- :mod:`~ringfence.trace.run`: :func:`trace`, the whole of it, recorded in the ledger.
"""

from ringfence.trace.reference import Reference, add_reference, list_references
from ringfence.trace.run import TraceResult, trace

__all__ = ["Reference", "TraceResult", "add_reference", "list_references", "trace"]
