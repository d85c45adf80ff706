"""The discussion_text filters render what the blocktranslate they replace rendered."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation


def _render(source: str, **context: object) -> str:
    return Template("{% load i18n discussion_text %}" + source).render(Context(context))


@pytest.mark.parametrize("n", [0, 1, 2, 1234567])
def test_counts_match_blocktranslate(n: int) -> None:
    upvotes = "{% blocktranslate count counter=n %}{{ counter }} Upvote{% plural %}{{ counter }} Upvotes{% endblocktranslate %}"
    comments = "{% blocktranslate count counter=n %}{{ counter }} Comment{% plural %}{{ counter }} Comments{% endblocktranslate %}"
    with translation.override("en"):
        assert _render("{{ n|upvotes }}", n=n) == _render(upvotes, n=n)
        assert _render("{{ n|comments }}", n=n) == _render(comments, n=n)
    assert _render("{{ n|upvotes }}", n=n) in {f"{n} Upvote", f"{n} Upvotes"}


@pytest.mark.parametrize("age", [timedelta(0), timedelta(minutes=5), timedelta(days=40), None])
def test_ago_matches_blocktranslate(age: timedelta | None) -> None:
    when = None if age is None else timezone.now() - age
    original = "{% blocktranslate with when=t|timesince %}{{ when }} ago{% endblocktranslate %}"
    assert _render("{{ t|ago }}", t=when) == _render(original, t=when)
    assert _render("{{ t|ago }}", t=when).endswith(" ago")
