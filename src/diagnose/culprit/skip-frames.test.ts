/**
 * Which frame names are machinery (never the culprit) and which are not, with names taken
 * from real traces: the seeds, the lab and testdata/realworld.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSkippedFrame } from "./skip-frames.js";

const machinery = [
  // reporting paths and sanitizers (KASAN reports in 300, 308, 416)
  "print_report",
  "kasan_report",
  "__asan_load8",
  "kfence_report_error",
  "refcount_warn_saturate",
  "dump_stack_lvl",
  "__dump_stack",
  "exc_page_fault",
  "asm_exc_invalid_op",
  // OpenZFS/SPL assertion reporting (400, 402)
  "spl_panic",
  "spl_debug_dumpstack",
  // lockdep and the might-sleep checks (202, 203, 302, 309)
  "__lock_acquire",
  "lock_acquire",
  "print_deadlock_bug",
  "__might_resched",
  "__schedule_bug",
  // DMA debugging (204)
  "check_unmap",
  // locking and wake-up primitives handed a broken object (109, 315, 406)
  "__mutex_add_waiter",
  "mutex_unlock",
  "__wake_up_common",
  // string and memory helpers, with and without underscores
  "memcpy",
  "__memcpy",
  "memset_erms",
  "strcmp",
  "__strlen",
  "strscpy",
  "__copy_to_user_std",
  // the context switch a blocked task's trace starts with (arm64 lab hung)
  "__switch_to",
];

const code = [
  // the functions those reports blame
  "jp_spec_setup",
  "ieee80211_vif_update_links",
  "cpufreq_governor_dbs",
  "ohci_enable",
  "amdgpu_amdkfd_gpuvm_alloc_memory_of_gpu",
  "buggy_read_status",
  // names that merely start like machinery
  "memcg_charge_kernel_stack",
  "strparser_recv",
  "string_escape_mem",
  "lockref_get",
  "kvm_arch_vcpu_ioctl",
  "print_tree_node",
  "complete_request",
  "mutex_trylock_recursive_user",
];

describe("culprit skip-frames", () => {
  for (const name of machinery) it(`${name} is machinery`, () => assert.ok(isSkippedFrame(name)));
  for (const name of code) it(`${name} can be a culprit`, () => assert.ok(!isSkippedFrame(name)));
});
