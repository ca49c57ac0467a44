/**
 * @module knowledge/signature
 * What identifies a bug across machines, read from a parsed `Report`: its title
 * (syzkaller-normalised), kind, the crashing function and the first non-generic frames in
 * order, with their modules. Everything that varies between two machines hitting one bug —
 * addresses, offsets, pids, `?` frames, compiler clones (`.constprop.0`, `.isra.0`, `.cold`),
 * syscall-wrapper prefixes — is left out, so a record's quoted report and a user's report of
 * the same bug give the same signature. Both sides of a match are built here.
 */
import type { Kind, Report } from "../oops/report.js";
import { stripFramePrefix } from "../oops/title/frames.js";
import { titleFrame } from "../oops/title/sanitize.js";
import { skipPattern } from "../oops/title/stack-params.js";

/** One frame as the index keeps it: the canonical name and, for module code, the module. */
export interface FrameKey {
  symbol: string;
  module?: string;
}

export interface Signature {
  /** the title, normalised across kernel versions (see normaliseTitle) */
  title: string;
  kind: Kind;
  /** the crashing function first, then the next non-generic frames, in stack order */
  frames: FrameKey[];
}

/** Frames kept per signature: past the first few, stacks say where the bug was reached from. */
export const maxSignatureFrames = 8;

/**
 * Machinery that syzkaller's skip list (oops/title/stack-params) does not name because titles
 * never reach it, but stacks are full of: entry code, scheduling, interrupt and softirq
 * plumbing, the report printers. None of it tells one bug from another.
 */
