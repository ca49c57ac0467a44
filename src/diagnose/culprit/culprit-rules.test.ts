/**
 * Every culprit rule of docs/culprit.md on real inputs: where it decides, and where it must
 * not (case numbers are testdata/realworld unless marked seed or lab).
 */
import { dataFile, input } from "../../../test/inputs.js";
import { testdata } from "../../../test/shared.js";
import { culpritTester } from "./culprit-tester.js";

/** A real paste up to the line holding `marker`: what a paste cut there shows. */
function cutBefore(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${marker} not in the input`);
  return text.slice(0, text.lastIndexOf("\n", at) + 1);
}

/** A real paste from the line holding `marker` on: what a shorter paste shows. */
function fromLine(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${marker} not in the input`);
  return text.slice(text.lastIndexOf("\n", at) + 1);
}

/** The arm64 lab's soft lockup: arm64 prints no Code: bytes. */
const arm64SoftLockup = dataFile(testdata("oops", "arm64", "lab-softlockup.txt")).log;

// ---- report-level rules -------------------------------------------------------------------

culpritTester("oom", {
  fires: [
    { name: "panic_on_oom on a VMware guest", input: "realworld:208", none: /out-of-memory/ },
    { name: "memcg OOM on a KubeVirt node", input: "realworld:310" },
    { name: "the lab's OOM kill", input: "lab:oom" },
  ],
  doesNotFire: [
    { name: "a NULL call, not memory", input: "realworld:102" },
    { name: "kfree's sanity BUG", input: "realworld:414" },
    { name: "lab NULL read", input: "lab:nullread" },
  ],
});

culpritTester("panic-by-design", {
  fires: [
    { name: "init exec fails with ENOEXEC", input: "realworld:319", none: /by design/ },
    { name: "root=UUID not found", input: "realworld:325" },
    { name: "Go init exits", input: "realworld:339" },
    { name: "Android init exits by itself", input: "realworld:340" },
  ],
  doesNotFire: [
    { name: "an oops that then kills init", input: "realworld:116" },
    { name: "stack-protector panic names its function", input: "realworld:305" },
    { name: "a module calling panic()", input: "lab:panic" },
  ],
});

culpritTester("exit-after-oops", {
  fires: [
    {
      name: "oops #2 in exit_thread of the irq thread oops #1 killed (Manjaro, nvidia)",
      input: "realworld:190",
      none: /oops #2 or later, on a kernel tainted D/,
    },
    {
      name: "WARN in do_exit after the f2fs BUG",
      input: "realworld:118",
      report: 1,
      none: /earlier oops/,
    },
  ],
  doesNotFire: [
    { name: "the f2fs BUG itself", input: "realworld:118" },
    { name: "an oops that kills init", input: "realworld:116" },
    { name: "a task exiting in the lab NULL write", input: "lab:nullwrite" },
  ],
});

culpritTester("backtrace-sample", {
  fires: [
    { name: "SysRq-l NMI backtrace of a spinning taskq", input: "realworld:212", none: /sample/ },
  ],
  doesNotFire: [
    { name: "a hard lockup (NMI watchdog)", input: "realworld:206" },
    { name: "a hard lockup whose IRQ just began", input: "realworld:301" },
    { name: "an RCU stall with an NMI sample", input: "realworld:326" },
  ],
});

culpritTester("consequence", {
  fires: [
    {
      name: "crond hung behind the dirpro lockup",
      input: "seed:003",
      report: 1,
      culprit: "get_process_name [dirpro]",
    },
  ],
  doesNotFire: [
    { name: "a later stall names its blocked task instead", input: "realworld:309", report: 3 },
    { name: "the soft lockup that causes the hang", input: "seed:003" },
    { name: "a hung task alone", input: "realworld:210" },
  ],
});

