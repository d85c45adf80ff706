"""CSRF on every state change: walk EVERY URL pattern of the project and send POST, PUT, PATCH and
DELETE without a CSRF token, signed in by session as the owner of the objects (the course's
teacher; a superuser for /admin/). Every request must be refused with 403 by the CSRF check (not
by a permission or a missing object) and nothing in the database may change.

Exemptions (listed, with the reason):
- ``api:*`` requests authenticated with ``Authorization: Bearer cm_...`` skip CSRF: a token is
  never sent by the browser on its own, so another site cannot forge such a request
  (``test_token_authenticated_api_needs_no_csrf_token`` shows the exemption is only for tokens).
- The API's catch-all 404 (``^api/v1/`` unknown paths) is ``csrf_exempt``: it changes nothing
  and answers 404 (checked below too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core import serializers
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory, UserFactory
from classmeet.api.services import api_token_create
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.services.meetings import calendar_token_regenerate
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.services import notifications_create

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch", "delete")
FORM = "application/x-www-form-urlencoded"
# Unnamed routes that are csrf_exempt on purpose, by their full regex (see the module docstring).
EXEMPT_PATTERNS = {"api/^v1/"}


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1" if key.endswith("id") else "x"


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "^courses/<int:course_id>/edit/"
    name: str | None  # "courses:course-edit"
    kwargs: tuple[str, ...]
    callback: Any


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, text, ns)
        elif isinstance(entry, URLPattern):
            names = set(re.findall(r"<(?:\w+:)?(\w+)>", text)) | set(
                re.findall(r"\(\?P<(\w+)>", text)
            )
            yield Route(
                pattern=text,
                name=f"{namespace}{entry.name}" if entry.name else None,
                kwargs=tuple(sorted(names)),
                callback=entry.callback,
            )


def fill(pattern: str, known: dict[str, str]) -> str:
    """Turn a route pattern (path or regex syntax) into a concrete URL with the given values.

    A parameter the world has no object for (a route added later) gets "1" for an id, else "x":
    the CSRF check runs before the view, and the page walk then checks the 404 page.
    """
    values: Any = _Defaults(known)

    def sub_path(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name not in known and converter in ("int", "dbid"):
            return "1"
        return str(values[name])

    url = re.sub(r"<(?:(\w+):)?(\w+)>", sub_path, pattern)
    # Regex groups: (?P<name>...) with possibly nested parentheses; replace the whole group.
    while (start := url.find("(?P<")) != -1:
        name = url[start + 4 : url.index(">", start)]
        depth, i = 0, start
        while True:
            if url[i] == "(" and url[i - 1] != "\\":
                depth += 1
            elif url[i] == ")" and url[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        url = url[:start] + values[name] + url[i + 1 :]
    url = url.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    url = re.sub(r"\(\?:[^)]*\)\?", "", url)  # optional non-capturing groups (admin)
    return "/" + url.replace(".*", "x")


def snapshot() -> str:
    """Every row of every model except sessions, axes' logs and the cache of the admin log."""
    skip = {"sessions", "axes", "admin"}
    models = [m for m in apps.get_models() if m._meta.app_label not in skip]
    rows: str = serializers.serialize("json", [o for m in models for o in m._default_manager.all()])
    return rows


@pytest.fixture
def world(settings) -> dict[str, Any]:
    owner = TeacherFactory.create(username="owner")
    student = StudentFactory.create()
    course = CourseFactory.create(teacher=owner)
    EnrollmentFactory.create(course=course, student=student)
    material = MaterialFactory.create(course=course)
    meeting = MeetingFactory.create(course=course)
    discussion = DiscussionFactory.create(course=course, author=owner)
    comment = CommentFactory.create(discussion=discussion, author=owner)
    (notification,) = notifications_create(
        recipient_ids=[owner.pk], kind="upvote", title="Hello", url="/", actor=student
    )
    token, _raw = api_token_create(user=owner, name="ci")
    # The grading page checks access before it reads the body (an upload), then CSRF.
    assignment = AssignmentFactory.create(course=course)
    admin = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    ids = {
        "course_id": course.pk,
        "material_id": material.pk,
        "student_id": student.pk,
        "meeting_id": meeting.pk,
        "discussion_id": discussion.pk,
        "comment_id": comment.pk,
        "notification_id": notification.pk,
        "token_id": token.pk,
        "assignment_id": assignment.pk,
        "object_id": owner.pk,
        "content_type_id": 1,
        "id": owner.pk,
    }
    values = {k: str(v) for k, v in ids.items()} | {
        "uidb64": urlsafe_base64_encode(force_bytes(owner.pk)),
        "app_label": "courses",
        "url": "x",
        "path": "x",
        "format": ".json",
    }
    return {
        "owner": owner,
        "admin": admin,
        "course": course,
        "values": values,
        "reset_token": default_token_generator.make_token(owner),
        "calendar_token": calendar_token_regenerate(user=owner),
    }


