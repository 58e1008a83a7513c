// Finding one's way in a long document: the overview in the margin (as Hypothesis's bucket
// bar) showing where the claims sit in the whole text and how many, each bucket a button
// that goes there; count badges beside passages where claims stack; and the addresses that
// open the document at a passage (#span=<start>-<end>). The pure functions come first.

import { plural, shorten } from "./api.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SPAN = /^(\d{1,9})-(\d{1,9})$/;

/**
 * The passage a document address points at: "#span=<start>-<end>" (code points of the
 * stored text) with an optional "&claim=<id>", "#claim=<id>", or the claims' own
 * "#claim-<id>". Returns {span: {start, end} | null, claim: id | null}, or null when the
 * fragment names no passage. Whether the span lies in the text is the caller's to check.
 */
export function passageFromHash(hash) {
  const own = /^#claim-(.+)$/.exec(hash);
  if (own) return UUID.test(own[1]) ? { span: null, claim: own[1].toLowerCase() } : null;
  if (!hash.startsWith("#") || !hash.includes("=")) return null;
  const params = new URLSearchParams(hash.slice(1));
  const span = SPAN.exec(params.get("span") ?? "");
  const claim = params.get("claim") ?? "";
  const found = {
    span: span ? { start: Number(span[1]), end: Number(span[2]) } : null,
    claim: UUID.test(claim) ? claim.toLowerCase() : null,
  };
  return found.span || found.claim ? found : null;
}

/**
 * Positions (fractions 0–1 of the document's height, in reading order) gathered into
 * `count` equal buckets: [{index, items}], only the buckets holding any, `items` the
 * indexes of their positions in order.
 */
export function bucketize(positions, count) {
  const buckets = new Map();
  positions.forEach((position, item) => {
    const index = Math.min(count - 1, Math.max(0, Math.floor(position * count)));
    if (!buckets.has(index)) buckets.set(index, { index, items: [] });
    buckets.get(index).items.push(item);
  });
  return [...buckets.values()].sort((a, b) => a.index - b.index);
}

/**
 * One badge per line of text: of the marks ({top, depth, offset}: a stretch of stacked
 * claims on the line at `top`), the deepest of each line, in the order first seen.
 */
export function deepestPerLine(marks) {
  const lines = new Map();
  for (const mark of marks) {
    const seen = lines.get(mark.top);
    if (!seen || seen.depth < mark.depth) lines.set(mark.top, mark);
  }
  return [...lines.values()];
}

// --- The page's parts --------------------------------------------------------------------

/** Run `work` when the browser is idle (at the latest after half a second). */
function whenIdle(work) {
  if (window.requestIdleCallback) requestIdleCallback(work, { timeout: 500 });
  else setTimeout(work, 0);
}

/** A function that runs `work` at the next frame, once however often it is called first. */
function nextFrame(work) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      work();
    });
  };
}

const BUCKET_PIXELS = 28; // the least height a bucket gets on the bar: one button
const TEXT_PIXELS = 120; // the least height of text a bucket stands for: a few lines
const MAX_BUCKETS = 40;

/** The vertical place (pixels from the top of the text) of UTF-16 offset `u16`, read
 * from its paragraph's layout: one layout read per paragraph, not per claim. */
function placeOf(textMap, u16, tops) {
  const piece = textMap.pieceAt(u16);
  let box = tops.get(piece);
  if (!box) {
    const element = piece.element;
    box = { top: element.offsetTop - textMap.container.offsetTop, height: element.offsetHeight };
    tops.set(piece, box);
  }
  const within = piece.length ? (u16 - piece.start) / piece.length : 0;
  return box.top + box.height * within;
}

/**
 * The overview bar: the whole document's height drawn as the bar's, the claims gathered
 * into buckets, each a button showing its count ("12") and named for it ("12 claims, 40%
 * into the document"); a button goes to its first claim (`go(claim)`). A box shows the
 * part of the document on screen.
 */