culpritTester("stall-blocked-task", {
  fires: [
    {
      name: "P8015 is the task that slept in atomic context",
      input: "realworld:309",
      report: 2,
      culprit: "lan1qtsn_netdev_start_xmit [lan1qtsn]",
    },
    {
      name: "the second stall of the same grace period",
      input: "realworld:309",
      report: 3,
      culprit: "lan1qtsn_netdev_start_xmit [lan1qtsn]",
    },
    {
      name: "the third stall",
      input: "realworld:309",
      report: 4,
      culprit: "lan1qtsn_netdev_start_xmit [lan1qtsn]",
    },
  ],
  doesNotFire: [
    { name: "a stall with only an NMI sample", input: "realworld:326" },
    { name: "a self-detected stall", input: "realworld:333" },
    { name: "expedited stalls with no task shown", input: "realworld:344", report: 1 },
  ],
});

culpritTester("imprecise-abort", {
  fires: [{ name: "abort arrives in arch_cpu_idle", input: "realworld:117", none: /imprecise/ }],
  doesNotFire: [
    { name: "copy loop reading ioremapped AESS memory", input: "realworld:119" },
    { name: "a precise NULL read on arm", input: "realworld:116" },
    { name: "a precise abort in the timer wheel", input: "realworld:136" },
  ],
});

culpritTester("hung-task-blocker", {
  fires: [
    {
      name: "semaphore likely last held by cat:1802",
      input: "realworld:303",
      culprit: "read_dummy [hung_task_sem]",
    },
  ],
  doesNotFire: [
    { name: "mutex waiter without a named holder", input: "lab:hung" },
    { name: "I/O wait", input: "realworld:210" },
    { name: "journal I/O wait", input: "realworld:139" },
  ],
});

culpritTester("recursive-locking-holder", {
  fires: [
    {
      name: "v4l2_ctrl_add_handler holds hdl->lock",
      input: "realworld:203",
      culprit: "v4l2_ctrl_add_handler [videodev]",
    },
  ],
  doesNotFire: [
    { name: "holder is the hotplug dispatcher", input: "realworld:302" },
    { name: "holder is no longer on the stack", input: "realworld:202" },
    { name: "a circular dependency is not recursion", input: "realworld:309" },
  ],
});

culpritTester("sleep-in-atomic-callback", {
  fires: [
    {
      name: "ndo_start_xmit calls SPI (scheduling while atomic)",
      input: "realworld:309",
      culprit: "lan1qtsn_netdev_start_xmit [lan1qtsn]",
    },
    {
      name: "the RCU context-switch WARN of the same chain",
      input: "realworld:309",
      report: 1,
      culprit: "lan1qtsn_netdev_start_xmit [lan1qtsn]",
    },
  ],
  doesNotFire: [
    { name: "a shrinker work item sleeping under spin_lock_bh", input: "realworld:322" },
    { name: "a module's sleeping write handler", input: "realworld:342" },
    { name: "an ordinary NULL read", input: "lab:nullread" },
  ],
});

culpritTester("sleep-in-atomic-caller", {
  fires: [
    {
      name: "BUG without its stack, continued by the vendor hook's BUG",
      input: "realworld:322",
      culprit: "shrink_work",
    },
    {
      name: "LKRG write handler",
      input: "realworld:342",
      culprit: "p_sel_write_enforce_entry [p_lkrg_dlkm]",
    },
  ],
  doesNotFire: [
    { name: "the callback rule decides first", input: "realworld:309" },
    { name: "the vendor hook's BUG is walked", input: "realworld:322", report: 1 },
    { name: "a WARN that is no sleep check", input: "realworld:419" },
  ],
});

culpritTester("hard-lockup-irq-just-entered", {
  fires: [
    {
      name: "irq_work ran right after sync_timeline_signal re-enabled IRQs",
      input: "realworld:301",
      culprit: "sync_timeline_signal",
    },
  ],
  doesNotFire: [
    { name: "hard lockup in the idle path", input: "realworld:206" },
    { name: "a lockdep-annotated WARN (stamps, no lockup)", input: "realworld:107" },
    { name: "header-only hard lockups", input: "realworld:327", report: 3 },
  ],
});

