/**
 * @module diagnose/culprit/skip-frames
 * What a frame says about blame, as data (docs/culprit.md has the same table in prose).
 * Patterns are anchored and matched against the name without compiler suffixes
 * (".constprop.0", ".cold"). A row is one of:
 * - `skip`: the frame is never the culprit; the walk goes on to its caller;
 * - `none`: the frame shows that no frame of this text can be blamed: the walk stops there;
 * - `boundary`: an interrupt entry: the frames below it are the code it interrupted, which
 *   is never blamed for what happened inside the interrupt (lockup reports excepted: there
 *   the interrupted code is the subject and the interrupt only the watchdog).
 * Rows are tried in order; a row with `kinds` or `atIp` applies only there.
 */
import type { Kind } from "../../oops/report.js";
import { IO_WAIT, VENDOR_HOOK } from "../util/bystander-frames.js";

export type FrameVerdict = "skip" | "none" | "boundary";

export interface SkipFrames {
  id: string;
  why: string;
  pattern: RegExp;
  /** default `skip` */
  verdict?: FrameVerdict;
  /** the row applies only to reports of these kinds */
  kinds?: readonly Kind[];
  /** the row applies only to the frame the CPU faulted in (the RIP/pc) */
  atIp?: boolean;
}

/** Report kinds where the interrupted code is the subject, not a bystander. */
export const LOCKUP_KINDS: readonly Kind[] = ["soft-lockup", "hard-lockup", "rcu-stall"];