const genericFrames: ReadonlyArray<{ why: string; pattern: RegExp }> = [
  {
    why: "system-call, exception and interrupt entry",
    pattern:
      /^(?:entry_\w+|do_syscall_\w+|x64_sys_call|syscall_\w+|el0\w*|el1\w*|do_el0_\w+|invoke_syscall|ret_from_\w+|asm_\w+|exc_\w+|sysvec_\w+|common_interrupt|irq_exit\w*|__irq_exit\w*|do_IRQ|handle_\w*irq\w*|gic_handle_irq|generic_handle_\w+|__handle_domain_irq|exit_to_user_mode\w*|irqentry_\w+|do_int3\w*|do_error_trap|handle_bug|do_trap\w*|noist_exc_\w+|do_debug|arm64_syscall\w*|vector_swi|__sys_trace\w*|system_call\w*|sysenter_\w+|ia32_sys_call|__do_fast_syscall_32|do_fast_syscall_32|do_int80_syscall_32|trace_hardirqs_\w+|fpregs_assert_state_consistent|__pfx_\w+)$/,
  },
  {
    why: "kernel threads, workqueues, softirqs and the idle loop run every driver's work",
    pattern:
      /^(?:kthread|worker_thread|process_one_work|process_scheduled_works|smpboot_thread_fn|run_ksoftirqd|__do_softirq|handle_softirqs|do_softirq\w*|__local_bh_enable_ip|local_bh_enable|irq_thread\w*|tasklet_action\w*|call_timer_fn|__run_timers?|run_timer_softirq|expire_timers|__hrtimer_run_queues|hrtimer_interrupt|hrtimer_run_\w+|rcu_core\w*|rcu_do_batch|rcu_process_callbacks|net_rx_action|__napi_poll|napi_poll|do_idle|cpu_startup_entry|start_secondary|secondary_startup_64\w*|start_kernel|x86_64_start_\w+|rest_init|arch_call_rest_init|kernel_init\w*|do_one_initcall|do_initcalls|do_basic_setup|default_idle\w*|arch_cpu_idle|cpuidle_enter\w*|native_safe_halt|cpu_idle_poll|__schedule|schedule\w*|preempt_schedule\w*|io_schedule\w*|__cond_resched|_cond_resched)$/,
  },
  {
    why: "sleeping and waiting: a hung task's stack shows how it waits, the waited-for code is elsewhere",
    pattern:
      /^(?:__switch_to\w*|context_switch|__wait_for_common|wait_for_common\w*|wait_for_completion\w*|do_wait_for_common|schedule_timeout\w*|io_schedule\w*|usleep_range\w*|msleep\w*|__wait_event\w*|wait_woken|prepare_to_wait\w*|finish_wait|__flush_work|flush_work|__synchronize_srcu|synchronize_\w+|wait_rcu_gp|__wait_rcu_gp|rwsem_down_\w+|__rwsem_\w+|__down\w*|down\w*|__mutex_lock\w*|mutex_lock\w*|rt_mutex_\w+|__rt_mutex_\w+|percpu_down_\w+|futex_wait\w*|do_nanosleep|hrtimer_nanosleep|__x64_sys_nanosleep|do_sys_poll|do_select|core_sys_select|ep_poll|do_epoll_wait|pipe_read|pipe_write|n_tty_read|tty_read|wait_on_page_bit\w*|folio_wait_bit\w*|__folio_lock\w*|__lock_page\w*|bit_wait\w*|__wait_on_bit\w*|out_of_line_wait_on_bit\w*|__wait_on_buffer|wait_on_buffer)$/,
  },
  {
    why: "the page allocator and the OOM killer: where memory ran out or was freed, not whose bug it is",
    pattern:
      /^(?:dump_header|oom_kill_process|out_of_memory|pagefault_out_of_memory|__alloc_pages\w*|alloc_pages\w*|__get_free_pages|get_zeroed_page|__free_pages\w*|free_pages\w*|__free_pages_ok|free_unref_page\w*|free_the_page|__folio_put|folio_put\w*|put_page|__put_page|release_pages|mem_cgroup_out_of_memory|try_charge\w*|__memcg_kmem_charge\w*|obj_cgroup_charge\w*|__kmalloc\w*|kmalloc\w*|kfree\w*|vfree\w*|kvfree\w*|kvmalloc\w*|vmalloc\w*|__vmalloc\w*|kmem_cache_\w+|slab_free\w*|__slab_free|___slab_alloc|__slab_alloc|slab_alloc\w*|__do_kmalloc_node|kfree_rcu_\w+|rcu_free_\w+)$/,
  },
  {
    why: "task exit, signal delivery and deferred file release run every subsystem's teardown",
    pattern:
      /^(?:do_exit|do_group_exit|get_signal|arch_do_signal_or_restart|do_signal|do_notify_resume|exit_to_user_mode_loop|task_work_run|__fput|____fput|fput\w*|__fput_sync|delayed_fput|exit_files|put_files_struct|close_files|exit_mmap|__mmput|mmput|lockref_\w+|simple_recursive_removal|debugfs_remove\w*|kernfs_remove\w*|__kernfs_remove|remove_proc_subtree)$/,
  },
  {
    why: "stall, lockdep and debug-object reporters: they print the report, on whatever stack",
    pattern:
      /^(?:nmi_cpu_backtrace\w*|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|trigger_\w+_backtrace|rcu_dump_cpu_stacks|print_cpu_stall\w*|print_other_cpu_stall|check_cpu_stall|rcu_pending|rcu_sched_clock_irq|rcu_check_callbacks|update_process_times|tick_sched_\w+|tick_periodic|tick_handle_periodic|watchdog_timer_fn|watchdog_overflow_callback|__perf_event_overflow|perf_event_overflow|console_unlock|console_flush_all|vprintk\w*|_printk|printk\w*|lock_is_held_type|lockdep_\w+|check_preemption_disabled|__this_cpu_preempt_check|debug_check_no_locks_freed|debug_check_no_obj_freed|debug_print_object|debug_object_\w+|save_trace|handle_bad_stack|__bad_stack|__schedule_bug|schedule_debug|bad_page|free_page_is_bad\w*|free_pages_prepare|free_unref_folios|folios_put_refs|skb_panic|skb_over_panic|skb_under_panic|skb_put|skb_push|kunit_\w+|apic_timer_interrupt|smp_apic_timer_interrupt|local_apic_timer_interrupt|__sysvec_apic_timer_interrupt|show_regs_if_on_stack|show_trace\w*|print_trace_address|dump_trace|bad_stack)$/,
  },
  {
    why: "report printers, sanitizer and fault plumbing: they describe the bug, they are not it",
    pattern:
      /^(?:dump_stack\w*|__dump_stack|show_stack|show_trace_log_lvl|show_regs|__show_regs|print_report|kasan_\w+|__kasan_\w+|kmsan_\w+|ubsan_\w+|__ubsan_\w+|handle_overflow|check_panic_on_warn|__warn\w*|warn_slowpath\w*|report_bug|die\w*|oops_end|page_fault_oops|no_context|__bad_area_nosemaphore|bad_area\w*|do_user_addr_fault|do_kern_addr_fault|handle_page_fault|do_page_fault|__do_page_fault|do_general_protection|fixup_exception|kernelmode_fixup_or_oops|do_translation_fault|do_mem_abort|do_bad_area|__do_kernel_fault|die_kernel_fault|print_circular_bug\w*|check_noncircular|check_prev_add|check_prevs_add|validate_chain|__lock_acquire|lock_acquire\w*|print_deadlock_bug|check_deadlock|print_bad_irq_dependency|check_irq_usage|__might_sleep|__might_resched|___might_sleep|might_fault|usercopy_abort|__check_heap_object|__check_object_size\w*|check_heap_object|refcount_warn_saturate|__list_\w+_valid\w*|__list_add|__list_del_entry|should_fail\w*|fail_dump|__should_failslab|should_failslab|__stack_chk_fail|fortify_panic|__fortify_\w+)$/,
  },
];

