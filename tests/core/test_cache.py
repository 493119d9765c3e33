"""The fragment cache of apps/core/cache.py: keys, languages, versions, a cache that is down."""

from __future__ import annotations

from unittest import mock

import pytest
from django.http import QueryDict
from django.utils import translation

from apps.core import cache as fragments
from apps.reports.models import Report
from tests.factories import make_report, user_for


def counting_build(value="built"):
    calls = []

    def build():
        calls.append(1)
        return f"{value} {len(calls)}"

    return build, calls


def test_the_second_call_with_the_same_key_does_not_build_again():
    build, calls = counting_build()
    first = fragments.cached_fragment("t", ("a", 1), build)
    second = fragments.cached_fragment("t", ("a", 1), build)
    assert first == second == "built 1" and len(calls) == 1


def test_another_key_part_or_namespace_builds_its_own_fragment():
    build, calls = counting_build()
    fragments.cached_fragment("t", ("a", 1), build)
    fragments.cached_fragment("t", ("a", 2), build)
    fragments.cached_fragment("u", ("a", 1), build)
    assert len(calls) == 3


def test_the_language_is_part_of_every_key():
    with translation.override("en"):
        english = fragments.fragment_key("t", ("a",))
    with translation.override("zh-hans"):
        chinese = fragments.fragment_key("t", ("a",))
    assert english != chinese


def test_the_release_is_part_of_every_key():
    key = fragments.fragment_key("t", ("a",))
    assert fragments.code_version() in key
    with mock.patch.object(fragments, "code_version", return_value="another-release"):
        assert fragments.fragment_key("t", ("a",)) != key


def test_query_parameters_are_normalised_by_order_but_keep_every_value():
    a = fragments.params_key(QueryDict("b=2&a=1&a=3"))
    assert a == fragments.params_key(QueryDict("a=1&a=3&b=2"))
    assert a != fragments.params_key(QueryDict("a=1&b=2"))
    dropped = fragments.params_key(QueryDict("a=1&page=2"), drop=("page",))
    assert dropped == fragments.params_key(QueryDict("a=1"))


@pytest.mark.django_db
def test_users_of_different_jurisdictions_never_share_a_scope_key():
    keys = {fragments.scope_key(user_for(role)) for role in ("county", "city", "department", "provincial")}
    assert len(keys) == 4
    # two users of the same jurisdiction may share; a personal key never is
    one, two = user_for("city"), user_for("city")
    assert fragments.scope_key(one) == fragments.scope_key(two)
    assert fragments.personal_key(one) != fragments.personal_key(two)


@pytest.mark.django_db
def test_a_table_stamp_moves_with_every_insert_save_and_delete():
    stamps = [fragments.table_stamp(Report.objects.all())]
    report = make_report("360102", 2024)
    stamps.append(fragments.table_stamp(Report.objects.all()))
    report.save()
    stamps.append(fragments.table_stamp(Report.objects.all()))
    report.delete()
    stamps.append(fragments.table_stamp(Report.objects.all()))
    assert len(set(stamps[1:])) == 3 and stamps[1] != stamps[0]


@pytest.mark.django_db
def test_latest_pk_moves_with_an_insert():
    before = fragments.latest_pk(Report.objects.all())
    make_report("360102", 2024)
    assert fragments.latest_pk(Report.objects.all()) != before


def test_an_exception_in_build_propagates_and_nothing_is_stored():
    def broken():
        raise ValueError("no")

    with pytest.raises(ValueError):
        fragments.cached_fragment("t", ("x",), broken)
    build, calls = counting_build()
    assert fragments.cached_fragment("t", ("x",), build) == "built 1" and calls == [1]


def test_a_cache_that_is_down_costs_the_build_never_the_page():
    build, calls = counting_build()
    with (
        mock.patch.object(fragments.cache, "get", side_effect=ConnectionError("down")),
        mock.patch.object(fragments.cache, "set", side_effect=ConnectionError("down")),
    ):
        assert fragments.cached_fragment("t", ("a",), build) == "built 1"
        assert fragments.cached_fragment("t", ("a",), build) == "built 2"
    assert calls == [1, 1]


@pytest.mark.django_db
def test_latest_pks_reads_several_tables_in_one_query(django_assert_num_queries):
    make_report("360102", 2024)
    with django_assert_num_queries(1):
        stamp = fragments.latest_pks(Report.objects.all(), Report.history.all())
    assert stamp == (Report.objects.latest("pk").pk, Report.history.latest("history_id").pk)
    report = Report.objects.get()
    report.save()  # a save writes history: the stamp moves though no report was added
    assert fragments.latest_pks(Report.objects.all(), Report.history.all()) != stamp


@pytest.mark.django_db
def test_latest_pks_of_a_filtered_queryset_reads_only_its_rows():
    first = make_report("360102", 2024)
    second = make_report("360103", 2024)
    whole, filtered, empty = fragments.latest_pks(
        Report.objects.all(), Report.objects.filter(pk=first.pk), Report.objects.filter(pk=-1)
    )
    assert (whole, filtered, empty) == (max(first.pk, second.pk), first.pk, None)
