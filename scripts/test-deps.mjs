#!/usr/bin/env node
// Installs the peer tools that tests compare against, from Debian's packages, when they are
// missing: tests never skip a comparison because a tool is absent. Needs root (CI is root).
import { spawnSync } from "node:child_process";

/** command the tests run → the Debian package that provides it */
const PEERS = [["vmcore-dmesg", "kexec-tools"]];

const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const apt = (...args) =>
  spawnSync("apt-get", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status === 0;

const missing = PEERS.filter(([command]) => !has(command));
if (missing.length > 0) {
  const packages = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0) {
    console.error(`test-deps: missing ${packages.join(", ")}; run as root or apt-get install them`);
    process.exit(1);
  }
  console.error(`test-deps: apt-get install ${packages.join(" ")}`);
  // an old package index cannot find current versions: refresh it once and retry
  const ok =
    apt("install", "-y", ...packages) || (apt("update") && apt("install", "-y", ...packages));
  const still = missing.filter(([command]) => !has(command)).map(([command]) => command);
  if (!ok || still.length > 0) {
    console.error(
      `test-deps: could not install ${packages.join(", ")} (${still.join(", ")} missing)`,
    );
    process.exit(1);
  }
}
