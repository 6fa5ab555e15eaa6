"""Persistence per aggregate: functions that take the caller's Connection or Session.

None opens or commits a transaction: the use case that calls them (storage.usecases) does.
"""
