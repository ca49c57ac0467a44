#!/usr/bin/env node
// Before the conformance tests: refuses at once when the shared artifacts are not beside the
// repository, then installs the peer tools the tests compare against, from Debian's
// packages, when they are missing: a comparison is never skipped because a tool is absent.
// Installing needs root; another apt holding the dpkg lock is waited for, not failed on.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const shared = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared");
if (!existsSync(join(shared, "lab")) || !existsSync(join(shared, "corpus"))) {
  console.error(
    `test-deps: the conformance tests need the shared artifacts at ${shared} (lab dumps,\n` +
      "corpora, seed write-ups) beside the repository; they are not there, so nothing was run.",
  );
  process.exit(1);
}

/** what the conformance tests run, a shell check that it is there, and its Debian package */
const PEERS = [
  { name: "vmcore-dmesg", check: "command -v vmcore-dmesg", pkg: "kexec-tools" },
  { name: "makedumpfile", check: "command -v makedumpfile", pkg: "makedumpfile" },
  // real liblzo, for our LZO1X encoder's output (Debian's python, not a pyenv one)
  { name: "python3-lzo", check: "/usr/bin/python3 -c 'import lzo'", pkg: "python3-lzo" },
  // struct layouts from the dump's BTF, compared member by member with our BTF reader
  { name: "pahole", check: "command -v pahole", pkg: "dwarves" },
  // the fleet store's second implementation: each test starts a private cluster on loopback
  { name: "postgresql", check: "ls /usr/lib/postgresql/*/bin/initdb", pkg: "postgresql" },
  // the web UI's tests drive Debian's chromium with playwright-core (never a downloaded browser)
  { name: "chromium", check: "command -v chromium", pkg: "chromium" },
];
/** how long apt waits for another apt's lock, in seconds */
const LOCK_WAIT = 600;
const ATTEMPTS = 3;

const has = (check) => spawnSync("sh", ["-c", check], { stdio: "ignore" }).status === 0;
const apt = (...args) =>
  spawnSync("apt-get", ["-o", `DPkg::Lock::Timeout=${LOCK_WAIT}`, ...args], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status === 0;
const sleep = (seconds) => spawnSync("sleep", [String(seconds)]);

const missing = PEERS.filter((peer) => !has(peer.check));
if (missing.length > 0) {
  const packages = missing.map((peer) => peer.pkg);
  if (process.getuid?.() !== 0) {
    console.error(
      `test-deps: the conformance tests need ${missing.map((peer) => peer.name).join(", ")}; ` +
        `install them as root: apt-get install ${packages.join(" ")}`,
    );
    process.exit(1);
  }
  console.error(`test-deps: apt-get install ${packages.join(" ")}`);
  let ok = false;
  // an old package index cannot find current versions: refresh it and retry; the lists lock
  // is not covered by DPkg::Lock::Timeout, so a busy apt is retried after a pause
  for (let attempt = 1; attempt <= ATTEMPTS && !ok; attempt++) {
    ok = apt("install", "-y", ...packages) || (apt("update") && apt("install", "-y", ...packages));
    if (!ok && attempt < ATTEMPTS) sleep(20);
  }
  const still = missing.filter((peer) => !has(peer.check)).map((peer) => peer.name);
  if (!ok || still.length > 0) {
    console.error(
      `test-deps: could not install ${packages.join(", ")} (${still.join(", ")} missing)`,
    );
    process.exit(1);
  }
}