/**
 * syzkaller's skip list (the same source as the title code's, so V8 compiles it once) and
 * the table above as one pattern, made on first use.
 */
let syzSkip: RegExp | undefined;
let ours: RegExp | undefined;
const genericNames = new Set<string>();
const genericCache = new Map<string, boolean>();

/** The name without compiler clone suffixes and syscall-wrapper prefixes. */
export function canonicalSymbol(name: string): string {
  // ".constprop.0", ".isra.3", ".part.1", ".cold", ".cold.12", ".llvm.123456", "$ … " clang tags
  const bare = name.replace(
    /(?:\.(?:constprop|isra|part|cold|llvm|lto_priv|clone|localalias)(?:\.\d+)?)+$/,
    "",
  );
  return stripFramePrefix(bare.replace(/\.\d+$/, ""));
}

/** A frame that never tells one bug from another. */
export function isGenericFrame(symbol: string): boolean {
  let answer = genericCache.get(symbol);
  if (answer === undefined) {
    if (!ours) {
      // plain names go to a set; only the alternatives with wildcards stay a pattern
      const alternatives = genericFrames.flatMap((g) =>
        g.pattern.source
          .replace(/^\^\(\?:/, "")
          .replace(/\)\$$/, "")
          .split("|"),
      );
      for (const a of alternatives) if (/^\w+$/.test(a)) genericNames.add(a);
      ours = new RegExp(`^(?:${alternatives.filter((a) => !/^\w+$/.test(a)).join("|")})$`);
    }
    syzSkip ??= skipPattern();
    answer = genericNames.has(symbol) || ours.test(symbol) || syzSkip.test(symbol);
    if (genericCache.size < 100_000) genericCache.set(symbol, answer);
  }
  return answer;
}

/**
 * Titles change wording between kernel versions for the same bug: KASAN's `slab-use-after-free`
 * (6.4+) was `use-after-free`; x86's NULL dereference header changed in 4.19. The class and the
 * frame are what stays.
 */
const titleRewrites: ReadonlyArray<[RegExp, string]> = [
  [/\bslab-use-after-free\b/g, "use-after-free"],
  // the access word follows from the access line, which quotes often leave out
  [/^(KASAN: [\w-]+) (?:Read|Write)(?= in )/, "$1"],
  [/\b(?:vmalloc|slab|global|stack|user-memory)-out-of-bounds\b/g, "out-of-bounds"],
  [
    /^BUG: unable to handle (?:kernel )?(?:paging request|NULL pointer dereference)/,
    "BUG: unable to handle kernel",
  ],
  [/^BUG: kernel NULL pointer dereference/, "BUG: unable to handle kernel"],
];

export function normaliseTitle(title: string): string {
  let out = title.trim();
  for (const [from, to] of titleRewrites) out = out.replace(from, to);
  return out;
}

/** The crashing function then the next frames that tell this bug apart, first `max` of them. */
export function signatureFrames(report: Report, max = maxSignatureFrames): FrameKey[] {
  const reliable = report.trace.filter((f) => f.reliable);
  // an unwinder without frame pointers prints every frame with `?`: then they are all there is
  const trace = reliable.length > 0 ? reliable : report.trace;
  const out: FrameKey[] = [];
  const push = (symbol: string | undefined, frameModule: string | null | undefined) => {
    let module = frameModule;
    if (!symbol || out.length >= max) return;
    // a quoted frame may keep its module in the name ("ffs_data_clear [usb_f_fs]")
    const [name = "", inName] = symbol.split(/\s+\[?|\]/);
    const canonical = canonicalSymbol(name);
    if (!module && inName) module = inName;
    if (canonical === "" || isGenericFrame(canonical)) return;
    // one frame printed twice (the RIP function again at the top of the trace, recursion)
    const last = out[out.length - 1];
    if (last && last.symbol === canonical) return;
    out.push(module ? { symbol: canonical, module } : { symbol: canonical });
  };
  push(report.ip?.symbol, report.ip?.module);
  for (const frame of trace) push(frame.symbol, frame.module);
  // a report with no stack still names its function in the title
  if (out.length === 0) {
    const fromTitle = titleFrame(report.title);
    // syzkaller's "in corrupted": the title names no frame
    if (fromTitle && fromTitle !== "corrupted" && !isGenericFrame(fromTitle))
      out.push({ symbol: canonicalSymbol(fromTitle) });
  }
  return out;
}

export function signatureOf(report: Report): Signature {
  return {
    title: normaliseTitle(report.title),
    kind: report.kind,
    frames: signatureFrames(report),
  };
}
