/**
 * @module diagnose/culprit/skip-frames
 * Frames that are never the culprit, with the reason. Patterns are anchored and matched
 * against the name without compiler suffixes (".constprop.0", ".cold").
 */

export interface SkipFrames {
  why: string;
  pattern: RegExp;
}

export const culpritSkipFrames: readonly SkipFrames[] = [
  {
    why: "the oops and panic reporting path prints the crash, it does not cause it",
    pattern:
      /^(?:_*dump_stack(?:_lvl)?|show_stack|show_regs|exc_\w+|show_trace_log_lvl|dump_backtrace\w*|panic|vpanic|nmi_panic|__warn\w*|warn_slowpath\w*|report_bug|handle_bug|exc_invalid_op|do_trap|do_error_trap|do_invalid_op|invalid_op|oops_end|die|__die\w*|no_context|__bad_area\w*|bad_area\w*|page_fault|do_page_fault|__do_page_fault|trace_do_page_fault|do_async_page_fault|async_page_fault|exc_page_fault|do_user_addr_fault|do_kern_addr_fault|page_fault_oops|kernelmode_fixup_or_oops|crash_kexec|__crash_kexec|machine_kexec|_?printk|vprintk\w*|dump_header|out_of_memory|oom_kill_process|spl_panic|spl_dumpstack|spl_debug_\w+|vcmn_err|cmn_err|zfs_panic_recover)$/,
  },
  {
    why: "sanitizers and list debugging detect corruption made elsewhere",
    pattern:
      /^(?:kasan_\w+|__kasan_\w+|__asan_\w+|check_memory_region|kmsan_\w+|__kmsan_\w+|kfence_\w+|__kfence_\w+|__ubsan_\w+|ubsan_\w+|print_report|print_address_description\w*|describe_object\w*|__list_add_valid\w*|__list_del_entry_valid\w*|list_del|list_add\w*|__list_del\w*|refcount_warn_saturate|__refcount_\w+)$/,
  },
  {
    why: "lockdep, the sleeping-in-atomic checks and DMA debugging report a misuse by their caller",
    pattern:
      /^(?:__lock_acquire|lock_acquire\w*|lock_release|lock_acquired|lock_contended|validate_chain|check_deadlock|check_prevs?_add|check_noncircular|check_irq_usage|mark_lock\w*|print_(?:circular|deadlock|bad_irq_dependency|usage)_bug\w*|lockdep_\w+|__lockdep_\w+|debug_locks_off|__might_sleep|___might_sleep|__might_resched|__might_fault|might_fault|__schedule_bug|schedule_debug|check_unmap|check_sync|check_for_\w+|debug_dma_\w+)$/,
  },
  {
    why: "locking and wake-up primitives do what their caller asked: a fault inside them means the caller handed over a broken lock or wait queue",
    pattern:
      /^(?:__mutex_add_waiter|__mutex_unlock\w*|mutex_unlock\w*|__mutex_remove_waiter|_raw_(?:spin|read|write)_(?:unlock|trylock)\w*|queued_(?:read|write)_lock\w*|__wake_up\w*|wake_up_\w+|up_(?:read|write)|__up_(?:read|write)\w*|complete(?:_all)?)$/,
  },
  {
    why: "a blocked task sleeps in the scheduler and wait primitives (arm64 and older x86 traces start at the context switch); the waiter is above them",
    pattern:
      /^(?:__switch_to\w*|context_switch|cpu_switch_to|__schedule|schedule\w*|io_schedule\w*|preempt_schedule\w*|wait_for_completion\w*|__wait_for_common|wait_for_common\w*|do_wait_for_common|__mutex_lock\w*|mutex_lock\w*|__down\w*|down(?:_\w+)?|rwsem_down\w*|msleep\w*|usleep_range\w*|__refrigerator|futex_wait\w*|_raw_spin_lock\w*|native_queued_spin_lock_slowpath|queued_spin_lock_slowpath|do_raw_spin_lock)$/,
  },
  {
    why: "system-call, interrupt and kernel-thread entry code only dispatches",
    pattern:
      /^(?:entry_SYSCALL\w*|do_syscall_\w+|system_call\w*|syscall_\w+|ret_from_fork\w*|kthread|worker_thread|process_one_work|smpboot_thread_fn|common_interrupt|apic_timer_interrupt|asm_\w+|sysvec_\w+|__sysvec_\w+|irq_exit\w*|__irq_exit_rcu|__do_softirq|do_softirq\w*|handle_softirqs|call_softirq)$/,
  },
  {
    why: "memory and string primitives do what their caller asked",
    pattern:
      /^(?:_*mem(?:cpy|set|move|cmp|chr|scan|dup)\w*|_*str(?:n?len|n?cmp|n?casecmp|n?cpy|[sl]cpy|n?cat|lcat|r?chr|nchr|str|sep|spn|cspn|pbrk|n?dup)|fortify_\w+|__fortify_\w+|copy_user_\w+|rep_movs\w*|__copy_\w+_user\w*)$/,
  },
];

export function isSkippedFrame(name: string): boolean {
  return culpritSkipFrames.some((s) => s.pattern.test(name));
}
