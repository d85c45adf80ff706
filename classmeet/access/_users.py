"""Who is asking: the one helper every access module shares.

Defined in accounts, because the domain selectors' visibility filters (e.g.
`courses.selectors.course_visible_q`) ask the same question and may not import access.
"""

from classmeet.accounts.selectors import AnyUser, is_authenticated

__all__ = ["AnyUser", "is_authenticated"]
