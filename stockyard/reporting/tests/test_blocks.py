"""Blocks of days: any period is exactly its blocks, few of them, and the database puts
a day in the same blocks as Python does."""

from datetime import date, timedelta

import pytest
from django.db import connection

from stockyard.reporting.blocks import SPANS, block_end, block_start, block_start_sql, covering


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 11, 30), date(2026, 11, 30)),
        (date(2026, 11, 2), date(2026, 11, 29)),
        (date(2025, 12, 2), date(2026, 12, 1)),  # a year up to today: 11 months and ends
        (date(2023, 12, 31), date(2024, 3, 1)),  # a leap February
        (date(2026, 1, 1), date(2026, 1, 31)),
    ],
)
def test_a_period_is_exactly_its_blocks(first, last):
    blocks = covering(first, last)
    covered = [
        day
        for start, span in blocks
        for day in _days(start, block_end(start, span) - timedelta(days=1))
    ]
    assert covered == _days(first, last)  # in order, each day once
    whole_months = sum(span == max(SPANS) for _, span in blocks)
    assert len(blocks) - whole_months <= 10


def test_every_period_of_a_year_is_at_most_its_months_and_ten_blocks():
    year = _days(date(2024, 1, 1), date(2024, 12, 31))
    for first in year[::7]:
        for last in year[year.index(first) :: 11]:
            blocks = covering(first, last)
            assert sum((block_end(start, span) - start).days for start, span in blocks) == (
                (last - first).days + 1
            )
            assert len(blocks) <= 13 + 10


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_database_starts_blocks_where_python_does():
    days = _days(date(2024, 1, 1), date(2025, 1, 1))
    columns = ", ".join(block_start_sql("d", span) for span in SPANS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d, {columns} FROM unnest(%s::date[]) AS d ORDER BY d", [days])
        found = cursor.fetchall()
    assert found == [(day, *(block_start(day, span) for span in SPANS)) for day in days]
