/**
 * The report builder's line handlers on real excerpts: a pc printed in two halves, and a
 * module list the console wrapped. Lines are quoted from satyr's kernel-oops corpus
 * (abrt/satyr tests/kerneloopses) and testdata/realworld.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseText } from "../parse.js";

const realworld = (name: string) =>
  readFileSync(new URL(`../../../testdata/realworld/${name}`, import.meta.url), "utf8");

describe("the pc printed in two halves", () => {
  it("i386: the address on 'EIP: 0060:[<…>]', the function on 'EIP is at' (rhbz-865695-0)", () => {
    const report = parseText(
      [
        "kernel BUG at include/net/cfg80211.h:2473!",
        "invalid opcode: 0000 [#1] SMP ",
        "Pid: 598, comm: wpa_supplicant Tainted: P         C O 3.6.1-1.fc17.i686.PAE #1 Hewlett-Packard HP Mini 110-1100/308F",
        "EIP: 0060:[<f8e40765>] EFLAGS: 00210246 CPU: 1",
        "EIP is at wdev_priv.part.8+0x3/0x5 [wl]",
        "EAX: 00000000 EBX: f3cf6120 ECX: f8fc05a0 EDX: f3e16400",
      ].join("\n"),
    ).reports[0];
    assert.equal(report?.arch, "i386");
    assert.equal(report?.ip?.symbol, "wdev_priv.part.8");
    assert.equal(report?.ip?.module, "wl");
    assert.equal(report?.ip?.address, "0xf8e40765");
    // the evidence for the function is the line naming it; the address keeps its own line
    assert.equal(report?.sourceLines.ip, 5);
    assert.equal(report?.sourceLines["ip.address"], 4);
  });

  it("arm: 'PC is at' names the function, 'pc : [<…>]' gives its address (116, 6.15)", () => {
    const report = parseText(realworld("116-arm32-orangepi-strcmp-null-asoc.txt")).reports[0];
    assert.equal(report?.ip?.symbol, "strcmp");
    assert.equal(report?.ip?.address, "0xc08bf8e4");
  });

  it("a second pc line naming another place does not overwrite the first", () => {
    const report = parseText(
      [
        "kernel BUG at include/net/cfg80211.h:2473!",
        "invalid opcode: 0000 [#1] SMP ",
        "EIP: 0060:[<f8e40765>] EFLAGS: 00210246 CPU: 1",
        "EIP is at wdev_priv.part.8+0x3/0x5 [wl]",
        "EIP: [<f8e40765>] wdev_priv.part.8+0x3/0x5 [wl] SS:ESP 0068:f180dbf8",
      ].join("\n"),
    ).reports[0];
    assert.equal(report?.ip?.symbol, "wdev_priv.part.8");
    assert.equal(report?.sourceLines.ip, 4);
  });
});

describe("a module list the console wrapped", () => {
  // rhbz-1518943 (5.3.6-300.fc31.x86_64): 86 names, then " pinctrl_amd" on a line of its own
  const list =
    "Modules linked in: fuse ip6t_REJECT nf_reject_ipv6 ip6t_rpfilter ipt_REJECT nf_reject_ip" +
    "v4 xt_conntrack ebtable_nat ebtable_broute ip6table_nat ip6table_mangle ip6table_raw ip6" +
    "table_security iptable_nat nf_nat iptable_mangle iptable_raw iptable_security nf_conntra" +
    "ck nf_defrag_ipv6 nf_defrag_ipv4 libcrc32c ip_set nfnetlink ebtable_filter ebtables ip6t" +
    "able_filter ip6_tables iptable_filter sunrpc vfat fat squashfs zstd_decompress loop edac" +
    "_mce_amd kvm_amd snd_hda_codec_generic ledtrig_audio snd_hda_codec_hdmi snd_hda_intel sn" +
    "d_hda_codec snd_hda_core snd_hwdep kvm snd_seq snd_seq_device irqbypass snd_pcm eeepc_wm" +
    "i asus_wmi sparse_keymap snd_timer rfkill crct10dif_pclmul raid1 crc32_pclmul joydev vid" +
    "eo snd wmi_bmof ghash_clmulni_intel sp5100_tco k10temp ccp i2c_piix4 soundcore gpio_amdp" +
    "t gpio_generic acpi_cpufreq binfmt_misc ip_tables hid_logitech_hidpp amdgpu amd_iommu_v2" +
    " gpu_sched i2c_algo_bit ttm drm_kms_helper drm uas crc32c_intel r8169 usb_storage hid_lo" +
    "gitech_dj wmi" +
    "";
  const head = [
    "BUG: kernel NULL pointer dereference, address: 0000000000000008",
    "#PF: supervisor read access in kernel mode",
    "#PF: error_code(0x0000) - not-present page",
    "Oops: 0000 [#1] SMP NOPTI",
    "RIP: 0010:amdgpu_vm_sdma_commit+0x46/0x120 [amdgpu]",
    "R13: 000000000000000b R14: 0000000000000002 R15: 00005653a61e5a40",
  ];

  it("takes a lone name on the next line as the list's tail", () => {
    const report = parseText([...head, list, " pinctrl_amd", "CR2: 0000000000000008"].join("\n"))
      .reports[0];
    assert.equal(report?.modules.length, 87);
    assert.equal(report?.modules.at(-1)?.name, "pinctrl_amd");
  });

  it("not when another line came between", () => {
    const report = parseText([...head, list, "CR2: 0000000000000008", " pinctrl_amd"].join("\n"))
      .reports[0];
    assert.equal(report?.modules.length, 86);
  });
});
