"""Markdown to safe HTML: python-Markdown renders, nh3 (ammonia) sanitizes with an allow-list.
Markdown to plain text for summaries: the same rendering, reduced to its text."""

import re
from html.parser import HTMLParser

import markdown  # type: ignore[import-untyped]
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


def render_markdown(text: str) -> str:
    """Return the sanitized HTML of a Markdown text; raw HTML in it never survives unsafely."""
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# Elements after which the text goes on as a new word (a paragraph, an item, a cell, a line).
_BREAKS = {
    "blockquote", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
    "table", "td", "th", "tr", "ul",
}  # fmt: skip
_SILENT = {"script", "style"}
# A fence or strong-emphasis marker that Markdown left as text (e.g. cut off by an excerpt).
_LEFTOVER_MARKERS = re.compile(r"`{3,}|~{3,}|\*\*|__")


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self.silent += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT:
            self.silent = max(0, self.silent - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.silent:
            self.parts.append(data)


def markdown_to_text(text: str) -> str:
    """Return what a Markdown text reads as, on one line: no markup, fences or link syntax.

    For summaries such as notifications: **bold** reads "bold", [a link](http://x) reads
    "a link", a fenced block reads as its code.
    """
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    plain = _LEFTOVER_MARKERS.sub("", "".join(parser.parts))
    return " ".join(plain.split())
