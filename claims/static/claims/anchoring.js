// Anchoring — pure functions between the browser's UTF-16 offsets and the server's
// code-point offsets, and the span arithmetic the annotation page needs. No DOM here.
//
// The server counts Unicode code points (Python string indices); JavaScript strings count
// UTF-16 code units, where a character outside the Basic Multilingual Plane (an emoji, say)
// takes two. All offsets named `u16` are UTF-16 code units; `cp` are code points.

/** Index of a text's astral characters, for fast conversions in both directions. */
export function buildIndex(text) {
  const astral = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        astral.push(i);
        i++;
      }
    }
  }
  return { length: text.length, astral: Int32Array.from(astral) };
}

/** How many entries of the sorted array are below `value`. */
function countBelow(sorted, value) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** UTF-16 offset → code-point offset. An offset inside a surrogate pair counts the pair. */
export function toCodePoints(index, u16) {
  return u16 - countBelow(index.astral, u16 - 1);
}

/** Code-point offset → UTF-16 offset. */
export function toUtf16(index, cp) {
  // The k-th astral character (at u16 position a_k) sits at code point a_k - k.
  let low = 0;
  let high = index.astral.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (index.astral[middle] - middle < cp) low = middle + 1;
    else high = middle;
  }
  return cp + low;
}

const segmenter =
  typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

/** The grapheme clusters of `text` (Intl.Segmenter's), or null where there is none. */
function clustersOf(text) {
  return segmenter ? segmenter.segment(text) : null;
}

/**
 * The cluster boundary at or before `u16` (direction -1) or at or after it (+1). Asks for
 * the cluster containing `u16` within the whole text, never within a slice of it: where a
 * cluster starts can depend on everything before it (in a run of flags, on how many
 * regional indicators precede), so a slice that starts mid-cluster would cut wrongly.
 */
function snap(clusters, text, u16, direction) {
  if (u16 <= 0 || u16 >= text.length) return Math.max(0, Math.min(u16, text.length));
  if (clusters) {
    const { index, segment } = clusters.containing(u16);
    if (index === u16) return u16;
    return direction < 0 ? index : index + segment.length;
  }
  // Without Intl.Segmenter, at least never split a surrogate pair.
  const unit = text.charCodeAt(u16);
  return unit >= 0xdc00 && unit <= 0xdfff ? u16 + (direction < 0 ? -1 : 1) : u16;
}

/** The grapheme cluster boundary at or before `u16` (direction -1) or at or after it (+1). */
export function snapToGrapheme(text, u16, direction) {
  return snap(clustersOf(text), text, u16, direction);
}

const ONLY_SPACE = /^\s+$/u;

/**
 * A selection [u16Start, u16End) of `text` made into a claim span: widened to whole
 * grapheme clusters (never half an emoji or a letter without its accent), then trimmed of
 * surrounding white space, whole clusters at a time (a space carrying a combining mark is
 * not white space). Returns {start, end, quote} in code points, or null if nothing but
 * white space was selected.
 */
export function spanFromSelection(text, index, u16Start, u16End) {
  const clusters = clustersOf(text);
  let start = snap(clusters, text, Math.min(u16Start, u16End), -1);
  let end = snap(clusters, text, Math.max(u16Start, u16End), 1);
  while (start < end) {
    const next = snap(clusters, text, start + 1, 1);
    if (!ONLY_SPACE.test(text.slice(start, next))) break;
    start = next;
  }
  while (end > start) {
    const previous = snap(clusters, text, end - 1, -1);
    if (!ONLY_SPACE.test(text.slice(previous, end))) break;
    end = previous;
  }
  if (start >= end) return null;
  return {
    start: toCodePoints(index, start),
    end: toCodePoints(index, end),
    quote: text.slice(start, end),
    u16Start: start,
    u16End: end,
  };
}

/**
 * Split the claims' spans into elementary pieces with the number of claims covering each:
 * [{start, end, depth}], in order, only where depth > 0. Spans are {start, end} in any unit.
 */
export function stackSpans(spans) {
  const events = [];
  for (const { start, end } of spans) {
    if (end > start) {
      events.push([start, 1]);
      events.push([end, -1]);
    }
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const pieces = [];
  let depth = 0;
  let last = null;
  for (const [position, change] of events) {
    if (last !== null && position > last && depth > 0) {
      const previous = pieces[pieces.length - 1];
      if (previous && previous.end === last && previous.depth === depth) previous.end = position;
      else pieces.push({ start: last, end: position, depth });
    }
    depth += change;
    last = position;
  }
  return pieces;
}

// The claims below are "located": their u16Start/u16End give their span in UTF-16 units.

/** The claims covering UTF-16 `offset` (u16Start <= offset < u16End), innermost first. */
export function claimsAt(claims, offset) {
  return claims
    .filter((claim) => claim.u16Start <= offset && offset < claim.u16End)
    .sort((a, b) => a.u16End - a.u16Start - (b.u16End - b.u16Start));
}

/** Claims in reading order: by start, then the shorter first. */
export function readingOrder(claims) {
  return [...claims].sort((a, b) => a.u16Start - b.u16Start || a.u16End - b.u16End);
}

/** The claim after (direction +1) or before (-1) `current` in reading order; with no
 * current claim, the first claim starting at or after (or before) UTF-16 `offset`. */
export function neighbourClaim(claims, current, offset, direction) {
  const ordered = readingOrder(claims);
  if (current) {
    const at = ordered.findIndex((claim) => claim.id === current.id);
    return ordered[at + direction] ?? null;
  }
  if (direction > 0) return ordered.find((claim) => claim.u16Start >= offset) ?? null;
  for (let i = ordered.length - 1; i >= 0; i--) {
    if (ordered[i].u16Start < offset) return ordered[i];
  }
  return null;
}
