"""Watch: read database audit logs for insiders' bulk reads of personal data (see :mod:`ringfence.watch.detect`)."""
