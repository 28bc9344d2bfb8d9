"""Blocks of days within a month: how grouped summaries cover any period with a bounded
number of rows per group.

A block of span ``k`` (0 to 5) is ``2**k`` days of one month aligned on its first day:
span 0 is a day, span 1 the days 1-2, 3-4, ..., span 4 the days 1-16 and 17 to the
month's end, span 5 the whole month. Every day lies in one block of each span, so a
summary keyed by ``(start, span, group)`` holds each contribution six times, and any
period of whole days is the disjoint union of its whole months and at most five blocks
at each end (``covering``): a year per group reads at most 12 + 10 rows, however many
orders it holds.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Q

MONTH = 5
SPANS = range(MONTH + 1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def block_start(day: date, span: int) -> date:
    """The first day of the block of ``span`` that holds ``day``."""
    size = 2**span
    return day.replace(day=(day.day - 1) // size * size + 1)


def block_end(start: date, span: int) -> date:
    """The day after the block of ``span`` that starts on ``start``."""
    return min(start + timedelta(days=2**span), _next_month(start))


def covering(first: date, last: date) -> list[tuple[date, int]]:
    """The blocks ``(start, span)`` whose days are exactly ``first`` to ``last``
    (inclusive, ``first <= last``): at each step the largest block that starts there and
    ends within the period, so whole months are one block and a partial month at most
    five."""
    return list(_covering(first, last + timedelta(days=1)))


def _covering(day: date, end: date) -> Iterator[tuple[date, int]]:
    while day < end:
        span = max(
            span for span in SPANS if block_start(day, span) == day and block_end(day, span) <= end
        )
        yield day, span
        day = block_end(day, span)


def covering_q(first: date, last: date) -> Q:
    """A filter of summary rows keyed by ``start`` and ``span`` to the period's blocks."""
    blocks = Q()
    for start, span in covering(first, last):
        blocks |= Q(start=start, span=span)
    return blocks


def block_start_sql(day: str, span: int) -> str:
    """``block_start`` in PostgreSQL of the ``date`` expression ``day``."""
    size = 2**span
    return (
        f"(date_trunc('month', {day})::date + (extract(day from {day})::int - 1) / {size} * {size})"
    )
