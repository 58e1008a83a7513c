"""A selection widens to whole grapheme clusters on any text: tables of texts built from
known clusters (long runs of flags of odd and even length, emoji ZWJ families, skin tones,
long stacks of combining marks, tag sequences, CRLF), checked at every offset, against the
page's own anchoring module in Chromium."""

import json

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

FLAGS = ["🇷🇺", "🇺🇦", "🇫🇷", "🇩🇪", "🇯🇵", "🇧🇷", "🇨🇦"]
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
KISS = "👩\u200d❤️\u200d💋\u200d👨"
THUMBS = ["👍🏻", "👍🏽", "👋🏿", "🧑🏾\u200d🚀"]
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
KEYCAP = "1\ufe0f\u20e3"


def flag_run(indicators: int) -> list[str]:
    """``indicators`` regional indicators in a row: flags, and a lone one when odd."""
    flags = [FLAGS[number % len(FLAGS)] for number in range(indicators // 2)]
    return flags + (["🇫"] if indicators % 2 else [])


def texts() -> list[list[str]]:
    """Texts as lists of their grapheme clusters, each long enough to cross any window."""
    cases = []
    for indicators in [*range(1, 8), 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 66, 67]:
        for lead in ([], ["a"], ["a", "b", "c"], ["x"] * 63):
            cases.append([*lead, *flag_run(indicators), " ", "z"])
    # Flags right after flags a newline apart, at the text's edges, and between letters.
    cases.append(flag_run(41) + ["\n"] + flag_run(40))
    cases.append(flag_run(70))
    cases.append(flag_run(71))
    cases.append(["b", *flag_run(45), "é", *flag_run(44)])
    cases.append([FAMILY] * 30)
    cases.append(["a", *[FAMILY, KISS] * 12, "z"])
    cases.append([*THUMBS * 20])
    cases.append(["e\u0301", "n\u0303\u0301", "a" + "\u0301" * 150, " ", "o" + "\u0308" * 3])
    cases.append(["q" + "\u0300\u0301\u0302\u0303" * 40, "r"])
    cases.append([SCOTLAND, "\r\n", KEYCAP, *THUMBS, "\r\n", *flag_run(35), SCOTLAND] * 3)
    cases.append(["\u1100\u1161\u11a8", "\uac00", "\u1100\u1161"] * 30)
    cases.append([" \u0301", "a", " ", " \u0308", "b", "\u00a0", FAMILY, " "])
    return cases


HARNESS = """async (cases) => {
  const { buildIndex, snapToGrapheme, spanFromSelection } =
    await import("/static/claims/anchoring.js");
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const wrong = [];
  for (const clusters of cases) {
    const text = clusters.join("");
    const bounds = [0];
    for (const cluster of clusters) bounds.push(bounds[bounds.length - 1] + cluster.length);
    // The table is right: the browser cuts the whole text into these clusters.
    const engine = [...segmenter.segment(text)].map((s) => s.segment);
    if (JSON.stringify(engine) !== JSON.stringify(clusters)) {
      wrong.push({ text, problem: "table", engine });
      continue;
    }
    // The nearest boundary at or before, and at or after, each offset.
    const atOrBefore = [];
    const atOrAfter = [];
    for (let u16 = 0, k = 0; u16 <= text.length; u16++) {
      if (bounds[k + 1] <= u16) k++;
      atOrBefore.push(bounds[k]);
      atOrAfter.push(bounds[k] === u16 ? u16 : bounds[k + 1]);
    }
    const before = (u16) => atOrBefore[u16];
    const after = (u16) => atOrAfter[u16];
    for (let u16 = 0; u16 <= text.length; u16++) {
      const got = [snapToGrapheme(text, u16, -1), snapToGrapheme(text, u16, 1)];
      if (got[0] !== before(u16) || got[1] !== after(u16)) {
        wrong.push({ text, u16, got, want: [before(u16), after(u16)] });
      }
    }
    const index = buildIndex(text);
    const step = Math.max(1, Math.floor(text.length / 40));
    for (let from = 0; from <= text.length; from += step) {
      for (let to = from; to <= text.length; to += step + 1) {
        const span = spanFromSelection(text, index, from, to);
        if (span === null) {
          if (text.slice(before(from), after(to)).trim() !== "") {
            wrong.push({ text, from, to, span: null });
          }
          continue;
        }
        const whole = bounds.includes(span.u16Start) && bounds.includes(span.u16End);
        const covers = span.u16Start >= before(from) && span.u16End <= after(to);
        if (!whole || !covers || span.quote !== text.slice(span.u16Start, span.u16End)) {
          wrong.push({ text, from, to, span });
        }
      }
    }
  }
  return wrong;
}"""


def test_selections_widen_to_whole_grapheme_clusters_at_every_offset(page):
    page.goto("/accounts/login/")
    wrong = page.evaluate(HARNESS, texts())
    assert wrong == [], json.dumps(wrong[:5], ensure_ascii=False)
