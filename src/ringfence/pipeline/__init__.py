"""Pipelines: the governed paths that combine stages and side rails (read, transform, write, record).

- :func:`ringfence.pipeline.reveal.reveal`: the key holder's recorded reversal of a protected table.
"""
