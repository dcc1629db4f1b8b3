"""
Units and tolerances shared by the library: one definition each.

Graph attributes follow osmnx (``length`` in m, ``travel_time`` in s,
``speed_kph``); durations inside the engines are seconds, results hours.
"""

from __future__ import annotations

__all__ = ["DAY_S", "EPS", "HOUR_S", "KPH_PER_MPS", "WEEK_S", "kph_to_mps", "travel_time_s"]

#: Seconds in an hour.
HOUR_S = 3600.0
#: Seconds in a day.
DAY_S = 24 * HOUR_S
#: Seconds in a week.
WEEK_S = 7 * DAY_S
#: km/h in one m/s.
KPH_PER_MPS = 3.6
#: Tolerance for comparing clock times in seconds (well below the engines' one-second rounding).
EPS = 1e-6


def kph_to_mps(speed_kph: float) -> float:
    """
    Convert km/h to m/s.

    Examples
    --------
    >>> kph_to_mps(36.0)
    10.0
    """
    return speed_kph / KPH_PER_MPS


def travel_time_s(length_m: float, speed_kph: float) -> float:
    """
    Seconds to drive ``length_m`` metres at ``speed_kph``.

    Examples
    --------
    >>> travel_time_s(1000.0, 36.0)
    100.0
    """
    return length_m / kph_to_mps(speed_kph)