culpritTester("single-sample", {
  fires: [
    {
      name: "ksoftirqd sampled at a test/je",
      input: "realworld:311",
      none: /no backward branch before it calls, returns or jumps away/,
    },
  ],
  doesNotFire: [
    {
      name: "MPTCP: the Code: bytes end before the loop is seen to close or leave",
      input: "realworld:173",
    },
    { name: "the lab module spins in a jmp loop", input: "lab:softlockup" },
    { name: "arm64 sample without Code: bytes stands", input: arm64SoftLockup },
    { name: "dirpro sampled twice in the same function", input: "seed:003" },
    { name: "the second dirpro sample", input: "seed:003", report: 2 },
  ],
});

culpritTester("lockup-in-idle", {
  fires: [
    { name: "NMI lands in idle tick accounting on a guest", input: "realworld:206", none: /idle/ },
  ],
  doesNotFire: [
    { name: "a lockup in a module's loop", input: "lab:softlockup" },
    { name: "ksoftirqd's single sample", input: "realworld:311" },
    { name: "hard lockup in an irq_work over a task", input: "realworld:301" },
  ],
});

// ---- the frame table, end to end -----------------------------------------------------------

culpritTester("state-check", {
  fires: [
    { name: "RCU dynticks check on the idle path", input: "realworld:107", none: /set up earlier/ },
    { name: "RCU check on interrupt exit", input: "realworld:107", report: 1 },
    { name: "DRM mode-config validation", input: "realworld:115", report: 1 },
    { name: "EEH check while ipr probes", input: "realworld:217" },
  ],
  doesNotFire: [
    { name: "the RCU context-switch check names the sleeper", input: "realworld:309", report: 1 },
    { name: "the mtk oops in the same mail", input: "realworld:115" },
    { name: "a driver's own WARN", input: "realworld:419" },
  ],
});

culpritTester("deliberate-crash", {
  fires: [
    { name: "SysRq-c after a soft lockup", input: "realworld:405", report: 1, none: /deliberate/ },
    { name: "the lab's SysRq-c", input: "lab:sysrq" },
  ],
  doesNotFire: [
    { name: "a module calling panic()", input: "lab:panic" },
    { name: "the soft-lockup header before it", input: "realworld:405" },
    { name: "a NULL write in a module", input: "lab:nullwrite" },
  ],
});

culpritTester("informational-warning", {
  fires: [{ name: "RHEL hardware-support notice", input: "realworld:207", none: /informational/ }],
  doesNotFire: [
    { name: "out-of-tree driver WARN", input: "realworld:419" },
    { name: "the lab's WARN", input: "lab:warn" },
    { name: "DMA-debug WARN", input: "realworld:204" },
  ],
});

culpritTester("unwinder-fault", {
  fires: [
    {
      name: "walk_stackframe faults while panic dumps init's stack",
      input: "realworld:122",
      none: /unwinder/,
    },
  ],
  doesNotFire: [
    { name: "arm trace that starts with unwind_backtrace", input: "realworld:118" },
    { name: "a WARN with dump_stack on top", input: "lab:warn" },
    { name: "stack-protector panic", input: "realworld:305" },
  ],
});

culpritTester("hung-task-core-waiter", {
  fires: [
    {
      name: "pve-firewall waits in open() for an inode rwsem (6.8)",
      input: "realworld:160",
      none: /core kernel code blocked waiting .*not on its stack/,
    },
    {
      name: "seed 003's crond in synchronize_sched, pasted without the lockup before it",
      input: fromLine(input("seed:003"), "INFO: task crond"),
    },
  ],
  doesNotFire: [
    { name: "a module's own code waits for its worker", input: "lab:hung" },
    { name: "semaphore waiter with a named holder", input: "realworld:303" },
    { name: "crond hung behind a lockup", input: "seed:003", report: 1 },
    { name: "jbd2 waiting on I/O (the io-wait row decides first)", input: "realworld:139" },
  ],
});

