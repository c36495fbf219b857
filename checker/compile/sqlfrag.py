"""Compatibility re-export: the SQL text helpers now live in :mod:`checker.sql` (removed after the split)."""

from checker.sql.regex import PatternError, re2_pattern
from checker.sql.text import (DATE_RE, DATETIME_RE, EMAIL_RE, fast_timestamp, qi, ql, timestamp_value,
                              to_timestamp, valid_date, valid_datetime, valid_email)

__all__ = ["PatternError", "re2_pattern", "DATE_RE", "DATETIME_RE", "EMAIL_RE", "fast_timestamp", "qi", "ql",
           "timestamp_value", "to_timestamp", "valid_date", "valid_datetime", "valid_email"]
