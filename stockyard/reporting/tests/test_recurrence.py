from datetime import UTC, date
from zoneinfo import ZoneInfo

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
    assert next_run(frequency, hour, after=after, zone=UTC) == expected


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
    assert covered_period(frequency, due=due, zone=UTC) == period


TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9, no daylight saving
BERLIN = ZoneInfo("Europe/Berlin")  # clocks go forward on 29 March 2026, back on 25 October


@pytest.mark.parametrize(
    ("frequency", "hour", "zone", "after", "expected"),
    [
        # 07:00 in Tokyo is 22:00 UTC the day before.
        (Frequency.DAILY, 7, TOKYO, utc(2026, 11, 22, 6), utc(2026, 11, 22, 22)),
        (Frequency.DAILY, 7, TOKYO, utc(2026, 11, 22, 22), utc(2026, 11, 23, 22)),
        # Midnight in Tokyo: 15:00 UTC, already the next day there.
        (Frequency.DAILY, 0, TOKYO, utc(2026, 11, 22, 14, 59), utc(2026, 11, 22, 15)),
        # Monday 07:00 in Tokyo is Sunday 22:00 UTC.
        (Frequency.WEEKLY, 7, TOKYO, utc(2026, 11, 22, 12), utc(2026, 11, 22, 22)),
        # The 1st at 06:00 in Tokyo is the 30th/31st at 21:00 UTC.
        (Frequency.MONTHLY, 6, TOKYO, utc(2026, 11, 30, 20), utc(2026, 11, 30, 21)),
        (Frequency.MONTHLY, 6, TOKYO, utc(2026, 11, 30, 22), utc(2026, 12, 31, 21)),
        # The wall clock decides across daylight saving: 06:00 UTC in winter, 05:00 in summer.
        (Frequency.DAILY, 7, BERLIN, utc(2026, 3, 28, 7), utc(2026, 3, 29, 5)),
        (Frequency.DAILY, 7, BERLIN, utc(2026, 10, 24, 6), utc(2026, 10, 25, 6)),
        # 02:00 does not exist on 29 March in Berlin: the run is at 03:00 there (01:00 UTC).
        (Frequency.DAILY, 2, BERLIN, utc(2026, 3, 28, 12), utc(2026, 3, 29, 1)),
    ],
)
def test_next_run_is_at_the_hour_of_the_zone(frequency, hour, zone, after, expected):
    assert next_run(frequency, hour, after=after, zone=zone) == expected


@pytest.mark.parametrize(
    ("frequency", "due", "period"),
    [
        # 07:00 on the 23rd in Tokyo (22:00 UTC on the 22nd): the 22nd in Tokyo.
        (Frequency.DAILY, utc(2026, 11, 22, 22), (date(2026, 11, 22), date(2026, 11, 22))),
        # Monday 30 November at 07:00 in Tokyo: the Tokyo week before.
        (Frequency.WEEKLY, utc(2026, 11, 29, 22), (date(2026, 11, 23), date(2026, 11, 29))),
        # 1 December 06:00 in Tokyo (21:00 UTC on 30 November): all of November.
        (Frequency.MONTHLY, utc(2026, 11, 30, 21), (date(2026, 11, 1), date(2026, 11, 30))),
    ],
)
def test_a_run_covers_whole_days_of_its_zone(frequency, due, period):
    assert covered_period(frequency, due=due, zone=TOKYO) == period
