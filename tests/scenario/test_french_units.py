"""What a student writing French units or a decimal comma is told (the HH36 trial).

"Mo/s" (megaoctets per second, a byte rate) was offered "did you mean Mb/s?", megabits: eight
times less, and "150 Ko" (kilo-octets) got no hint at all. "0,1 s" was refused with no word
on the comma.
"""

from __future__ import annotations

import pytest

from offloadsim.scenario.units import UnitError, parse_quantity


@pytest.mark.parametrize(
    ("kind", "value", "suggested"),
    [
        ("bandwidth", "20 Mo/s", "MB/s"),
        ("bandwidth", "20 Mops", "MBps"),
        ("size", "150 Ko", "KB"),
        ("size", "150 ko", "KB"),
        ("size", "2 Go", "GB"),
        ("size", "1 Mio", "MiB"),
        ("size", "300 o", "B"),
        ("byte_rate", "15 Go/s", "GB/s"),
        ("size", "1 kio", "KiB"),
    ],
)
def test_an_octet_unit_is_offered_its_byte_unit(kind: str, value: str, suggested: str):
    with pytest.raises(UnitError) as refused:
        parse_quantity(value, kind)
    message = str(refused.value)
    assert f'(did you mean "{suggested}"? "o", an octet, is a byte: B)' in message, message
    assert 'did you mean "Mb/s"' not in message  # megabits: what spelling alone offered, 8x off


def test_the_byte_unit_offered_reads_the_same_value_in_bytes():
    # the hint's unit is worth what the octet unit means: 20 Mo/s is 160 Mbit/s
    assert parse_quantity("20 MB/s", "bandwidth") == 160e6
    assert parse_quantity("150 KB", "size") == 150e3


@pytest.mark.parametrize(
    ("kind", "value"),
    [("time", "0,1 s"), ("bandwidth", "2,5 Mbps"), ("size", "1,5 MB"), ("time", "1,000 ms")],
)
def test_a_decimal_comma_is_named(kind: str, value: str):
    with pytest.raises(UnitError) as refused:
        parse_quantity(value, kind)
    message = str(refused.value)
    assert "a comma in a number: write the decimal mark as '.'" in message, message
    assert "no thousands separator" in message, message


def test_a_value_without_a_comma_is_not_told_of_one():
    with pytest.raises(UnitError) as refused:
        parse_quantity("fast", "bandwidth")
    assert "comma" not in str(refused.value)
