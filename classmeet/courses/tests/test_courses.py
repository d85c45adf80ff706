"""Creating, editing and deleting courses; thumbnails and their generated placeholder."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from classmeet.courses.models import Course
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import CourseFactory, MaterialFactory
from classmeet.discussions.tests.factories import DiscussionFactory
from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("courses:course-create")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def thumb_url(course: Course) -> str:
    return reverse("courses:course-thumbnail", kwargs={"course_id": course.pk})


def picture(name: str = "pic.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.image_bytes() if data is None else data)


def test_teacher_creates_course_with_thumbnail(client, teacher):
    client.force_login(teacher)
    response = client.post(
        CREATE_URL, {"title": "  Optics ", "description": "Light.", "thumbnail": picture("x.php")}
    )
    course = Course.objects.get()
    assert response["Location"] == course.get_absolute_url()
    assert (course.title, course.teacher) == ("Optics", teacher)
    assert course.joining_enabled
    assert len(course.join_code) == 8
    # The stored name comes from the checked format, not from "x.php".
    assert course.thumbnail.name.endswith(".png")
    assert "php" not in course.thumbnail.name
    served = client.get(thumb_url(course))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert (image.format, image.size) == ("PNG", (32, 18))


def test_student_cannot_create_course(client, student):
    client.force_login(student)
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, {"title": "Mine"}).status_code == 403
    assert not Course.objects.exists()


def test_blank_title_is_refused(client, teacher):
    client.force_login(teacher)
    response = client.post(CREATE_URL, {"title": "   "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("pic.png", b"this is not an image at all", "Upload a valid image"),
        ("pic.png", files.PDF, "Upload a valid image"),
        ("pic.bmp", files.image_bytes("BMP"), "Upload a valid image"),
        ("pic.png", files.image_bytes()[:60], "Upload a valid image"),
        ("pic.png", files.ELF, "Upload a valid image"),
    ],
)
def test_bad_thumbnail_is_refused(client, teacher, name, data, message):
    client.force_login(teacher)
    response = client.post(CREATE_URL, {"title": "Optics", "thumbnail": picture(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Course.objects.exists()


def test_decompression_bomb_thumbnail_is_refused(client, teacher, settings):
    """A few kilobytes that claim 6000 x 6000 pixels never get decoded."""
    bomb = files.image_bytes("PNG", size=(6000, 6000), mode="1")
    assert len(bomb) < settings.CLASSMEET_THUMBNAIL_MAX_BYTES
    client.force_login(teacher)
    response = client.post(CREATE_URL, {"title": "Optics", "thumbnail": picture("bomb.png", bomb)})
    assert "The picture is too big (6000 x 6000 pixels)" in response.content.decode()
    assert not Course.objects.exists()


def test_thumbnail_pixel_limit_comes_from_settings(client, teacher, settings):
    settings.CLASSMEET_THUMBNAIL_MAX_PIXELS = 100
    client.force_login(teacher)
    response = client.post(CREATE_URL, {"title": "Optics", "thumbnail": picture()})
    assert "too big" in response.content.decode()


def test_oversize_thumbnail_is_refused(client, teacher, settings):
    settings.CLASSMEET_THUMBNAIL_MAX_BYTES = 50
    client.force_login(teacher)
    response = client.post(CREATE_URL, {"title": "Optics", "thumbnail": picture()})
    assert "The picture is too large" in response.content.decode()
    assert not Course.objects.exists()


def test_placeholder_has_initials_and_colour_and_no_script(client, teacher):
    course = CourseFactory.create(
        teacher=teacher, title='quantum <script>alert("x")</script> mechanics'
    )
    client.force_login(teacher)
    response = client.get(thumb_url(course))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert ">Q" in body  # initials of the words that start with a letter
    assert "<script" not in body
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_placeholder_colour_depends_on_course(client, teacher):
    client.force_login(teacher)
    bodies = {
        client.get(thumb_url(CourseFactory.create(teacher=teacher))).content for _ in range(3)
    }
    assert len(bodies) == 3


def test_edit_replaces_thumbnail_and_deletes_old_file(
    client, teacher, course, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    url = reverse("courses:course-edit", kwargs={"course_id": course.pk})
    client.post(url, {"title": "Physics 101", "thumbnail": picture()})
    course.refresh_from_db()
    first = Path(course.thumbnail.path)
    assert first.exists()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "title": "Physics 102",
                "description": "New",
                "thumbnail": picture("a.gif", files.image_bytes("GIF")),
            },
        )
    course.refresh_from_db()
    assert course.title == "Physics 102"
    assert course.thumbnail.name.endswith(".gif")
    assert not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"title": "Physics 102", "thumbnail-clear": "on"})
    course.refresh_from_db()
    assert not course.thumbnail
    assert client.get(thumb_url(course))["Content-Type"].startswith("image/svg+xml")


def test_edit_without_new_picture_keeps_the_old_one(client, teacher, course):
    client.force_login(teacher)
    url = reverse("courses:course-edit", kwargs={"course_id": course.pk})
    client.post(url, {"title": "Physics 101", "thumbnail": picture()})
    course.refresh_from_db()
    name = course.thumbnail.name
    client.post(url, {"title": "Renamed"})
    course.refresh_from_db()
    assert (course.title, course.thumbnail.name) == ("Renamed", name)


def test_delete_course_needs_confirmation_and_removes_files(
    client, teacher, course, django_capture_on_commit_callbacks
):
    material = MaterialFactory.create(course=course)
    files_on_disk = [Path(material.file.path)]
    MeetingFactory.create(course=course)
    client.force_login(teacher)
    url = reverse("courses:course-delete", kwargs={"course_id": course.pk})
    page = client.get(url)
    assert "Physics 101" in page.content.decode()
    assert Course.objects.filter(pk=course.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("dashboard:dashboard")
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not Meeting.objects.exists()
    assert not any(p.exists() for p in files_on_disk)


def test_course_detail_lists_materials_meetings_and_sections(client, course, enrollment):
    MaterialFactory.create(course=course, title="Slides week 1")
    MeetingFactory.create(course=course, title="Waves live")
    DiscussionFactory.create(course=course, title="How do lenses work?")
    DiscussionFactory.create(title="Another course's question")
    client.force_login(enrollment.student)
    page = client.get(course.get_absolute_url()).content.decode()
    for text in (
        "Slides week 1",
        "Waves live",
        "How do lenses work?",
        'id="materials"',
        'id="meetings"',
        'id="discussions"',
    ):
        assert text in page
    assert "Another course" not in page
    assert "Delete Course" not in page
    assert "Add Material" not in page


def test_phone_camera_jpeg_mpo_is_accepted_as_jpeg(client, teacher):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(
        buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (40, 30))]
    )
    client.force_login(teacher)
    client.post(
        CREATE_URL, {"title": "Photos", "thumbnail": picture("IMG_0001.JPG", buffer.getvalue())}
    )
    course = Course.objects.get()
    assert course.thumbnail.name.endswith(".jpg")
    assert client.get(thumb_url(course))["Content-Type"] == "image/jpeg"


def test_thumbnail_is_stored_upright_bounded_and_without_metadata(client, teacher):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to display
    exif[0x010F] = "SpyCam Inc."  # camera maker
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    client.force_login(teacher)
    client.post(CREATE_URL, {"title": "Photos", "thumbnail": picture("p.jpg", buffer.getvalue())})
    course = Course.objects.get()
    with Image.open(course.thumbnail.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (480, 720)  # turned upright, then fitted into 1280 x 720
        assert not stored.getexif()


def test_gif_thumbnail_keeps_its_animation(client, teacher):
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), (80 * i, 0, 0)) for i in range(3)]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    client.force_login(teacher)
    client.post(CREATE_URL, {"title": "Anim", "thumbnail": picture("a.gif", buffer.getvalue())})
    with Image.open(Course.objects.get().thumbnail.path) as stored:
        assert getattr(stored, "n_frames", 1) == 3


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_course_page_links_to_its_coursework(client, course, enrollment, role):
    client.force_login(course.teacher if role == "teacher" else enrollment.student)
    html = client.get(course.get_absolute_url()).content.decode()
    ids = {"course_id": course.pk}
    assert reverse("coursework:quiz-list", kwargs=ids) in html
    assert (reverse("coursework:gradebook", kwargs=ids) in html) == (role == "teacher")
    assert (reverse("coursework:my-grades", kwargs=ids) in html) == (role == "student")
