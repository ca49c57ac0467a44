/**
 * The frame table, row by row: names it must claim (taken from real traces: the seeds, the
 * lab and testdata/realworld, case numbers in comments) and names it must leave alone (the
 * culprits of real cases, and names that merely look like machinery).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Kind } from "../../oops/report.js";
import { culpritSkipFrames, frameRule, isSkippedFrame } from "./skip-frames.js";

/** row id → [names the row decides, names it must not decide] */
const rows: Record<string, { claims: string[]; leaves: string[]; kind?: Kind; atIp?: boolean }> = {
  // the lab's vmcores: `bt` from QEMU's saved registers starts inside the pvpanic notifier;
  // lab hung: khungtaskd's watchdog() reports the blocked tasks
  "panic-notifier": {
    claims: [
      "pvpanic_panic_notify",
      "atomic_notifier_call_chain",
      "watchdog",
      "check_hung_uninterruptible_tasks",
    ],
    leaves: ["pvpanic_probe", "watchdog_dev_register", "buggy_worker_fn", "notifier_register"],
  },
  // 405, lab sysrq; 454 mentions lkdtm
  "deliberate-crash": {
    claims: ["sysrq_handle_crash", "lkdtm_EXCEPTION", "lkdtm_do_action"],
    leaves: ["sysrq_handle_loglevel", "__handle_sysrq", "buggy_do_panic"],
  },
  // 207
  "informational-warning": {
    claims: ["mark_hardware_unsupported", "mark_tech_preview", "mark_driver_deprecated"],
    leaves: ["setup_arch", "rtw_odm_init_ic_type", "mark_page_accessed"],
  },
  // 107 (both reports), 115, 217
  "state-check": {
    claims: [
      "rcu_eqs_enter",
      "rcu_irq_exit_check_preempt",
      "drm_mode_config_validate",
      "eeh_dev_check_failure",
    ],
    leaves: ["rcu_note_context_switch", "drm_dev_register", "mtk_drm_bind", "rcu_do_batch"],
  },
  // 122 (at the faulting pc only)
  "unwinder-fault": {
    atIp: true,
    claims: ["walk_stackframe", "unwind_frame", "arch_stack_walk"],
    leaves: ["do_exit", "walk_page_range", "unwind_dev"],
  },
  // 148, 153, 157, 315 (memory faults at the faulting pc only)
  "corrupted-shared-list": {
    kind: "general-protection",
    atIp: true,
    claims: ["__kmalloc", "kmem_cache_alloc_trace", "__rwsem_do_wake", "__wake_up_common"],
    leaves: ["__alloc_skb", "rwsem_down_read_slowpath", "wake_up_process", "kmem_cache_free"],
  },
  // 139, 210, 404 (hung tasks only)
  "io-wait": {
    kind: "hung-task",
    claims: [
      "io_schedule",
      "zio_wait",
      "__cv_wait_io",
      "folio_wait_bit_common",
      "jbd2_log_wait_commit",
      "xlog_cil_force_lsn",
    ],
    leaves: ["cv_wait_common", "mutex_lock", "schedule_timeout", "txg_sync_thread"],
  },
  // 107 (ext_int_handler), 114 (el1h_64_irq), 117 (__irq_svc), 301 (asm_sysvec_irq_work)
  "interrupt-entry": {
    claims: ["ext_int_handler", "el1h_64_irq", "__irq_svc", "asm_sysvec_irq_work"],
    leaves: ["asm_exc_page_fault", "exc_general_protection", "irq_work_single"],
  },
  // 300, 308, 416, 400, 402, 305
  reporting: {
    claims: [
      "dump_stack_lvl",
      "__dump_stack",
      "exc_page_fault",
      "spl_panic",
      "__stack_chk_fail",
      "die_addr",
      "ex_handler_uaccess",
    ],
    leaves: ["start_kernel", "die_bus_error", "panic_notifier_fn"],
  },
  // 322
  "vendor-debug-hook": {
    claims: [
      "android_rvh_schedule_bug",
      "__traceiter_android_rvh_schedule_bug",
      "android_vh_cpu_idle_enter",
    ],
    leaves: ["android_fs_init", "shrink_work", "binder_thread_release"],
  },
  // 206, 332
  "lockup-detector": {
    claims: [
      "watchdog_overflow_callback",
      "watchdog_timer_fn",
      "perf_event_nmi_handler",
      "__hrtimer_run_queues",
    ],
    leaves: ["buggy_poll_hw", "get_process_name", "hrtimer_wakeup"],
  },
  // 300, 308, 312, 313
  sanitizers: {
    claims: [
      "refcount_sub_and_test_checked",
      "kasan_report",
      "__asan_load8",
      "kfence_report_error",
      "refcount_warn_saturate",
      "__list_del_entry_valid",
    ],
    leaves: ["klist_dec_and_del", "btrfs_discard_cancel_work", "jp_spec_setup"],
  },
  // 202, 203, 302, 309, 322, 204, 413, 334
  "misuse-checks": {
    claims: [
      "__lock_acquire",
      "__might_resched",
      "check_unmap",
      "smp_call_function_single",
      "xen_leave_lazy_mmu",
    ],
    leaves: ["rapl_package_add_pmu", "ohci_enable", "cpufreq_governor_dbs"],
  },
  // 114, 104, 300, 202, 204, 205, 323, 335, 312, 320
  "caller-owned-object": {
    claims: [
      "sysfs_hash_and_remove",
      "__queue_work",
      "__rb_erase_color",
      "lockref_get",
      "simple_recursive_removal",
      "debugfs_remove",
      "sysfs_remove_group",
      "dma_free_coherent",
      "__ioremap_caller",
      "dev_set_promiscuity",
      "native_set_pte",
      "kref_put",
      "kobject_put",
    ],
    leaves: [
      "kernfs_test_super",
      "nci_cmd_timer",
      "unlink_anon_vmas",
      "ieee80211_vif_update_links",
      "ovs_netdev_detach_dev",
      "efi_enter_virtual_mode",
      "ext4_exit_sysfs",
      "queue_work_fn_of_driver",
      "rb_tree_walker_in_driver",
    ],
  },
  // 414, seed 001
  "free-primitives": {
    claims: ["kfree", "__free_pages", "skb_free_head", "kmem_cache_free"],
    leaves: ["ceph_aio_read", "wg_packet_decrypt_worker", "kfree_rcu_work_fn_in_driver"],
  },
  // 109, 315, 406, 302, 337
  "locking-primitives": {
    claims: [
      "__mutex_add_waiter",
      "mutex_unlock",
      "__wake_up_common",
      "cpus_read_lock",
      "remove_wait_queue",
    ],
    leaves: [
      "amdgpu_amdkfd_gpuvm_alloc_memory_of_gpu",
      "ep_unregister_pollwait",
      "complete_request",
    ],
  },
  // arm64 lab hung, 213, 309
  waits: {
    claims: [
      "call_rwsem_down_write_failed",
      "cv_wait_common",
      "__switch_to",
      "schedule_timeout",
      "mutex_lock_nested",
      "lock_kernel",
      "_raw_spin_lock_irqsave",
    ],
    leaves: ["buggy_sync_with_worker", "read_dummy", "__blkdev_get"],
  },
  // 302 (cpuhp), 322, 332
  dispatch: {
    claims: ["process_one_work", "cpuhp_thread_fun", "__do_softirq", "el1_interrupt"],
    leaves: [
      "syscall_steal_start",
      "shrink_work",
      "deferred_probe_work_func_in_driver",
      "rapl_cpu_online",
    ],
  },
  // 117, 107, 206
  "idle-loop": {
    claims: ["arch_cpu_idle", "default_idle_call", "cpu_startup_entry", "cpu_idle"],
    leaves: ["account_idle_ticks", "intel_idle_probe", "idle_worker_fn"],
  },
  // 116, 119, 300
  "string-memory": {
    claims: [
      "strcmp",
      "__memcpy",
      "memset_erms",
      "__copy_to_user_std",
      "strscpy",
      "seq_vprintf",
      "vsnprintf",
    ],
    leaves: [
      "snd_soc_lookup_component_nolocked",
      "aess_read_mem",
      "strparser_recv",
      "string_escape_mem",
      "memcg_charge_kernel_stack",
    ],
  },
};