export class BucketBar {
  constructor(bar, textMap, go) {
    this.bar = bar;
    this.list = bar.querySelector("ol");
    this.view = bar.querySelector(".overview-view");
    this.textMap = textMap;
    this.go = go;
    this.claims = [];
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-claim]");
      const claim = button && this.claims.find((candidate) => candidate.id === button.dataset.claim);
      if (claim) this.go(claim);
    });
    window.addEventListener("scroll", nextFrame(() => this.showView()), { passive: true });
    new ResizeObserver(nextFrame(() => this.draw())).observe(textMap.container);
  }

  /** Draw the buckets of `claims` (in reading order) when the browser is idle: the text's
   * layout is then done, and reading it costs nothing more. */
  update(claims) {
    this.claims = claims;
    whenIdle(() => this.draw());
  }

  draw() {
    const started = performance.now();
    this.bar.hidden = this.claims.length === 0;
    if (this.bar.hidden) {
      this.list.replaceChildren();
      return;
    }
    const height = this.textMap.container.offsetHeight;
    // As many buckets as the bar holds, but none for less than a few lines of text (a short
    // text's claims on one line share a bucket).
    const fits = Math.floor(this.list.clientHeight / BUCKET_PIXELS);
    const count = Math.max(1, Math.min(MAX_BUCKETS, fits, Math.ceil(height / TEXT_PIXELS)));
    const tops = new Map();
    const positions = this.claims.map((claim) => placeOf(this.textMap, claim.u16Start, tops) / Math.max(height, 1));
    const buckets = bucketize(positions, count);
    const most = Math.max(1, ...buckets.map((bucket) => bucket.items.length));
    const items = buckets.map(({ index, items }) => {
      const first = this.claims[items[0]];
      const percent = Math.round((index / count) * 100);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bucket";
      button.dataset.claim = first.id;
      button.dataset.level = String(Math.ceil((items.length / most) * 3)); // 1–3, the shade
      button.textContent = String(items.length);
      button.setAttribute("aria-label", `${plural(items.length, "claim", "claims")}, ${percent}% into the document`);
      button.title = `From “${shorten(first.statement, 80)}”`;
      const item = document.createElement("li");
      item.style.top = `${(index / count) * 100}%`;
      item.style.height = `${100 / count}%`;
      item.append(button);
      return item;
    });
    this.list.replaceChildren(...items);
    this.bar.dataset.buckets = String(items.length);
    this.showView();
    this.bar.dataset.drawMs = (performance.now() - started).toFixed(1);
  }

  /** Move the box that shows which part of the document is on screen. */
  showView() {
    const rect = this.textMap.container.getBoundingClientRect();
    if (rect.height <= 0) return;
    const top = Math.min(1, Math.max(0, -rect.top / rect.height));
    const bottom = Math.min(1, Math.max(0, (window.innerHeight - rect.top) / rect.height));
    this.view.style.top = `${top * 100}%`;
    this.view.style.height = `${Math.max(0, bottom - top) * 100}%`;
  }
}

/**
 * Count badges in the text's margin: where claims stack, one badge per line gives how many
 * claims are there (the highlight only darkens), and a click on it shows them (`show(u16)`).
 * The badges repeat what the panel lists, so they are hidden from assistive technology.
 * Only the paragraphs on screen and a screen either side get theirs (the 390 KB seed with
 * 2,000 claims has 1,600 lines with a stack, 35 ms to place at once), placed when the
 * browser is idle after painting, and again as the reader scrolls.
 */
export class StackCounts {
  constructor(layer, textMap, show) {
    this.layer = layer;
    this.textMap = textMap;
    this.pieces = [];
    this.near = new Set(); // the text's paragraphs (elements) on or near the screen
    layer.addEventListener("click", (event) => {
      const badge = event.target.closest("[data-offset]");
      if (badge) show(Number(badge.dataset.offset));
    });
    const redraw = nextFrame(() => this.draw());
    const watch = new IntersectionObserver((entries) => {
      for (const { target, isIntersecting } of entries) {
        if (isIntersecting) this.near.add(target);
        else this.near.delete(target);
      }
      redraw();
    }, { rootMargin: "100% 0px" });
    for (const piece of textMap.pieces) if (piece.element.tagName === "P") watch.observe(piece.element);
    new ResizeObserver(redraw).observe(textMap.container);
  }

  /** Badge the stacks among `pieces` (stackSpans's, in UTF-16 offsets). */
  update(pieces) {
    this.pieces = pieces;
    whenIdle(() => this.draw());
  }

  draw() {
    if (this.pieces.length === 0 && this.layer.childElementCount === 0) return;
    const started = performance.now();
    const origin = this.layer.getBoundingClientRect().top;
    const marks = [];
    for (const { start, end, depth } of this.pieces) {
      if (depth < 2) continue;
      if (!this.near.has(this.textMap.pieceAt(start).element) && !this.near.has(this.textMap.pieceAt(end - 1).element)) continue;
      // One box per line the stretch runs over (a stack may cross lines and paragraphs).
      for (const rect of this.textMap.range(start, end).getClientRects()) {
        if (rect.width === 0) continue;
        marks.push({ top: Math.round(rect.top - origin + rect.height / 2), depth, offset: start });
      }
    }
    const badges = deepestPerLine(marks).map(({ offset, depth, top }) => {
      const badge = document.createElement("span");
      badge.className = "stack-count";
      badge.dataset.offset = String(offset);
      badge.textContent = String(depth);
      badge.title = `${depth} claims overlap here: click to list them`;
      badge.style.top = `${top}px`;
      return badge;
    });
    this.layer.replaceChildren(...badges);
    this.layer.dataset.badges = String(badges.length);
    this.layer.dataset.drawMs = (performance.now() - started).toFixed(1);
  }
}
