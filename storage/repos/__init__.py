"""Persistence per aggregate: functions that take the caller's Connection (or ORM Session)."""