describe("culprit frame table", () => {
  it("every row is tested, with names it claims and names it leaves", () => {
    for (const row of culpritSkipFrames) {
      const t = rows[row.id];
      assert.ok(t, `row ${row.id} has no test`);
      assert.ok(t.claims.length >= 3 && t.leaves.length >= 3, `row ${row.id}: 3 of each`);
    }
    assert.equal(new Set(culpritSkipFrames.map((r) => r.id)).size, culpritSkipFrames.length);
  });
  for (const [id, t] of Object.entries(rows)) {
    const query = { ...(t.kind ? { kind: t.kind } : {}), atIp: t.atIp ?? true };
    for (const name of t.claims)
      it(`${id} claims ${name}`, () => assert.equal(frameRule(name, query)?.id, id));
    for (const name of t.leaves)
      it(`${id} leaves ${name}`, () => assert.notEqual(frameRule(name, query)?.id, id));
  }
  it("conditional rows apply only where they say", () => {
    // a stack walk that passes io_schedule in an oops, or the unwinder below the faulting pc
    assert.equal(frameRule("io_schedule", { kind: "null-deref" })?.id, "waits");
    assert.equal(frameRule("walk_stackframe", { atIp: false }), undefined);
    assert.equal(frameRule("dump_backtrace", { atIp: false })?.id, "reporting");
  });
  it("isSkippedFrame: the unconditional skip rows only", () => {
    assert.ok(isSkippedFrame("kasan_report"));
    assert.ok(isSkippedFrame("el1h_64_irq"));
    assert.ok(!isSkippedFrame("sysrq_handle_crash"));
    assert.ok(!isSkippedFrame("drm_mode_config_validate"));
    assert.ok(!isSkippedFrame("buggy_read_status"));
  });
});