export const culpritSkipFrames: readonly SkipFrames[] = [
  // ---- rows that decide "none" -----------------------------------------------------------
  {
    id: "deliberate-crash",
    verdict: "none",
    why: "the crash is deliberate (SysRq-c or an LKDTM test), requested by an administrator or a test; no code is at fault",
    pattern: /^(?:sysrq_handle_crash|lkdtm_\w+|panic_on_oops_handler)$/,
  },
  {
    id: "informational-warning",
    verdict: "none",
    why: "a distribution's informational WARN by design (RHEL's hardware and driver support notices): it states a fact about the platform, there is no defect to blame",
    pattern:
      /^(?:mark_hardware_(?:unsupported|deprecated|removed)|mark_driver_(?:unsupported|deprecated)|mark_tech_preview|mark_partner_unsupported)$/,
  },
  {
    id: "state-check",
    verdict: "none",
    why: "a consistency check of state that other code set up earlier (RCU's dynticks nesting counters, DRM's mode-configuration validation, EEH's frozen-device check): the code that broke the state ran before and is not on this stack",
    pattern:
      /^(?:rcu_eqs_enter|rcu_eqs_exit|rcu_irq_exit_check_preempt|rcu_nmi_enter|rcu_nmi_exit|rcu_dynticks_\w+|ct_kernel_(?:enter|exit)\w*|drm_mode_config_validate|eeh_dev_check_failure)$/,
  },
  {
    id: "unwinder-fault",
    verdict: "none",
    atIp: true,
    why: "the fault is inside the stack unwinder, which was printing the report of another event; the unwinder followed a broken frame, and the event it was reporting is not shown",
    pattern:
      /^(?:walk_stackframe|unwind_frame|unwind_backtrace|unwind_next_frame|__unwind_start|arch_stack_walk|dump_backtrace|show_stack|show_trace\w*|stack_trace_save\w*|save_stack_trace\w*|__save_stack_trace|print_context_stack\w*|dump_trace)$/,
  },
  {
    id: "corrupted-shared-list",
    verdict: "none",
    atIp: true,
    kinds: ["general-protection", "paging-request", "null-deref"],
    why: "a memory fault inside the slab/page allocator or a lock's wait-list walk follows a pointer stored in that shared structure (a freelist, a wait list): someone else corrupted it earlier, by a use-after-free or an overflow, and that code is not on this stack",
    pattern:
      /^(?:__kmalloc\w*|kmalloc_\w+|kmem_cache_alloc\w*|__kmem_cache_alloc\w*|slab_alloc\w*|___slab_alloc|__slab_alloc\w*|get_freepointer\w*|kmalloc_trace|get_page_from_freelist|rmqueue\w*|__rmqueue\w*|__rwsem_do_wake|__rwsem_mark_wake|rwsem_mark_wake|rwsem_wake|__wake_up_common\w*|__mutex_unlock_slowpath|osq_lock|osq_unlock)$/,
  },
  {
    id: "io-wait",
    verdict: "none",
    kinds: ["hung-task"],
    why: "the blocked task waits for I/O to complete; which device or driver has not completed it, this stack cannot say",
    pattern: IO_WAIT,
  },
  // ---- interrupt entries -----------------------------------------------------------------
  {
    id: "interrupt-entry",
    verdict: "boundary",
    why: "an interrupt entry: below it is the code the interrupt happened to interrupt",
    pattern:
      /^(?:asm_sysvec_\w+|asm_common_interrupt|common_interrupt|ret_from_intr|apic_timer_interrupt|reschedule_interrupt|call_function\w*_interrupt|irq_work_interrupt|ext_int_handler|io_int_handler|el1h_64_irq|el1_irq|el0_irq|el0t_64_irq|__irq_svc|__irq_usr|irq_entries_start)$/,
  },
  // ---- rows that skip --------------------------------------------------------------------
  {
    id: "reporting",
    why: "the oops and panic reporting path (and the exception fixups that WARN about a faulting access) prints the crash, it does not cause it",
    pattern:
      /^(?:_*dump_stack(?:_lvl)?|show_stack|show_regs|exc_\w+|show_trace_log_lvl|dump_backtrace\w*|unwind_backtrace|panic|vpanic|nmi_panic|__warn\w*|warn_slowpath\w*|report_bug|handle_bug|exc_invalid_op|do_trap|do_error_trap|do_invalid_op|invalid_op|oops_end|die|die_addr|__die\w*|no_context|__bad_area\w*|bad_area\w*|page_fault|do_page_fault|__do_page_fault|trace_do_page_fault|do_async_page_fault|async_page_fault|exc_page_fault|do_user_addr_fault|do_kern_addr_fault|page_fault_oops|kernelmode_fixup_or_oops|crash_kexec|__crash_kexec|machine_kexec|_?printk|vprintk\w*|dump_header|out_of_memory|oom_kill_process|ex_handler_\w+|fixup_exception|spl_panic|spl_dumpstack|spl_debug_\w+|vcmn_err|cmn_err|zfs_panic_recover|__stack_chk_fail)$/,
  },
  {
    id: "panic-notifier",
    why: "once the kernel has decided to panic it calls the panic notifiers (the hypervisor's pvpanic, kmsg dumpers); a dump's saved registers are often inside them, and the hung-task detector's own loop reports blocked tasks: they report the crash, they do not cause it",
    pattern:
      /^(?:atomic_notifier_call_chain|blocking_notifier_call_chain|raw_notifier_call_chain|notifier_call_chain|pvpanic_panic_notify|pvpanic_send_event|pvpanic_\w+_notify|kmsg_dump|hyperv_panic_event|hv_die_panic_notify_crash|check_hung_uninterruptible_tasks|check_hung_task|watchdog)$/,
  },
  {
    id: "vendor-debug-hook",
    why: "a vendor debug hook on the reporting path (Android's restricted vendor hooks): it BUG()s on purpose when the kernel reports a problem",
    pattern: VENDOR_HOOK,
  },
  {
    id: "lockup-detector",
    why: "the lockup and stall detectors and the NMI, perf and timer paths that run them report the stuck CPU, they are not what it was stuck in",
    pattern:
      /^(?:watchdog_overflow_callback|watchdog_timer_fn|watchdog_hardlockup_check|watchdog_buddy_check_hardlockup|__perf_event_overflow|perf_event_overflow|intel_pmu_handle_irq|amd_pmu_handle_irq|x86_pmu_handle_irq|perf_event_nmi_handler|armv8pmu_handle_irq|nmi_handle|default_do_nmi|do_nmi|exc_nmi|end_repeat_nmi|repeat_nmi|__hrtimer_run_queues|hrtimer_interrupt|hrtimer_run_queues|tick_sched_timer|tick_sched_handle|tick_nohz_handler|update_process_times|rcu_sched_clock_irq|rcu_pending|rcu_check_callbacks|print_cpu_stall\w*|print_other_cpu_stall|check_cpu_stall\w*|rcu_dump_cpu_stacks|nmi_trigger_cpumask_backtrace|nmi_cpu_backtrace\w*|arch_trigger_cpumask_backtrace)$/,
  },
  {
    id: "sanitizers",
    why: "sanitizers and list debugging detect corruption made elsewhere",
    pattern:
      /^(?:kasan_\w+|__kasan_\w+|__asan_\w+|check_memory_region|kmsan_\w+|__kmsan_\w+|kfence_\w+|__kfence_\w+|__ubsan_\w+|ubsan_\w+|print_report|print_address_description\w*|describe_object\w*|__list_add_valid\w*|__list_del_entry_valid\w*|list_del|list_add\w*|__list_del\w*|refcount_warn_saturate|__refcount_\w+|refcount_\w+_checked|refcount_error_report|ex_handler_refcount)$/,
  },
  {
    id: "misuse-checks",
    why: "lockdep, the sleeping-in-atomic checks, DMA debugging, the cross-CPU call checks and the lazy-MMU mode checks report a misuse by their caller",
    pattern:
      /^(?:__lock_acquire|lock_acquire\w*|lock_release|lock_acquired|lock_contended|validate_chain|check_deadlock|check_prevs?_add|check_noncircular|check_irq_usage|mark_lock\w*|print_(?:circular|deadlock|bad_irq_dependency|usage)_bug\w*|lockdep_\w+|__lockdep_\w+|debug_locks_off|__might_sleep|___might_sleep|__might_resched|__might_fault|might_fault|__schedule_bug|schedule_debug|check_unmap|check_sync|check_for_\w+|debug_dma_\w+|smp_call_function_single\w*|smp_call_function_many\w*|smp_call_function|on_each_cpu\w*|xen_(?:enter|leave)_lazy_\w+|arch_(?:enter|leave)_lazy_mmu_mode|paravirt_(?:enter|leave)_lazy_\w+)$/,
  },
  {
    id: "caller-owned-object",
    why: "kernel APIs that act on the object their caller hands over (queueing work and timers, red-black trees and lockrefs, debugfs/sysfs/kernfs entries, DMA buffers, ioremap requests, net-device flags, page-table entries, kobject and kref puts): a fault or check inside them is about what the caller passed",
    pattern:
      /^(?:__queue_work|queue_work_on|queue_work|__queue_delayed_work|queue_delayed_work\w*|mod_delayed_work\w*|schedule_work|schedule_delayed_work\w*|__flush_work|flush_work|__cancel_work\w*|cancel_work_sync|cancel_delayed_work\w*|mod_timer|__mod_timer|add_timer\w*|del_timer\w*|timer_delete\w*|hrtimer_start\w*|hrtimer_cancel|rb_erase\w*|rb_insert_color\w*|__rb_erase_color|____rb_erase_color|__rb_insert_augmented|rb_replace_node\w*|lockref_\w+|dput|simple_recursive_removal|debugfs_(?:create|remove|lookup|rename|attr|file)\w*|sysfs_(?:create|remove|add|update|notify|merge|unmerge|deactivate|get|put|addrm|hash)\w*|kernfs_(?:create|remove|add|new|find|get|put|activate|deactivate|drain|break_active|notify|link)\w*|dma_alloc_\w+|dma_free_\w+|dma_map_\w+|dma_unmap_\w+|dma_sync_\w+|__ioremap_caller|__ioremap\w*|ioremap\w*|iounmap|memremap|devm_ioremap\w*|dev_set_promiscuity|__dev_set_promiscuity|dev_set_allmulti|__dev_set_allmulti|dev_change_flags|__dev_change_flags|native_set_pte\w*|set_pte\w*|native_set_pmd\w*|set_pmd\w*|native_set_pud\w*|set_pud\w*|kobject_put|kobject_release|kobject_cleanup|kref_put\w*|kref_sub)$/,
  },
  {
    id: "free-primitives",
    why: "memory-freeing primitives free what their caller passes: a BUG or fault inside them means the pointer was bad (double free, wrong allocator, corrupted)",
    pattern:
      /^(?:kfree|kfree_sensitive|kvfree|vfree|kmem_cache_free|__kmem_cache_free|slab_free\w*|__slab_free|do_slab_free|free_large_kmalloc|free_pages|__free_pages|__free_pages_ok|free_unref_page\w*|skb_free_head|skb_release_data|skb_release_all|__kfree_skb|kfree_skb\w*|consume_skb|__dev_kfree_skb\w*|dev_kfree_skb\w*)$/,
  },
  {
    id: "locking-primitives",
    why: "locking and wake-up primitives do what their caller asked: a fault inside them means the caller handed over a broken lock or wait queue",
    pattern:
      /^(?:__mutex_add_waiter|__mutex_unlock\w*|mutex_unlock\w*|__mutex_remove_waiter|_raw_(?:spin|read|write)_(?:unlock|trylock)\w*|queued_(?:read|write)_lock\w*|__wake_up\w*|wake_up_\w+|up_(?:read|write)|__up_(?:read|write)\w*|complete(?:_all)?|cpus_read_lock|cpus_read_unlock|get_online_cpus|put_online_cpus|percpu_down_read\w*|percpu_up_read\w*|remove_wait_queue|add_wait_queue\w*|prepare_to_wait\w*|finish_wait)$/,
  },
  {
    id: "waits",
    why: "a blocked task sleeps in the scheduler and wait primitives (arm64 and older x86 traces start at the context switch); the waiter is above them",
    pattern:
      /^(?:__switch_to\w*|context_switch|cpu_switch_to|__schedule|schedule\w*|io_schedule\w*|preempt_schedule\w*|wait_for_completion\w*|__wait_for_common|wait_for_common\w*|do_wait_for_common|__mutex_lock\w*|mutex_lock\w*|__down\w*|down(?:_\w+)?|rwsem_down\w*|msleep\w*|usleep_range\w*|__refrigerator|futex_wait\w*|call_rwsem_\w+|cv_wait_common|__cv_wait\w*|cv_wait\w*|cv_timedwait\w*|_raw_spin_lock\w*|native_queued_spin_lock_slowpath|queued_spin_lock_slowpath|do_raw_spin_lock|lock_kernel|__lock_kernel)$/,
  },
  {
    id: "dispatch",
    why: "system-call, interrupt, kernel-thread and callback entry code only dispatches",
    pattern:
      /^(?:entry_SYSCALL\w*|do_syscall_\w+|system_call\w*|syscall_(?:enter|exit|trace|return)\w*|ret_from_fork\w*|kthread|worker_thread|process_one_work|smpboot_thread_fn|cpuhp_invoke_callback|cpuhp_thread_fun|common_interrupt|apic_timer_interrupt|asm_\w+|sysvec_\w+|__sysvec_\w+|irq_exit\w*|__irq_exit_rcu|irqentry_exit\w*|irqentry_enter\w*|__do_softirq|do_softirq\w*|handle_softirqs|call_softirq|____do_softirq|call_on_irq_stack|invoke_softirq|el1_interrupt|el1h_64_irq_handler|el0t_64_irq_handler|gic_handle_irq|handle_arch_irq|handle_domain_irq|__handle_domain_irq|restart_int_handler)$/,
  },
  {
    id: "idle-loop",
    why: "the idle loop only waits for work: a CPU sampled or interrupted there was running nobody's code",
    pattern:
      /^(?:cpu_startup_entry|do_idle|default_idle_call|cpuidle_idle_call|arch_cpu_idle\w*|default_idle|cpu_idle|cpu_idle_loop|secondary_start_kernel|start_secondary|rest_init|arch_call_rest_init|cpuidle_enter\w*|call_cpuidle|native_safe_halt|safe_halt|default_enter_idle)$/,
  },
  {
    id: "string-memory",
    why: "memory, string and formatting primitives (memcpy, strcmp, vsnprintf, seq_printf) do what their caller asked",
    pattern:
      /^(?:_*mem(?:cpy|set|move|cmp|chr|scan|dup)\w*|v?s[cn]?printf|v?scnprintf|seq_v?printf|seq_puts|seq_putc|seq_write|_*str(?:n?len|n?cmp|n?casecmp|n?cpy|[sl]cpy|n?cat|lcat|r?chr|nchr|str|sep|spn|cspn|pbrk|n?dup)|fortify_\w+|__fortify_\w+|copy_user_\w+|rep_movs\w*|__copy_\w+_user\w*|_?copy_(?:to|from)_user\w*|__arch_copy_\w+_user)$/,
  },
];

export interface FrameQuery {
  kind?: Kind;
  /** the frame is the faulting RIP/pc */
  atIp?: boolean;
}

/** The row that decides about a frame name, if any. */
export function frameRule(name: string, query: FrameQuery = {}): SkipFrames | undefined {
  return culpritSkipFrames.find(
    (s) =>
      (!s.kinds || (query.kind !== undefined && s.kinds.includes(query.kind))) &&
      (!s.atIp || query.atIp === true) &&
      s.pattern.test(name),
  );
}

/** A frame that is never the culprit whatever the report (the unconditional skip rows). */
export function isSkippedFrame(name: string): boolean {
  return culpritSkipFrames.some(
    (s) => (s.verdict ?? "skip") !== "none" && !s.kinds && !s.atIp && s.pattern.test(name),
  );
}
