from django.urls import path

from . import views, views_staff

app_name = "courses"

urlpatterns = [
    path("new/", views.course_create, name="course-create"),
    path("join/", views.course_join, name="course-join"),
    path("invite/<str:token>/", views.course_invite, name="course-invite"),
    path("<int:course_id>/", views.course_detail, name="course-detail"),
    path("<int:course_id>/edit/", views.course_edit, name="course-edit"),
    path("<int:course_id>/delete/", views.course_delete, name="course-delete"),
    path("<int:course_id>/thumbnail/", views.course_thumbnail, name="course-thumbnail"),
    path(
        "<int:course_id>/join-code/regenerate/",
        views.course_regenerate_code,
        name="course-regenerate-code",
    ),
    path(
        "<int:course_id>/invite/regenerate/",
        views.course_regenerate_invite,
        name="course-regenerate-invite",
    ),
    path("<int:course_id>/joining/", views.course_joining, name="course-joining"),
    path("<int:course_id>/students/add/", views.enrollment_add, name="enrollment-add"),
    path(
        "<int:course_id>/students/<int:student_id>/remove/",
        views.enrollment_remove,
        name="enrollment-remove",
    ),
    path("<int:course_id>/staff/", views_staff.staff_list, name="staff"),
    path("<int:course_id>/staff/add/", views_staff.assistant_add, name="assistant-add"),
    path(
        "<int:course_id>/staff/<int:user_id>/remove/",
        views_staff.assistant_remove,
        name="assistant-remove",
    ),
    path("<int:course_id>/materials/new/", views.material_create, name="material-create"),
    path(
        "<int:course_id>/materials/<int:material_id>/download/",
        views.material_download,
        name="material-download",
    ),
    path(
        "<int:course_id>/materials/<int:material_id>/delete/",
        views.material_delete,
        name="material-delete",
    ),
]
