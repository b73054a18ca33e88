import pytest

from fundraiser.pages.event_services import parse_distance_km
from fundraiser.pages.view_models import Paged, UnitView, impact_reached

MEAL = UnitView(amount=500, currency="GBP", singular="hot meal", plural="hot meals", verb="provides")
SHELTER = UnitView(
    amount=2500, currency="GBP", singular="night in a shelter", plural="nights in a shelter", verb="provides"
)
FILTER = UnitView(
    amount=2000, currency="USD", singular="water filter", plural="water filters", verb="provides"
)


def test_units_reached_are_whole_units_of_the_raised_amount():
    reached = impact_reached(6_250, "GBP", [MEAL, SHELTER])
    assert [(item.count, item.label) for item in reached] == [(12, "hot meals"), (2, "nights in a shelter")]


def test_one_unit_uses_the_singular_and_none_the_plural():
    assert [(i.count, i.label) for i in impact_reached(500, "GBP", [MEAL])] == [(1, "hot meal")]
    assert [(i.count, i.label) for i in impact_reached(499, "GBP", [MEAL])] == [(0, "hot meals")]


def test_units_in_another_currency_are_left_out():
    assert impact_reached(100_000, "GBP", [FILTER]) == []
    assert [i.count for i in impact_reached(100_000, "USD", [FILTER, MEAL])] == [50]


@pytest.mark.parametrize(
    ("text", "metres"), [("10", 10_000), ("21.0975", None), ("42.195", 42_195), ("5 km", 5_000), ("0.5", 500)]
)
def test_distance_is_parsed_exactly_into_metres(text, metres):
    if metres is None:
        with pytest.raises(ValueError):
            parse_distance_km(text)
    else:
        assert parse_distance_km(text) == metres


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "1e3", "10,5", "99999"])
def test_bad_distances_are_refused(text):
    with pytest.raises(ValueError):
        parse_distance_km(text)


def test_paging_arithmetic():
    paged = Paged(items=[], number=2, total_items=49, size=24)
    assert paged.total_pages == 3 and paged.has_previous and paged.has_next
    assert Paged(items=[], number=1, total_items=0).total_pages == 1
