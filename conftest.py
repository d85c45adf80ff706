"""Fixtures shared by every test: the people of a course, and the real services of CI."""

import os
import socket
from typing import Any
from urllib.parse import urlparse

import pytest

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory, UserFactory
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from config.settings.test import redis_url_for_worker
from tests.support import require_service

pytest_plugins = ["tests.browser", "tests.celery_workers", "tests.xdist_split"]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server for tests that need one (REDIS_URL, default the local one)."""
    url = os.environ.get("REDIS_URL") or redis_url_for_worker(
        "redis://127.0.0.1:6379/0", int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    )
    require_service(
        _reachable(url, 6379),
        f"Redis not reachable at {url}",
        required=f"Redis is required but unreachable at {url}",
    )
    return url


@pytest.fixture
def teacher(db: None) -> User:
    return TeacherFactory.create(username="teacher", first_name="Tina", last_name="Teach")


@pytest.fixture
def other_teacher(db: None) -> User:
    return TeacherFactory.create(username="other_teacher")


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory.create(username="student", first_name="Sam", last_name="Study")


@pytest.fixture
def outsider(db: None) -> User:
    return StudentFactory.create(username="outsider")


@pytest.fixture
def staff(db: None) -> User:
    return UserFactory.create(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def course(teacher: User) -> Course:
    return CourseFactory.create(teacher=teacher, title="Physics 101")


@pytest.fixture
def enrollment(course: Course, student: User) -> Enrollment:
    return EnrollmentFactory.create(course=course, student=student)


@pytest.fixture
def live_meeting(course: Course) -> Meeting:
    return MeetingFactory.create(course=course, title="Waves")


BROWSER_FIXTURES = {"browser", "new_page", "live_server_url", "deploy_browser", "open_room_page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last, wherever they live.

    Playwright's sync API keeps an event loop running in the main thread for the rest of the
    session once the browser starts; async tests collected after it would find that loop running.
    """
    browser_tests = [
        item for item in items if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
    ]
    chosen = set(browser_tests)
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
        # Real browsers on a 2-core machine: a test that timed out waiting for media gets two
        # more chances; an assertion that fails three times running still fails the suite.
        # CLASSMEET_BROWSER_RERUNS=0 shows the first failure (when chasing a flaky test).
        reruns = int(os.environ.get("CLASSMEET_BROWSER_RERUNS", "2"))
        item.add_marker(pytest.mark.flaky(reruns=reruns, reruns_delay=1))
    others = [item for item in items if item not in chosen]
    items[:] = others + browser_tests


@pytest.fixture
def test_catalog(settings, tmp_path):
    """Return add(language, {msgid: msgstr}): those translations win over every catalog's for
    the test (settings.LOCALE_PATHS first; Django drops its cached catalogs on the change)."""
    from tests.support import write_catalog

    locale_dir = tmp_path / "test-locale"
    original = list(settings.LOCALE_PATHS)

    def add(language: str, messages: dict[Any, str | tuple[str, ...]]) -> None:
        write_catalog(locale_dir, language, messages)
        settings.LOCALE_PATHS = [str(locale_dir), *original]

    return add
