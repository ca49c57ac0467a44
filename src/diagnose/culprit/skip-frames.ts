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
      /^(?:dump_stack(?:_lvl)?|show_stack|show_trace_log_lvl|dump_backtrace\w*|panic|vpanic|nmi_panic|__warn\w*|warn_slowpath\w*|report_bug|handle_bug|exc_invalid_op|do_trap|do_error_trap|do_invalid_op|invalid_op|oops_end|die|__die\w*|no_context|__bad_area\w*|bad_area\w*|page_fault|do_page_fault|__do_page_fault|trace_do_page_fault|do_async_page_fault|async_page_fault|exc_page_fault|do_user_addr_fault|do_kern_addr_fault|page_fault_oops|kernelmode_fixup_or_oops|crash_kexec|__crash_kexec|machine_kexec|_?printk|vprintk\w*|dump_header|out_of_memory|oom_kill_process)$/,
  },
  {
    why: "sanitizers and list debugging detect corruption made elsewhere",
    pattern:
      /^(?:kasan_\w+|__kasan_\w+|__asan_\w+|check_memory_region|kmsan_\w+|__ubsan_\w+|ubsan_\w+|__list_add_valid\w*|__list_del_entry_valid\w*|list_del|list_add\w*|__list_del\w*)$/,
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
      /^(?:__?mem(?:cpy|set|move|cmp)\w*|str(?:len|cmp|ncmp|cpy|ncpy|scpy)|copy_user_\w+|rep_movs\w*)$/,
  },
];

export function isSkippedFrame(name: string): boolean {
  return culpritSkipFrames.some((s) => s.pattern.test(name));
}
