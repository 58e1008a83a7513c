"""``@username`` mentions in a comment's text — pure functions.

A mention is ``@`` followed by a username (letters, digits and ``@ . + - _``, as Django
allows in usernames), not preceded by one of those characters (so ``me@example.org`` is
no mention). A full stop ending the sentence is not part of the name."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# At most this many people are told about one comment by mentions.
MAX_MENTIONS = 20

_MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]+)")


def _name(match: re.Match) -> str:
    return match.group(1).rstrip(".")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames mentioned in ``text``, each once, in order of first mention, at most
    ``MAX_MENTIONS``."""
    names: list[str] = []
    for match in _MENTION.finditer(text):
        name = _name(match)
        if name and name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def mentions_html(text: str) -> SafeString:
    """``text`` escaped, with each mention marked (``<span class="mention">``) and line
    breaks kept (``<br>``)."""

    def marked(match: re.Match) -> str:
        name = _name(match)
        rest = match.group(1)[len(name) :]
        return f'<span class="mention">@{name}</span>{rest}'

    escaped = _MENTION.sub(marked, escape(text))
    return mark_safe(escaped.replace("\r\n", "\n").replace("\n", "<br>"))  # escaped above
