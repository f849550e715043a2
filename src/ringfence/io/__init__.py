"""Reading and writing tables: the two ends of every ringfence flow.

``read`` turns a file, a folder or a database table URI into a :class:`~ringfence.io.read.Source` of Polars
batches; ``write`` puts batches at an output path atomically (nothing appears there unless the whole
output was written and synced).
"""