culpritTester("io-wait", {
  fires: [
    { name: "txg_sync in zio_wait (el6)", input: "realworld:210", none: /I\/O/ },
    { name: "txg_sync in zio_wait", input: "realworld:404" },
    { name: "jbd2 waiting on a buffer write", input: "realworld:139" },
    { name: "RHEL 8: a writer waits for jbd2's journal commit", input: "realworld:176" },
    { name: "2.6 nfsd waits in zil_commit via SPL's cv_wait", input: "realworld:175" },
    { name: "the XFS log worker waits for a log force's CIL push", input: "realworld:221" },
  ],
  doesNotFire: [
    { name: "mutex waiter", input: "lab:hung" },
    { name: "semaphore waiter with a named holder", input: "realworld:303" },
    { name: "crond hung behind a lockup", input: "seed:003", report: 1 },
  ],
});

culpritTester("first-real-frame", {
  fires: [
    {
      name: "timer callback queues work on a freed workqueue",
      input: "realworld:114",
      culprit: "nci_cmd_timer",
    },
    {
      name: "KASAN in lockref_get under debugfs_remove",
      input: "realworld:300",
      culprit: "ieee80211_vif_update_links [mac80211]",
    },
    {
      name: "lockdep in cpus_read_lock",
      input: "realworld:302",
      culprit: "rapl_package_add_pmu [intel_rapl_common]",
    },
    {
      name: "DMA-debug check_unmap",
      input: "realworld:204",
      culprit: "ohci_enable [firewire_ohci]",
    },
    { name: "ioremap of RAM", input: "realworld:205", culprit: "efi_enter_virtual_mode" },
    {
      name: "removing sysfs files inside a sysfs store",
      input: "realworld:202",
      culprit: "cpufreq_governor_dbs [cpufreq_ondemand]",
    },
    {
      name: "list_del in a kref release callback",
      input: "realworld:312",
      culprit: "klist_dec_and_del",
    },
    {
      name: "CFI failure in kobject_put's release call",
      input: "realworld:320",
      culprit: "ext4_exit_sysfs [ext4]",
    },
    {
      name: "KASAN in remove_wait_queue",
      input: "realworld:337",
      culprit: "ep_unregister_pollwait",
    },
  ],
  doesNotFire: [
    { name: "SysRq crash", input: "realworld:405", report: 1 },
    { name: "null-argument names the caller", input: "seed:001" },
    { name: "an OOM kill", input: "realworld:208" },
  ],
});

culpritTester("only-machinery", {
  fires: [
    {
      name: "kfree's sanity BUG, caller not shown",
      input: "realworld:414",
      none: /machinery|caller/,
    },
    { name: "smp_call_function_single WARN, trace cut", input: "realworld:413" },
    { name: "native_set_pte with no trace", input: "realworld:335" },
    { name: "Xen lazy-MMU BUG_ON with no trace", input: "realworld:334" },
    { name: "BKL spinner with only '?' frames", input: "realworld:213" },
  ],
  doesNotFire: [
    { name: "amdgpu oops", input: "realworld:308" },
    { name: "lab NULL read", input: "lab:nullread" },
    { name: "KASAN with a caller", input: "realworld:300" },
  ],
});

// ---- stack rules (the verdict's `via`) -----------------------------------------------------

culpritTester("null-call-caller", {
  fires: [
    {
      name: "s390 PSW 0, Last Breaking-Event-Address",
      input: "realworld:102",
      culprit: "default_open_file",
    },
    {
      name: "arm pc 0x4, LR in the caller",
      input: "realworld:136",
      culprit: "sw_usb_host0_disable",
    },
  ],
  doesNotFire: [
    { name: "s390 fault with a real PSW symbol", input: "realworld:107" },
    { name: "arm strcmp at +0 (a real pc)", input: "realworld:116" },
    { name: "lab NULL read", input: "lab:nullread" },
  ],
});

