"""suggestions.text: sentences, passages, index terms and the features a counterpart shares."""

import json

import pytest

from suggestions import text


def sentence_texts(value: str) -> list[str]:
    return [value[s:e] for s, e in text.sentences(value)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kirov was shot. Nikolaev was arrested.", ["Kirov was shot.", "Nikolaev was arrested."]),
        # Initials and titles do not end a sentence.
        ("S. M. Kirov was shot. Then", ["S. M. Kirov was shot.", "Then"]),
        (
            "Mr. Vyshinsky spoke. Gen. Yakir listened.",
            ["Mr. Vyshinsky spoke.", "Gen. Yakir listened."],
        ),
        ("See p. 9 and Dec. 1 for more. Done.", ["See p. 9 and Dec. 1 for more.", "Done."]),
        # Quotes: the closing quote belongs to the sentence; lowercase goes on.
        ("He said: “We wait.” Then he left.", ["He said: “We wait.”", "Then he left."]),
        ("“Is it true?” he asked. Yes.", ["“Is it true?” he asked.", "Yes."]),
        ("It ended. “Next,” he said.", ["It ended.", "“Next,” he said."]),
        # A numbered list item keeps its number; a line break always ends a sentence.
        (
            "1. The problem is old.\n2. The answer is new.",
            ["1. The problem is old.", "2. The answer is new."],
        ),
        ("A heading\nA paragraph follows", ["A heading", "A paragraph follows"]),
        ("It was in 1934. The trial followed.", ["It was in 1934.", "The trial followed."]),
        ("Really?! Yes… Certainly.", ["Really?!", "Yes…", "Certainly."]),
        ("  \n\n  ", []),
    ],
)
def test_sentences(value, expected):
    assert sentence_texts(value) == expected


def test_sentence_offsets_count_code_points():
    value = "𝔄 first one. Second 😀 one."
    spans = text.sentences(value)
    assert [value[s:e] for s, e in spans] == ["𝔄 first one.", "Second 😀 one."]
    assert spans[1][0] == 13  # code points, not UTF-16 units


def test_passages_cover_every_sentence_in_order():
    value = " ".join(f"Sentence number {i} is about Kirov and Nikolaev here." for i in range(10))
    spans = text.passages(value)
    starts = [s for s, _ in spans]
    assert starts == sorted(set(starts))
    for s, e in text.sentences(value):
        assert any(ps <= s and e <= pe for ps, pe in spans)


def test_short_sentences_join_the_next_and_windows_stay_under_the_cap():
    value = "Short. " + "A much longer sentence that goes on about the trial in Leningrad. " * 3
    spans = text.passages(value, window=1, min_chars=80, max_chars=600)
    assert value[spans[0][0] : spans[0][1]].startswith("Short. A much longer")
    assert all(e - s <= 600 for s, e in spans)


def test_a_sentence_longer_than_the_cap_is_cut_at_spaces():
    value = "word " * 400
    spans = text.passages(value, max_chars=100)
    assert all(e - s <= 100 for s, e in spans)
    assert all(value[s] != " " and value[e - 1] != " " for s, e in spans)
    assert spans[-1][1] == len(value.rstrip())


@pytest.mark.parametrize(
    ("window", "stride", "count"),
    [(1, 1, 6), (2, 1, 5), (3, 1, 4), (2, 2, 3)],
)
def test_windows_and_strides(window, stride, count):
    value = " ".join(f"This sentence {i} is long enough to stand alone here." for i in range(6))
    assert len(text.passages(value, window=window, stride=stride, min_chars=0)) == count


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("The trials were held", {"trial": 1, "held": 1}),
        ("Kirov's murder; Kirov’s killer", {"kirov": 2, "murder": 1, "killer": 1}),
        ("Thirteen or 13 shot", {"13": 2, "shot": 1}),
        ("Émigré émigrés", {"emigr": 2}),
        ("the and of", {}),
    ],
)
def test_index_terms(value, expected):
    assert dict(text.index_terms(value)) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [("nikolaev", "nicolaiev"), ("nikolaev", "nikolayev"), ("zinoviev", "zinowiew")],
)
def test_spelling_variants_share_a_skeleton(a, b):
    assert text.skeleton(a) == text.skeleton(b)
    assert text.variant_grams(a) == text.variant_grams(b)


def test_grams_are_padded_trigrams():
    assert text.grams("kirov") == {"^ki", "kir", "iro", "rov", "ov$"}


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (
            "The assassin was Leonid Nikolayev, born in Leningrad.",
            ["Leonid Nikolayev", "Leningrad"],
        ),
        ("Then S. M. Kirov spoke to the NKVD.", ["S. M. Kirov", "NKVD"]),
        ("Replying to him, the Party of Labour wrote.", ["Party of Labour"]),
        ("Thus nothing happened.", []),
    ],
)
def test_names(value, names):
    assert text.features(value)["names"] == names


def test_a_sentence_may_open_with_a_known_name():
    value = "Kirov was shot."
    assert text.features(value)["names"] == []
    assert text.features(value, known_names={"kirov"})["names"] == ["Kirov"]


def test_document_names_are_the_ones_inside_sentences():
    assert text.document_names("Yesterday Kirov spoke. Nobody listened.") == {"kirov"}


@pytest.mark.parametrize(
    ("value", "numbers"),
    [
        ("a group of 13 'Zinovievists', shot", [[13, text.PEOPLE, "13"]]),
        ("fourteen defendants", [[14, text.PEOPLE, "fourteen"]]),
        ("a dozen witnesses", [[12, "wit", "a dozen"]]),
        ("twenty-five rifles", [[25, "rifl", "twenty-five"]]),
        ("1,000 roubles", [[1000, "roubl", "1,000"]]),
        ("one of them, on p. 9, No. 5", []),
        ("3. The Temps wrote", []),
        ("on December 17, and 28-29 December", []),
    ],
)
def test_numbers(value, numbers):
    assert text.features(value)["numbers"] == numbers


@pytest.mark.parametrize(
    ("value", "dates"),
    [
        ("on December 1, 1934,", [["1934-12-01", "December 1, 1934"]]),
        ("on 1 December 1934", [["1934-12-01", "1 December 1934"]]),
        ("in December 1934", [["1934-12", "December 1934"]]),
        ("dated 1934-12-01", [["1934-12-01", "1934-12-01"]]),
        ("in 1934", [["1934", "1934"]]),
    ],
)
def test_dates(value, dates):
    assert text.features(value)["dates"] == dates


def test_features_are_json():
    found = text.features("On 1 December 1934, 13 men shot Kirov in Leningrad.")
    assert json.loads(json.dumps(found)) == found
