"""Schemathesis hooks for tests/api/check.py: the time-stamp request body is DER bytes,
sent as generated (a binary string), like application/octet-stream."""
import schemathesis

schemathesis.serializer.alias("application/timestamp-query", "application/octet-stream")
