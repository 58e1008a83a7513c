"""``@username`` mentions: found in a comment's text, and marked in its escaped HTML."""

import pytest

from discussion.mentions import MAX_MENTIONS, mentioned_usernames, mentions_html


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@alice please look", ["alice"]),
        ("Thanks, @bob.", ["bob"]),
        ("@carol.d and @e-f+g_h agree", ["carol.d", "e-f+g_h"]),
        ("(@dave) and @dave again", ["dave"]),
        ("write to me@example.org", []),
        ("an @ alone", []),
        ("@Zoë checks", ["Zoë"]),
    ],
)
def test_it_finds_the_usernames_mentioned(text, names):
    assert mentioned_usernames(text) == names


def test_it_takes_at_most_so_many_mentions():
    text = " ".join(f"@user{number}" for number in range(MAX_MENTIONS + 5))
    assert len(mentioned_usernames(text)) == MAX_MENTIONS


def test_the_html_escapes_everything_and_marks_mentions():
    html = mentions_html('<script>alert("x")</script> @alice & @bob.\nNext line')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<span class="mention">@alice</span> &amp; <span class="mention">@bob</span>.' in html
    assert html.endswith("<br>Next line")


def test_a_name_made_to_look_like_markup_stays_text():
    html = mentions_html('@x"onmouseover=alert(1)')
    assert '<span class="mention">@x</span>&quot;onmouseover=alert(1)' == html
