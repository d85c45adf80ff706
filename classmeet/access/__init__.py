"""Every permission rule of Classmeet, a module per domain.

The package sits above the domain apps (it imports their models and selectors) and below
everything that serves a request: views, API views, consumers, tasks and template tags call it
instead of repeating a rule. `can_*` functions answer yes/no. `access_*` functions fetch an
object and check it in one go; they raise `Http404` whether the object is missing or hidden from
the user, so ids don't leak.

Staff accounts manage everything from /admin/; the app's own pages show them only what they
teach or attend, like anybody else.
"""

from classmeet.access import (
    accounts,
    courses,
    coursework,
    discussions,
    meetings,
    notifications,
    recordings,
    rooms,
)

__all__ = [
    "accounts",
    "courses",
    "coursework",
    "discussions",
    "meetings",
    "notifications",
    "recordings",
    "rooms",
]
