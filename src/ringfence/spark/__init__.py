"""Apache Spark: the same plans on Spark DataFrames (``mapInArrow`` over the local kernels).

See :mod:`ringfence.spark.engine`. Needs the ``spark`` extra (``pip install 'ringfence[spark]'``) and a
Java runtime; imported only when ``--engine spark`` is asked for.
"""

from ringfence.spark.engine import ApplyPlan, SparkProtectSummary, protect, protect_frame, session

__all__ = ["ApplyPlan", "SparkProtectSummary", "protect", "protect_frame", "session"]
