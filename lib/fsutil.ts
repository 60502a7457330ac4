/** Small filesystem helpers: atomic writes and reading the tail of a log file. */
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/** Prefix of the temp files `writeFileAtomic` leaves behind if the process dies mid-write. */
export const TEMP_PREFIX = ".tmp-";

/** Write a file so that readers see the old content or the new, never a mix: temp + fsync + rename + fsync(dir). */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${TEMP_PREFIX}${path.basename(file)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  let fh;
  try {
    fh = await open(tmp, "wx", 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, file);
  } catch (err) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The last `n` lines of a file (without reading the whole file); [] when it does not exist. */
export async function tailLines(file: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  let fh;
  try {
    fh = await open(file, "r");
  } catch {
    return [];
  }
  try {
    const { size } = await fh.stat();
    const block = 64 * 1024;
    let pos = size;
    let text = "";
    let newlines = 0;
    while (pos > 0 && newlines <= n) {
      const len = Math.min(block, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, pos);
      const chunk = buf.toString("utf8");
      for (const c of chunk) if (c === "\n") newlines++;
      text = chunk + text;
    }
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

/**
 * The whole of each file, one after the other, read as it streams (a missing file reads as empty).
 * With `tag`, every line is prefixed with its file's label, `[label] `.
 */
export async function* concatFiles(files: { file: string; label: string }[], tag: boolean): AsyncGenerator<Buffer | string> {
  for (const { file, label } of files) {
    let fh;
    try {
      fh = await open(file, "r");
    } catch {
      continue;
    }
    const stream = fh.createReadStream();
    try {
      if (!tag) {
        for await (const chunk of stream) yield chunk as Buffer;
        continue;
      }
      let batch = "";
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        batch += `[${label}] ${line}\n`;
        if (batch.length >= 64 * 1024) {
          yield batch;
          batch = "";
        }
      }
      if (batch) yield batch;
    } finally {
      stream.destroy();
    }
  }
}

/**
 * An append stream that never crashes the process: a write error (disk full, read-only) is kept
 * and reported by `error()` instead of being thrown from an event.
 */
export function appendStream(file: string): WriteStream & { failure: () => Error | undefined } {
  const stream = createWriteStream(file, { flags: "a" }) as WriteStream & { failure: () => Error | undefined };
  let failure: Error | undefined;
  stream.on("error", (err) => {
    failure ??= err;
  });
  stream.failure = () => failure;
  return stream;
}
