from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hallcall.broker.domain.errors import Closed
from hallcall.broker.domain.numbering import NumberRange, service_date, ticket_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_numbers_are_prefixed_and_zero_padded_to_the_range_width():
    r = NumberRange("A", 1, 999)
    assert r.format(12) == "A012"
    assert NumberRange("BC", 1, 50).format(7) == "BC07"
    assert NumberRange("C", 0, 9999).format(5) == "C0005"


def test_first_number_of_the_day_is_the_range_start_then_counts_up():
    r = NumberRange("A", 100, 999)
    assert r.next_after(None, 0) == 100
    assert r.next_after(100, 1) == 101


def test_range_end_closes_the_department_for_the_day():
    r = NumberRange("A", 1, 3)
    assert r.next_after(2, 2) == 3
    with pytest.raises(Closed, match="range ends at 3"):
        r.next_after(3, 3)


def test_daily_cap_closes_the_department_before_the_range_ends():
    r = NumberRange("A", 1, 999, daily_cap=2)
    assert r.next_after(1, 1) == 2
    with pytest.raises(Closed, match="2 tickets"):
        r.next_after(2, 2)


def test_service_day_is_the_hall_local_date():
    # 23:30 UTC on the 22nd is already 07:30 on the 23rd in Shanghai.
    assert service_date(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), SHANGHAI) == date(2026, 11, 23)
    with pytest.raises(ValueError):
        service_date(datetime(2026, 11, 22, 23, 30), SHANGHAI)


def test_ticket_ids_are_unique_per_day_and_readable():
    assert ticket_id(date(2026, 11, 23), "A012") == "20261123-A012"
