"""Hooks of courses for the apps above it, which connect receivers in their AppConfig.ready().

courses knows nothing of notifications, meetings or rooms: it announces what happened to an
enrollment and the higher layers react (notify the student, close their open room sockets).
"""

from django.dispatch import Signal

# Sent inside the transaction, once a new enrollment row exists.
# Arguments: enrollment (Enrollment), added_by (User | None: the teacher who added the student,
# None when the student joined by themselves).
enrollment_created = Signal()

# Sent once the removal has committed.
# Arguments: course_id (int), student_id (int), removed_by_id (int | None).
enrollment_removed = Signal()

# Sent inside the transaction, once a new assistant row exists.
# Arguments: assistant (CourseAssistant), added_by (User | None).
assistant_added = Signal()

# Sent once the removal has committed.
# Arguments: course_id (int), user_id (int), removed_by_id (int | None).
assistant_removed = Signal()

# Sent by course_delete before the rows go. Arguments: course (Course), files (a list of
# (storage, name) pairs): a receiver appends the stored files of its own rows of the course,
# removed with the course's once the deletion has committed.
course_deleting = Signal()
