/**
 * @module text
 * Raw log bytes to clean, numbered kernel lines.
 */
export type { KernelLine, LineOrigin } from "./kernel-line.js";
export {
  LineSplitter,
  linesOfStream,
  linesOfString,
  MAX_LINE_CHARS,
  type RawLine,
} from "./line-source.js";
export { cleanControl, LineNormalizer } from "./normalize.js";
export { stripPrefixes } from "./prefixes.js";
