"""The savings estimate of a reduction in sick leave, with the stored assumptions."""

from __future__ import annotations

from sqlalchemy import Engine

from core.savings import Savings, savings_estimate
from core.settings import Settings
from storage.repos.settings import load_settings
from storage.usecases import reading


def estimate_savings(
    engine: Engine | None,
    reduction_pp: float,
    *,
    fte: float | None = None,
    cost_per_day: float | None = None,
    workdays: float | None = None,
) -> Savings:
    """DOMAIN.md's formula for a reduction; each assumption not given is the stored setting.

    Without a database (None) the settings' defaults: a calculation needs none. ValueError (in
    Norwegian) for assumptions the formula refuses.
    """
    if engine is None:
        settings = Settings()
    else:
        with reading(engine) as conn:
            settings = load_settings(conn)
    return savings_estimate(
        reduction_pp,
        settings.fte if fte is None else fte,
        settings.cost_per_day if cost_per_day is None else cost_per_day,
        settings.workdays_per_year if workdays is None else workdays,
    )
