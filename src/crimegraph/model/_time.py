"""Time handling shared by the model and the stores.

Case files mix dates (``"2024-03-01"``) and datetimes, with and without a UTC offset. A naive
value is read as the case's local time (``Case.timezone``, ``"Asia/Shanghai"`` by default), and a
bare date as local midnight, so the same file always gives the same instants.

A date or time is a calendar date, with or without a time of day. A bare number (``2024``,
``"2024"``, ``1709251200``) is refused rather than read as seconds since 1970, the way Pydantic
would: in a case file it is far more often a year typed on its own than an epoch time, and a
year is no day. A year with its month (``"2024-03"``) is refused as well. Internally the
stores keep instants as integer microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from numbers import Number
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    SerializerFunctionWrapHandler,
    WrapSerializer,
)
from pydantic_core import PydanticCustomError, TzInfo

from ..errors import InvalidArgument

__all__ = [
    "DEFAULT_TIMEZONE",
    "SUPPORTED_TIME_RANGE",
    "Day",
    "Moment",
    "check_time_range",
    "from_epoch_us",
    "get_timezone",
    "localize",
    "pin_wall_time",
    "to_epoch_us",
]

DEFAULT_TIMEZONE = "Asia/Shanghai"

SUPPORTED_TIME_RANGE: tuple[date, date] = (date(1900, 1, 1), date(2199, 12, 31))
"""The first and last calendar day (inclusive) a date or time of a case may fall on.

The day is the one written in the value itself, in its own UTC offset or, for a naive time, in
the case's local time zone. Every instant in the range is at most a day away from the same
day in UTC, far inside what every store holds (epoch microseconds, pandas nanoseconds, Neo4j).
"""

_FIRST_YEAR, _LAST_YEAR = SUPPORTED_TIME_RANGE[0].year, SUPPORTED_TIME_RANGE[1].year
_RANGE_TEXT = f"{SUPPORTED_TIME_RANGE[0].isoformat()} to {SUPPORTED_TIME_RANGE[1].isoformat()}"
_When = TypeVar("_When", date, datetime)


def check_time_range(value: _When) -> _When:
    """``value`` if its calendar day is in :data:`SUPPORTED_TIME_RANGE`; raises otherwise."""
    if _FIRST_YEAR <= value.year <= _LAST_YEAR:  # the range is whole years
        return value
    raise PydanticCustomError(
        "time_range",
        "outside the supported time range {range} (inclusive)",
        {"range": _RANGE_TEXT},
    )


_BARE_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_YEAR_MONTH = re.compile(r"\s*\d{4}(-\d{1,2})?\s*")


def refuse_bare_numbers(value: object) -> object:
    """``value`` unless it is a number or a year (and month) without a day; raises then.

    Pydantic reads a number, or a string of digits, as seconds since 1970: ``"2024"`` would
    become 1970-01-01 00:33:44. A case's dates are calendar dates, so such a value is refused
    with a message saying what to write instead.
    """
    if isinstance(value, str):
        if _YEAR_MONTH.fullmatch(value):
            raise PydanticCustomError(
                "partial_date",
                "a year or month is no date; write the day as well, e.g. '2024-03-01'")
        if not _BARE_NUMBER.fullmatch(value):
            return value
    elif not isinstance(value, Number):
        return value
    raise PydanticCustomError(
        "bare_number_date",
        "a bare number is no date (numbers are not read as seconds since 1970); "
        "write a date such as '2024-03-01' or a date and time such as '2024-03-01T14:30'")


def _offset_with_seconds(value: object) -> object:
    """Read ``...+08:05:43`` exactly: Pydantic would drop the seconds of such an offset.

    Local mean time offsets (Asia/Shanghai before 1901, Europe/Amsterdam before 1937...) have
    seconds, and :meth:`datetime.isoformat` writes them; without this a case file written
    with such a time would read back 43 seconds off.
    """
    if (type(value) is str and len(value) > 25 and value[-3] == ":" and value[-6] == ":"
            and value[-9] in "+-"):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value  # Pydantic names the problem
    return value


def _write_offset_seconds(value: datetime, handler: SerializerFunctionWrapHandler) -> object:
    """Write an offset with seconds in full (Pydantic's own writer would drop them)."""
    offset = value.utcoffset()
    if offset is not None and offset.seconds % 60:
        return value.isoformat()
    return handler(value)


def pin_wall_time(value: datetime) -> datetime:
    """``value`` as a fixed offset when its wall time is ambiguous or nonexistent in its zone.

    Such a time compares unequal to every time of another zone (PEP 495), even the same
    instant; pinned to the offset it is read with, it names that instant plainly.
    """
    tz = value.tzinfo
    if tz is None or isinstance(tz, (timezone, TzInfo)):
        return value  # naive, or a fixed offset: nothing depends on the fold
    offset = value.utcoffset()
    if offset is not None and value.replace(fold=1 - value.fold).utcoffset() != offset:
        return value.astimezone(timezone(offset))
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(_offset_with_seconds),
    BeforeValidator(refuse_bare_numbers),
    AfterValidator(check_time_range),
    AfterValidator(pin_wall_time),
    WrapSerializer(_write_offset_seconds, when_used="json"),
]
"""A datetime whose day is in :data:`SUPPORTED_TIME_RANGE`."""
Day = Annotated[date, BeforeValidator(refuse_bare_numbers), AfterValidator(check_time_range)]
"""A date in :data:`SUPPORTED_TIME_RANGE`."""
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
        raise InvalidArgument(
            f"unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai' or 'UTC'"
        ) from exc


def localize(value: date | datetime, tz: tzinfo) -> datetime:
    """An aware datetime: naive values are read as local time in ``tz``, dates as midnight.

    A wall time that a change of clocks makes ambiguous (it happens twice) or nonexistent
    (the clocks jump over it) is pinned to the offset it is read with (``fold=0``: the offset
    before the change) as a fixed offset, so that it names one instant, compares equal to
    the same instant in any other zone, and comes back equal from every file format.
    """
    if isinstance(value, datetime):
        return pin_wall_time(value if value.tzinfo is not None else value.replace(tzinfo=tz))
    return pin_wall_time(datetime(value.year, value.month, value.day, tzinfo=tz))


def to_epoch_us(value: datetime) -> int:
    """Microseconds since 1970-01-01 UTC for an aware datetime."""
    return (value - _EPOCH) // _MICROSECOND


def from_epoch_us(value: int, tz: tzinfo | None = None) -> datetime:
    """The aware datetime for microseconds since the epoch, shown in ``tz`` (UTC by default)."""
    moment = _EPOCH + timedelta(microseconds=int(value))
    return moment.astimezone(tz) if tz is not None else moment
