"""FieldValues gives a frozen dataclass the __eq__, __hash__ and __repr__ dataclass would have written."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass, field

import pytest

from offloadsim.field_values import FieldValues


@dataclass(frozen=True)
class Generated:
    name: str
    rate: float
    tags: tuple[str, ...] = ()
    cache: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False, repr=False)
class Written(FieldValues):
    name: str
    rate: float
    tags: tuple[str, ...] = ()
    cache: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False, repr=False)
class Other(FieldValues):
    name: str
    rate: float
    tags: tuple[str, ...] = ()
    cache: object = field(default=None, compare=False, repr=False)


CASES = [
    (("a", 1.0), ("a", 1.0)),
    (("a", 1.0), ("b", 1.0)),
    (("a", 1.0, ("x",)), ("a", 1.0, ("y",))),
    (("a", math.nan), ("a", math.nan)),  # one NaN object: equal, as in a tuple (identity first)
    (("a", float("nan")), ("a", float("nan"))),  # two NaN objects: unequal
    (("a", 1.0, (), "one cache"), ("a", 1.0, (), "another")),  # compare=False: left out
]


@pytest.mark.parametrize(("left", "right"), CASES)
def test_equality_hash_and_repr_are_dataclasses_own(left, right):
    g1, g2, w1, w2 = Generated(*left), Generated(*right), Written(*left), Written(*right)
    assert (w1 == w2) == (g1 == g2)
    assert (w1 != w2) == (g1 != g2)
    assert w1 == w1 and g1 == g1  # identity first, as tuples compare: one NaN object equals itself
    assert hash(w1) == hash(g1)
    assert repr(w1) == repr(g1).replace("Generated(", "Written(")


def test_an_object_of_another_class_is_not_equal_even_with_equal_fields():
    assert Written("a", 1.0) != Other("a", 1.0)
    assert Written("a", 1.0) != ("a", 1.0)
    assert Generated("a", 1.0) != Other("a", 1.0)  # dataclass says the same


def test_a_dict_field_cannot_be_hashed_as_in_a_dataclass():
    with pytest.raises(TypeError):
        hash(Generated("a", 1.0, {"x": 1}))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hash(Written("a", 1.0, {"x": 1}))  # type: ignore[arg-type]


def test_it_pickles_and_stays_frozen():
    value = Written("a", 2.0, ("x",))
    assert pickle.loads(pickle.dumps(value)) == value
    with pytest.raises(AttributeError):
        value.rate = 3.0  # type: ignore[misc]


def test_an_arrival_process_compares_hashes_and_shows_as_dataclass_would():
    # slots=True over ArrivalProcess (no slots), FieldValues second in the bases, as the shipped ones
    from offloadsim.scenario.arrivals.base import ArrivalProcess
    from offloadsim.scenario.arrivals.periodic import Periodic

    @dataclass(frozen=True, slots=True)
    class Generated(ArrivalProcess):  # what Periodic was before it derived FieldValues
        period_s: float
        jitter_s: float = 0.0

    for left, right in [((1.0, 0.5), (1.0, 0.5)), ((1.0, 0.5), (1.0, 0.25)), ((2.0,), (2.0, 0.0))]:
        w1, w2, g1, g2 = Periodic(*left), Periodic(*right), Generated(*left), Generated(*right)
        assert (w1 == w2) == (g1 == g2) and (w1 != w2) == (g1 != g2)
        assert hash(w1) == hash(g1)
        assert repr(w1).startswith("Periodic(") and repr(w1).split("(", 1)[1] == repr(g1).split("(", 1)[1]
        assert pickle.loads(pickle.dumps(w1)) == w1
    assert Periodic(1.0) != Generated(1.0)
