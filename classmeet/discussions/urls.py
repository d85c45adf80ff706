from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("", views.discussion_list, name="discussion-list"),
    path("course/<int:course_id>/new/", views.discussion_create, name="discussion-create"),
    path("<int:discussion_id>/", views.discussion_detail, name="discussion-detail"),
    path("<int:discussion_id>/edit/", views.discussion_edit, name="discussion-edit"),
    path("<int:discussion_id>/delete/", views.discussion_delete, name="discussion-delete"),
    path("<int:discussion_id>/upvote/", views.discussion_upvote, name="discussion-upvote"),
    path("<int:discussion_id>/pin/", views.discussion_pin, name="discussion-pin"),
    path("<int:discussion_id>/lock/", views.discussion_lock, name="discussion-lock"),
    path("<int:discussion_id>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:comment_id>/upvote/", views.comment_upvote, name="comment-upvote"),
    path("comments/<int:comment_id>/answer/", views.comment_answer, name="comment-answer"),
]
