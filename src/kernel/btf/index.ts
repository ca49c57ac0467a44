/**
 * @module kernel/btf
 * BPF Type Format from the dump itself: struct layouts, member offsets and function
 * prototypes for the shell and the diagnosis, with no debuginfo package.
 */
export {
  Btf,
  type BtfMember,
  type BtfParam,
  type BtfType,
  type MemberLocation,
} from "./btf.js";
export type { BtfKind } from "./kinds.js";
export { declaration, typeName } from "./type-name.js";
