// The document text on the page, as offsets: which DOM point is which UTF-16 offset of the
// stored text, painting claims with the CSS Custom Highlight API (no change to the DOM),
// and hit-testing a click to an offset.

import { spanFromSelection, stackSpans } from "./anchoring.js";

const MAX_DEPTH_CLASS = 3; // depth 3 and more share the darkest shade

/** Map the text container's pieces (<p> paragraphs and hidden separators) to offsets. */
// The reader's selection inside \`container\` (the text \`textMap\` maps) as a span snapped to
// whole characters (anchoring.js spanFromSelection), or null when nothing is selected there.
export function selectedSpan(container, textMap, index) {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== container) {
    return null;
  }
  const start = textMap.offsetOf(range.startContainer, range.startOffset);
  const end = textMap.offsetOf(range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  return spanFromSelection(textMap.text, index, start, end);
}

export class TextMap {
  constructor(container) {
    this.container = container;
    this.pieces = [];
    let offset = 0;
    for (const element of container.children) {
      const node = element.firstChild;
      const length = node ? node.data.length : 0;
      this.pieces.push({ element, node, start: offset, length });
      offset += length;
    }
    this.length = offset;
    this.text = this.pieces.map((piece) => (piece.node ? piece.node.data : "")).join("");
  }

  /** The piece containing UTF-16 offset `u16` (the last piece for the end of the text). */
  pieceAt(u16) {
    let low = 0;
    let high = this.pieces.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.pieces[middle].start <= u16) low = middle;
      else high = middle - 1;
    }
    return this.pieces[low];
  }

  /** A DOM boundary point (node, offset) → UTF-16 offset into the text, or null. */
  offsetOf(node, offset) {
    if (!this.container.contains(node)) {
      const position = this.container.compareDocumentPosition(node);
      if (position & Node.DOCUMENT_POSITION_PRECEDING) return 0;
      if (position & Node.DOCUMENT_POSITION_FOLLOWING) return this.length;
      return null;
    }
    if (node === this.container) {
      const piece = this.pieces[offset];
      return piece ? piece.start : this.length;
    }
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const piece = this.pieces.find((candidate) => candidate.element === element);
    if (!piece) return null;
    if (node.nodeType === Node.TEXT_NODE) return piece.start + offset;
    return offset === 0 ? piece.start : piece.start + piece.length;
  }

  /** UTF-16 offset → a DOM boundary point inside a text node. */
  pointAt(u16) {
    const piece = this.pieceAt(u16);
    return { node: piece.node, offset: Math.min(u16 - piece.start, piece.length) };
  }

  /** A DOM Range over [start, end) in UTF-16 offsets. */
  range(start, end) {
    const range = new Range();
    const from = this.pointAt(start);
    const to = this.pointAt(end);
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  /** The UTF-16 offset under the viewport point (x, y), or null outside the text. */
  offsetAtPoint(x, y) {
    let node = null;
    let offset = 0;
    if (document.caretPositionFromPoint) {
      const caret = document.caretPositionFromPoint(x, y);
      if (caret) ({ offsetNode: node, offset } = caret);
    } else if (document.caretRangeFromPoint) {
      const caret = document.caretRangeFromPoint(x, y);
      if (caret) ({ startContainer: node, startOffset: offset } = caret);
    }
    if (!node || !this.container.contains(node) || node.nodeType !== Node.TEXT_NODE) return null;
    const u16 = this.offsetOf(node, offset);
    if (u16 === null) return null;
    // The caret lands between characters: pick the character actually under the pointer.
    const before = u16 > 0 ? this.range(u16 - 1, u16).getBoundingClientRect() : null;
    if (before && x >= before.left && x <= before.right && y >= before.top && y <= before.bottom) {
      return u16 - 1;
    }
    return u16;
  }
}

/** Paints claim spans, darker where they overlap, plus one claim marked as current. */
export class Painter {
  constructor(textMap) {
    this.textMap = textMap;
    this.supported = typeof CSS !== "undefined" && "highlights" in CSS;
  }

  /** Paint every span ({u16Start, u16End}); returns the number of ranges painted. */
  paint(spans) {
    if (!this.supported) return 0;
    const layers = [];
    for (let depth = 1; depth <= MAX_DEPTH_CLASS; depth++) layers.push(new Highlight());
    const pieces = stackSpans(spans.map((span) => ({ start: span.u16Start, end: span.u16End })));
    for (const piece of pieces) {
      const layer = layers[Math.min(piece.depth, MAX_DEPTH_CLASS) - 1];
      layer.add(this.textMap.range(piece.start, piece.end));
    }
    layers.forEach((layer, i) => CSS.highlights.set(`claim-depth-${i + 1}`, layer));
    this.pieces = pieces; // where claims stack, for the count badges (overview.js)
    return pieces.length;
  }

  /** Mark one span as the current claim (null clears it); `flash` draws attention to it. */
  mark(span, { flash = false } = {}) {
    if (!this.supported) return;
    CSS.highlights.delete("claim-current");
    CSS.highlights.delete("claim-flash");
    if (!span) return;
    const range = this.textMap.range(span.u16Start, span.u16End);
    CSS.highlights.set("claim-current", new Highlight(range));
    if (flash) this.flash(range);
  }

  /** Mark the passage a link pointed at ({u16Start, u16End}; null clears it), flashed. It
   * stays marked, outlined, after the flash: the reader can find it again. */
  target(span) {
    if (!this.supported) return;
    CSS.highlights.delete("passage-target");
    if (!span) return;
    const range = this.textMap.range(span.u16Start, span.u16End);
    CSS.highlights.set("passage-target", new Highlight(range));
    this.flash(range);
  }

  flash(range) {
    CSS.highlights.set("claim-flash", new Highlight(range));
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => CSS.highlights.delete("claim-flash"), 1600);
  }
}
