// Types for the parts of @alexaltea/capstone-js (5.0.9) that src/isa uses; the package ships none.
declare module "@alexaltea/capstone-js" {
  export interface CapstoneInstruction {
    id: number;
    /** signed: addresses above 2^63 come back negative */
    address: bigint;
    size: number;
    mnemonic: string;
    op_str: string;
    bytes: number[];
  }
  export interface CapstoneDecoder {
    /** throws a string when the first instruction does not decode */
    disasm(
      buffer: number[] | Uint8Array,
      offset: number | bigint,
      max?: number,
    ): CapstoneInstruction[];
    close(): void;
  }
  export interface CapstoneModule {
    ARCH_ARM: number;
    ARCH_ARM64: number;
    MODE_ARM: number;
    MODE_THUMB: number;
    Capstone: new (arch: number, mode: number) => CapstoneDecoder;
  }
  const MCapstone: () => Promise<CapstoneModule>;
  export default MCapstone;
}
