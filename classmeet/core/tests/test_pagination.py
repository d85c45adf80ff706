import pytest
from django.core.paginator import Paginator

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import UserFactory
from classmeet.core.pagination import page_of

pytestmark = pytest.mark.django_db


def _same(number: str | None, size: int) -> None:
    users = User.objects.order_by("pk")
    page = page_of(users, number, size)
    expected = Paginator(users, size).get_page(number)
    assert list(page) == list(expected)
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert page.has_next() == expected.has_next()
    assert page.has_previous() == expected.has_previous()


@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "99", "0", "abc"])
def test_page_of_is_get_page(number: str | None) -> None:
    for size in (2, 5, 10):
        _same(number, size)
    UserFactory.create_batch(5)
    for size in (2, 5, 10):
        _same(number, size)


def test_a_short_first_page_needs_no_count(django_assert_num_queries):
    UserFactory.create_batch(3)
    with django_assert_num_queries(1):
        page = page_of(User.objects.order_by("pk"), None, 3)
        assert page.paginator.num_pages == 1
        assert len(page) == 3
    with django_assert_num_queries(2):
        page = page_of(User.objects.order_by("pk"), "1", 2)
        assert page.paginator.num_pages == 2