def url_for(route: Route, world: dict[str, Any]) -> str:
    values = dict(world["values"])
    if "token" in route.kwargs:
        values["token"] = {
            "courses:course-invite": world["course"].invite_token,
            "meetings:calendar-feed": world["calendar_token"],
            "accounts:password-reset-confirm": world["reset_token"],
        }.get(route.name or "", "x")
    return fill(route.pattern, values)


def is_csrf_refusal(response: Any) -> bool:
    body = response.content.decode(errors="replace")
    return response.status_code == 403 and "CSRF" in body


def refused_for_csrf(client: Client, method: str, url: str, response: Any) -> bool:
    """True if the response is the CSRF check's refusal.

    Django's and DRF's refusals name CSRF. A view that renders DRF's refusal as the site's HTML
    403 page (the Swagger UI view) is checked by a control request WITH the token: it must then
    get something else, so the 403 came from the missing token.
    """
    if is_csrf_refusal(response):
        return True
    if response.status_code != 403:
        return False
    client.get("/auth/profile/")  # a form page: sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    control = getattr(client, method)(
        url, data={}, content_type="application/json", headers={"x-csrftoken": token}
    )
    return bool(control.status_code != 403)


def is_exempt_view(callback: Any) -> bool:
    return bool(getattr(callback, "csrf_exempt", False))


def test_the_walk_covers_every_app_and_the_admin():
    routes = list(walk())
    prefixes = {r.pattern.split("/")[0] for r in routes}
    for prefix in ("auth", "courses", "discussions", "notifications", "meetings", "api", "admin"):
        assert prefix in prefixes
    assert len(routes) > 100  # the project's ~110 routes plus the admin's


def test_every_state_changing_request_without_a_csrf_token_is_refused(world):
    clients = {}
    for role in ("owner", "admin"):
        clients[role] = Client(enforce_csrf_checks=True)
        clients[role].force_login(world[role])  # before the snapshot: it sets last_login
    before = snapshot()
    failures: list[str] = []
    walked = 0
    for route in walk():
        if route.pattern in EXEMPT_PATTERNS:
            continue
        url = url_for(route, world)
        client = clients["admin" if route.pattern.startswith("admin/") else "owner"]
        for method in METHODS:
            walked += 1
            response = getattr(client, method)(url, data={}, content_type="application/json")
            if refused_for_csrf(client, method, url, response):
                continue
            if response.status_code == 415:
                # A view that only parses forms refused the JSON body before the CSRF check
                # could read it (nothing changed); a form body, which another site CAN send,
                # must then meet the CSRF check.
                response = getattr(client, method)(url, data="x=1", content_type=FORM)
                if refused_for_csrf(client, method, url, response):
                    continue
            # A csrf_exempt view that checks CSRF itself (the material upload) may refuse the
            # other methods before reading anything: 405 changes nothing either.
            if not (is_exempt_view(route.callback) and response.status_code == 405):
                failures.append(f"{method.upper()} {url} ({route.name}) -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before
    assert walked >= 4 * 200  # 224 routes x 4 methods at the time of writing (docs/reliability.md)


def test_multipart_upload_without_a_token_is_refused_and_stores_nothing(world, tmp_path):
    """The material upload view is csrf_exempt only so that it can install its size-limit
    handler first; it then checks CSRF itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from classmeet.courses.models import Material

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    count = Material.objects.count()
    url = f"/courses/{world['course'].pk}/materials/new/"
    response = client.post(
        url, {"title": "x", "file": SimpleUploadedFile("notes.txt", b"hello", "text/plain")}
    )
    assert is_csrf_refusal(response)
    assert Material.objects.count() == count


def test_a_request_with_the_token_is_accepted(world):
    """Control: the same client passes with the token, so the 403s above are the CSRF check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    client.get("/notifications/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/notifications/read-all/", {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    api = client.post("/api/v1/notifications/read-all/", headers={"x-csrftoken": token})
    assert api.status_code in (200, 204)


def test_token_authenticated_api_needs_no_csrf_token(world):
    _token, raw = api_token_create(user=world["owner"], name="script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/notifications/read-all/", headers={"authorization": f"Bearer {raw}"}
    )
    assert response.status_code in (200, 204)


def test_the_api_catch_all_is_a_404_that_changes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    before = snapshot()
    for method in METHODS:
        assert getattr(client, method)("/api/v1/nope/").status_code == 404
    assert snapshot() == before
