/**
 * @module knowledge/vulns/mbox
 * Reads one mail as the kernel CVE team's `vulns` repository stores it (`CVE-*.mbox`: one
 * message, an mbox `From ` line, RFC 5322 headers, a plain-text body). Folded headers are
 * unfolded, RFC 2047 encoded words in headers decoded, and a quoted-printable or base64 body
 * decoded, so that odd or re-encoded copies read as the published ones do. Bounded: a
 * message larger than `maxMailBytes` is read on its first bytes only.
 */

/** Mails past this size are cut (the largest published record is ~33 kB). */
export const maxMailBytes = 1 << 20;

export interface Mail {
  /** header names lower-cased; a repeated header keeps its first value */
  headers: Map<string, string>;
  /** the decoded body, LF line ends */
  body: string;
  /** the mail was longer than maxMailBytes and was cut */
  cut: boolean;
}

/** Decodes quoted-printable text (RFC 2045 §6.7) as UTF-8; `header` also maps `_` to space. */
export function decodeQuotedPrintable(text: string, header = false): string {
  const bytes: number[] = [];
  const source = header ? text.replace(/_/g, " ") : text.replace(/=\r?\n/g, "");
  for (let i = 0; i < source.length; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 0x3d && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(source.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      bytes.push(...Buffer.from(source[i] as string, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?utf-8?B?…?=`) in a header value. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?") // whitespace between adjacent encoded words is dropped
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset, enc: string, data: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : decodeQuotedPrintable(data, true),
    );
}

/** Parses one message; a text without headers is all body. */
export function parseMail(input: string): Mail {
  const cut = input.length > maxMailBytes;
  const text = (cut ? input.slice(0, maxMailBytes) : input).replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  let i = 0;
  // the mbox separator ("From bippy-… Mon Sep 17 00:00:00 2001")
  if (lines[0]?.startsWith("From ")) i = 1;
  const headers = new Map<string, string>();
  /** the header a folded line continues; null when it continues an ignored repeat */
  let last: string | null | undefined;
  const headerShape = /^([A-Za-z0-9-]+):[ \t]?(.*)$/;
  const start = i;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "") {
      i++;
      break;
    }
    if (/^[ \t]/.test(line) && last !== undefined) {
      if (last !== null) headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const m = headerShape.exec(line);
    if (!m) {
      // not a header block after all: the whole text is the body
      i = start;
      headers.clear();
      break;
    }
    const name = (m[1] as string).toLowerCase();
    last = headers.has(name) ? null : name;
    if (last !== null) headers.set(last, m[2] as string);
  }
  for (const [name, value] of headers) headers.set(name, decodeEncodedWords(value));
  let body = lines.slice(i).join("\n");
  const encoding = headers.get("content-transfer-encoding")?.trim().toLowerCase();
  if (encoding === "quoted-printable") body = decodeQuotedPrintable(body);
  else if (encoding === "base64") body = Buffer.from(body, "base64").toString("utf8");
  return { headers, body: body.replace(/\r\n?/g, "\n"), cut };
}
