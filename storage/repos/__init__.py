"""Persistence per aggregate: functions that take the caller's Connection or Session.

A repository never opens, commits or rolls back a transaction: the use case that calls it does
(storage.usecases).
"""
