"""Reading and writing tables: the two ends of every ringfence flow.

``read`` turns a file, a folder or a database table URI into a :class:`~ringfence.io.read.Source` of Polars
batches; ``write`` puts batches at an output path atomically (nothing appears there unless the whole
output was written and synced). ``location`` tells a file from a database table, once, at the edge.

:data:`BATCH_ROWS` is the one batch size every stage streams in unless told otherwise.
"""

# Rows per streamed batch: large enough that per-batch costs vanish, small enough to bound memory.
BATCH_ROWS = 262_144

__all__ = ["BATCH_ROWS"]
