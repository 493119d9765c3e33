import pytest

from apps.regions import selectors

pytestmark = pytest.mark.django_db


def test_subtree_of_a_city_is_the_city_and_its_counties_in_one_query(region, django_assert_num_queries):
    nanchang = region("360100")
    with django_assert_num_queries(1):
        codes = [r.code for r in selectors.subtree(nanchang)]
    assert codes[0] == "360100"
    assert len(codes) == 10
    assert all(c.startswith("3601") for c in codes)


def test_subtree_of_the_province_is_all_112_regions(region):
    assert selectors.subtree(region("360000")).count() == 112
    assert selectors.subtree(region("360000"), include_self=False).count() == 111


def test_ancestors_of_a_county_are_province_then_city_in_one_query(region, django_assert_num_queries):
    donghu = region("360102")
    with django_assert_num_queries(1):
        codes = [r.code for r in selectors.ancestors(donghu)]
    assert codes == ["360000", "360100"]
    assert [r.code for r in selectors.ancestors(donghu, include_self=True)] == ["360000", "360100", "360102"]


def test_children_of_the_province_are_its_eleven_cities(region):
    assert selectors.children(region("360000")).count() == 11


def test_by_codes_maps_codes_and_ignores_unknown_ones():
    found = selectors.by_codes(["360100", "999999"])
    assert set(found) == {"360100"}
    assert found["360100"].name == "南昌市"


def test_is_within_follows_the_tree(region):
    assert region("360102").is_within(region("360100"))
    assert not region("360102").is_within(region("360200"))
