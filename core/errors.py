"""The error types whose message is meant for the user (in Norwegian, shown as it is)."""


class InvalidInput(ValueError):
    """Input the user can put right: an empty measure text, a date that does not exist …"""


class UnknownUnit(LookupError):
    """No unit with the code the user gave."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Fant ingen enhet med enhet_id {code!r}.")
