"""Time handling shared by the model and the stores.

Case files mix dates (``"2024-03-01"``) and datetimes, with and without a UTC offset. A naive
value is read as the case's local time (``Case.timezone``, ``"Asia/Shanghai"`` by default), and a
bare date as local midnight, so the same file always gives the same instants. Internally the
stores keep instants as integer microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_TIMEZONE", "from_epoch_us", "get_timezone", "localize", "to_epoch_us"]

DEFAULT_TIMEZONE = "Asia/Shanghai"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=64)
def get_timezone(name: str) -> tzinfo:
    """The ``tzinfo`` for an IANA name such as ``"Asia/Shanghai"`` or ``"UTC"``.

    Raises
    ------
    ValueError
        If the name is not a known IANA time zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai' or 'UTC'"
        ) from exc


def localize(value: date | datetime, tz: tzinfo) -> datetime:
    """An aware datetime: naive values are read as local time in ``tz``, dates as midnight."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime(value.year, value.month, value.day, tzinfo=tz)


def to_epoch_us(value: datetime) -> int:
    """Microseconds since 1970-01-01 UTC for an aware datetime."""
    return (value - _EPOCH) // _MICROSECOND


def from_epoch_us(value: int, tz: tzinfo | None = None) -> datetime:
    """The aware datetime for microseconds since the epoch, shown in ``tz`` (UTC by default)."""
    moment = _EPOCH + timedelta(microseconds=int(value))
    return moment.astimezone(tz) if tz is not None else moment
