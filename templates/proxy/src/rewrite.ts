// Streaming text rewrites: each chunk is transformed as it passes, so a large page is never held
// in memory whole.

/**
 * Replaces every occurrence of `from` with `to` in a UTF-8 byte stream. A match can straddle two
 * chunks, so the last `from.length - 1` characters of each chunk wait for the next one.
 */
export function replaceAll(from: string, to: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let carry = '';
  const keep = Math.max(0, from.length - 1);
  /** Replaces the full matches in `text`; returns what can be sent now and keeps the tail in `carry`. */
  const step = (text: string, final: boolean): string => {
    let out = '';
    let i = 0;
    for (let at = text.indexOf(from, i); from && at !== -1; at = text.indexOf(from, i)) {
      out += text.slice(i, at) + to;
      i = at + from.length;
    }
    // Only a full match is replaced, and replacements are never searched again.
    const cut = final ? text.length : Math.max(i, text.length - keep);
    carry = text.slice(cut);
    return out + text.slice(i, cut);
  };
  return new TransformStream({
    transform(chunk, controller) {
      const out = step(carry + decoder.decode(chunk, { stream: true }), false);
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = step(carry + decoder.decode(), true);
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
}

/** Inserts `html` just before `</body>` (or at the end when there is none). */
export function injectBeforeBodyEnd(html: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const marker = '</body>';
  let carry = '';
  let done = false;
  return new TransformStream({
    transform(chunk, controller) {
      let text = carry + decoder.decode(chunk, { stream: true });
      carry = '';
      if (!done) {
        const at = text.toLowerCase().indexOf(marker);
        if (at >= 0) {
          text = text.slice(0, at) + html + text.slice(at);
          done = true;
        } else {
          const cut = Math.max(0, text.length - (marker.length - 1));
          carry = text.slice(cut);
          text = text.slice(0, cut);
        }
      }
      if (text) controller.enqueue(encoder.encode(text));
    },
    flush(controller) {
      const rest = carry + decoder.decode();
      controller.enqueue(encoder.encode(done ? rest : rest + html));
    },
  });
}
