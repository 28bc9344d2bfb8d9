from datetime import date

import pytest

from stockyard.reporting.enums import Frequency
from stockyard.reporting.recurrence import covered_period, next_run
from stockyard.reporting.tests.factories import utc


@pytest.mark.parametrize(
    ("frequency", "hour", "after", "expected"),
    [
        (Frequency.DAILY, 7, utc(2026, 11, 22, 6, 59), utc(2026, 11, 22, 7)),
        (Frequency.DAILY, 7, utc(2026, 11, 22, 7), utc(2026, 11, 23, 7)),  # strictly after
        (Frequency.DAILY, 0, utc(2026, 12, 31, 23), utc(2027, 1, 1, 0)),
        (Frequency.WEEKLY, 7, utc(2026, 11, 22, 12), utc(2026, 11, 23, 7)),  # Sunday → Monday
        (Frequency.WEEKLY, 7, utc(2026, 11, 23, 6), utc(2026, 11, 23, 7)),
        (Frequency.WEEKLY, 7, utc(2026, 11, 23, 8), utc(2026, 11, 30, 7)),
        (Frequency.MONTHLY, 6, utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)),
        (Frequency.MONTHLY, 6, utc(2026, 11, 22, 12), utc(2026, 12, 1, 6)),
        (Frequency.MONTHLY, 6, utc(2026, 12, 31, 12), utc(2027, 1, 1, 6)),
    ],
)
def test_next_run(frequency, hour, after, expected):
    assert next_run(frequency, hour, after=after) == expected


@pytest.mark.parametrize(
    ("frequency", "due", "period"),
    [
        (Frequency.DAILY, utc(2026, 11, 23, 7), (date(2026, 11, 22), date(2026, 11, 22))),
        (Frequency.WEEKLY, utc(2026, 11, 23, 7), (date(2026, 11, 16), date(2026, 11, 22))),
        (Frequency.MONTHLY, utc(2026, 12, 1, 6), (date(2026, 11, 1), date(2026, 11, 30))),
        (Frequency.MONTHLY, utc(2026, 3, 1, 6), (date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_a_run_covers_the_whole_days_before_it(frequency, due, period):
    assert covered_period(frequency, due=due) == period
