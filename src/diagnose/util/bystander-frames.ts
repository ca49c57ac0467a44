/**
 * @module diagnose/util/bystander-frames
 * Module frames that say nothing against their module: wait primitives a module provides to
 * others (SPL's condition variables, thread wrappers), reporting functions it provides (SPL's
 * spl_panic for ZFS's assertions), and debug hooks the kernel's own
 * reporting machinery calls (vendor hooks, die notifiers), which
 * print or BUG() on purpose when the kernel tells them something went wrong elsewhere.
 */
import { baseSymbol } from "../../oops/fields/location.js";
import type { Frame } from "../../oops/report.js";

/** Waiting and thread-entry primitives, in the kernel or provided by a module. */
const WAIT_PRIMITIVE =
  /^(?:__switch_to\w*|context_switch|__schedule|schedule\w*|io_schedule\w*|preempt_schedule\w*|wait_for_completion\w*|__wait_for_common|wait_for_common\w*|do_wait_for_common|__mutex_lock\w*|mutex_lock\w*|__down\w*|down(?:_\w+)?|rwsem_down\w*|msleep\w*|usleep_range\w*|prepare_to_wait\w*|finish_wait|autoremove_wake_function|__wait_on_bit\w*|out_of_line_wait_on_bit\w*|bit_wait\w*|__cv_\w+|cv_wait\w*|cv_timedwait\w*|cv_\w+_common|__cv_timedwait\w*|taskq_thread\w*|thread_generic_wrapper|kthread|worker_thread|ret_from_fork\w*)$/;

/** Reporting functions a module provides (SPL prints and panics for ZFS's assertions). */
const MODULE_REPORTER =
  /^(?:spl_panic|spl_dumpstack|spl_debug_\w+|spl_assert\w*|vcmn_err|cmn_err|zfs_panic_recover)$/;

/** Functions of the reporting machinery that call out to hooks and notifiers. */
const REPORTING_CALLERS =
  /^(?:__might_resched|__might_sleep|___might_sleep|__schedule_bug|__warn\w*|warn_slowpath\w*|report_bug|panic|vpanic|die|__die\w*|oops_end|notify_die)$/;

/** Vendor hooks by their naming convention (Android's restricted and vendor hooks and their
 * tracepoint trampolines). Shared with the culprit's frame table (vendor-debug-hook row). */
export const VENDOR_HOOK =
  /^(?:android_(?:rvh|vh)_\w+|__traceiter_android_\w+|trace_android_(?:rvh|vh)_\w+)$/;

const name = (frame: Frame | undefined) => baseSymbol(frame?.symbol ?? "");

export function isWaitPrimitive(frame: Frame): boolean {
  return WAIT_PRIMITIVE.test(name(frame));
}

/**
 * A hook: named as one, or called (the next frame outwards) by the reporting machinery, so
 * that it runs because something else was already reported.
 */
export function isDebugHook(frame: Frame, caller: Frame | undefined): boolean {
  return VENDOR_HOOK.test(name(frame)) || REPORTING_CALLERS.test(name(caller));
}

/**
 * The task is blocked waiting for I/O to complete: `io_schedule`, SPL's `cv_wait_io`, ZFS's
 * `zio_wait`, page and buffer waits, and a journal's wait for its commit (jbd2's commit
 * thread, ZFS's intent-log writer and txg sync, XFS's log force are writing to the disks). Shared with the culprit's frame table (io-wait row).
 */
export const IO_WAIT =
  /^(?:io_schedule\w*|bit_wait_io\w*|__cv_wait_io\w*|cv_wait_io\w*|zio_wait|wait_on_page_bit\w*|folio_wait_bit\w*|__wait_on_buffer|wait_on_buffer|sleep_on_buffer|sleep_on_page\w*|blkdev_issue_flush|submit_bio_wait|jbd2_log_wait_commit|__jbd2_log_wait_for_space|jbd2_journal_wait_updates|wait_on_commit|zil_commit\w*|txg_wait_synced\w*|xlog_cil_force_lsn|_?xfs_log_force\w*|xlog_wait\w*)$/;

/**
 * A hung task waiting for I/O: its innermost frames, up to the first that is no wait
 * primitive, include an I/O wait. Its stack shows who waits for the I/O, not who holds it up.
 */
export function waitsForIo(frames: readonly Frame[]): boolean {
  for (const f of frames) {
    if (IO_WAIT.test(name(f))) return true;
    if (!isWaitPrimitive(f)) return false;
  }
  return false;
}

/**
 * Of the frames given (innermost first), those in `module` that count against it: not a wait
 * primitive, not a debug hook.
 */
export function incriminating(frames: readonly Frame[], module: string): Frame[] {
  return frames.filter((f, i) => {
    if (f.module !== module || isWaitPrimitive(f) || MODULE_REPORTER.test(name(f))) return false;
    // the caller is the next frame outwards that is another function (the RIP repeats)
    const caller = frames.slice(i + 1).find((g) => g.symbol !== f.symbol);
    return !isDebugHook(f, caller);
  });
}