culpritTester("header-site", {
  fires: [
    {
      name: "x86 fast refcount: 'refcount_t hit zero at f' above refcount_error_report's WARN",
      input: "realworld:224",
      culprit: "__nft_mt_tg_destroy [nft_compat]",
    },
    {
      name: "KASAN names the accessing function, no stack pasted (tempesta_fw)",
      input: "realworld:191",
      culprit: "__sched_srv [tempesta_fw]",
    },
    {
      name: "WARNING at … rtw_odm_init_ic_type [88XXau]",
      input: "realworld:419",
      culprit: "rtw_odm_init_ic_type [88XXau]",
    },
    {
      name: "WARNING at … rtw_os_ndevs_register [88XXau]",
      input: "realworld:420",
      culprit: "rtw_os_ndevs_register [88XXau]",
    },
    {
      name: "WARNING at … solo_p2m_dma() without a trace",
      input: "realworld:131",
      culprit: "solo_p2m_dma [solo6x10_edge]",
    },
    {
      name: "stack-protector: corrupted in start_kernel",
      input: "realworld:305",
      culprit: "start_kernel",
    },
  ],
  doesNotFire: [
    { name: "a WARN with a RIP line", input: "lab:warn" },
    { name: "a WARN in a checker (trace walked)", input: "realworld:204" },
    { name: "a BUG with a pc", input: "realworld:118" },
  ],
});

culpritTester("link-register", {
  fires: [
    {
      name: "strcmp at +0, LR in the caller, the paste cut before the trace",
      input: cutBefore(input("realworld:116"), "strcmp from snd_soc_lookup"),
      culprit: "snd_soc_lookup_component_nolocked",
    },
  ],
  doesNotFire: [
    { name: "the same oops with its name-only arm trace", input: "realworld:116" },
    { name: "arm64 oops with a full trace", input: "realworld:115" },
    { name: "riscv ra in the same function", input: "realworld:120" },
    { name: "kfree BUG: LR's skb_free_head is a primitive too", input: "realworld:414" },
  ],
});

culpritTester("recovered-callers", {
  fires: [
    {
      name: "RHEL unwinder prints ovs_netdev_detach_dev as '?'",
      input: "realworld:323",
      culprit: "ovs_netdev_detach_dev [openvswitch]",
    },
  ],
  doesNotFire: [
    { name: "a GPF with reliable callers", input: "lab:gpf" },
    { name: "KASAN with '?' noise", input: "realworld:300" },
    { name: "a GPF in radeon", input: "realworld:201" },
  ],
});

culpritTester("module-from-lines", {
  fires: [
    {
      name: "EIP is at … [radeon]",
      input: "realworld:200",
      culprit: "radeon_cp_init_ring_buffer [radeon]",
    },
  ],
  doesNotFire: [
    { name: "module printed on the frame", input: "lab:nullread" },
    { name: "built-in function", input: "realworld:114" },
    { name: "module from the RIP line", input: "realworld:416" },
  ],
});

// ---- modifiers on the pick ------------------------------------------------------------------

culpritTester("null-argument-caller", {
  fires: [
    {
      name: "ceph passes NULL to __free_pages",
      input: "seed:001",
      culprit: "ceph_aio_read [ceph]",
    },
    {
      name: "arm strcmp handed NULL, its caller in the name-only trace",
      input: "realworld:116",
      culprit: "snd_soc_lookup_component_nolocked",
    },
  ],
  doesNotFire: [
    { name: "r15 loaded inside the function", input: "seed:000" },
    { name: "a module's own NULL read", input: "lab:nullread" },
    { name: "s390 list_del on a freed vmemmap page: no NULL handed over", input: "realworld:100" },
  ],
});

culpritTester("crash-session-owner", {
  fires: [
    {
      name: "timer_list.function names the neighbour timer",
      input: "seed:004",
      culprit: "neigh_timer_handler",
    },
  ],
  doesNotFire: [
    { name: "a crash session without a function member", input: "seed:002" },
    { name: "a BUG_ON in a module", input: "lab:bugon" },
    { name: "a ZFS assertion", input: "realworld:402" },
  ],
});
