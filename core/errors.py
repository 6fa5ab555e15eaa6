"""The one error type whose message is meant for the user (in Norwegian, shown as it is)."""


class InvalidInput(ValueError):
    """Input the user can put right: an empty measure text, a date that does not exist …"""
