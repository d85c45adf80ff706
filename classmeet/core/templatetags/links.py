"""`{% link "app:name" %}` and `{% id_link "app:name" "kwarg" pk other=id %}`: what `{% url %}`
renders for a URL without arguments or with integer ids, reversed once (classmeet.core.links)."""

from django import template

from classmeet.core.links import id_url, name_url

register = template.Library()


@register.simple_tag
def link(name: str) -> str:
    # As {% url %}: escaped (simple_tag escapes a plain str under autoescape).
    return name_url(name)


@register.simple_tag
def id_link(name: str, kwarg: str, pk: int, **fixed: int) -> str:
    return id_url(name, kwarg, pk, **fixed)
