/**
 * A Server-Sent Events parser, as the WHATWG spec reads a stream:
 * - lines end in CRLF, LF or CR, and a chunk may end anywhere (even between CR and LF);
 * - `data:` lines accumulate (joined with "\n"), a blank line dispatches, `event:` names it;
 * - lines starting with ":" are comments (pings) and are ignored, as are unknown fields;
 * - one optional space after the colon is dropped; a block without data dispatches nothing.
 */

export interface SseMessage {
  /** `message` when the block named no event. */
  event: string;
  data: string;
  /** The last `id:` seen so far (the reconnection cursor). */
  id: string;
}

export class SseParser {
  private buf = "";
  private lastWasCR = false;
  private data: string[] = [];
  private event = "";
  private lastId = "";

  /** Feed a chunk; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    let text = chunk;
    if (this.lastWasCR && text.startsWith("\n")) text = text.slice(1);
    this.lastWasCR = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buf + text.slice(start, i), out);
      this.buf = "";
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.lastWasCR = true;
        }
      }
      start = i + 1;
    }
    this.buf += text.slice(start);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") {
      if (this.data.length > 0) out.push({ event: this.event || "message", data: this.data.join("\n"), id: this.lastId });
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      default:
      // `retry` and unknown fields: nothing to do for this client
    }
  }
}
