"""The labelled evaluation set for ``ringfence scan``: messy payment-company exports with known answers.

``make_tables`` writes the tables and ``labels.json``; ``evaluate`` scores column findings against the
labels; ``presidio_baseline`` runs Microsoft Presidio's structured analyzer on the same tables.
"""
