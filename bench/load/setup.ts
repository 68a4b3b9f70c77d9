// What the load benchmark needs on the machine, and installing it on a fresh Debian machine:
// the missing packages only, with apt-get as argv, and only as root (otherwise it says what to
// run). Debian's knot and unbound packages start their own services on port 53; the benchmark
// never uses those, only the copies it starts itself on free loopback ports.

import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Executable → the Debian package that ships it. */
const NEEDED: ReadonlyArray<readonly [string, string]> = [
  ['/usr/sbin/knotd', 'knot'],
  ['/usr/sbin/knotc', 'knot'],
  ['/usr/sbin/unbound', 'unbound'],
  ['/usr/sbin/dnsmasq', 'dnsmasq-base'],
  ['/usr/bin/dnsperf', 'dnsperf'],
  ['/usr/bin/taskset', 'util-linux'],
  ['/usr/bin/getconf', 'libc-bin'],
  ['/usr/bin/xz', 'xz-utils'],
  ['/usr/bin/sha256sum', 'coreutils'],
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian packages whose executables are missing here. */
export function missingPackages(): string[] {
  return [...new Set(NEEDED.filter(([path]) => !executable(path)).map(([, pkg]) => pkg))];
}

/** Installs what is missing (root only); throws with the command to run otherwise. */
export function ensurePackages(log: (s: string) => void): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}: run \`sudo ${install.join(' ')}\` first`);
  }
  log(`installing ${missing.join(', ')} (${install.join(' ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env, timeout: 300_000 });
  execFileSync(install[0] as string, install.slice(1), { stdio: 'inherit', env, timeout: 600_000 });
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}
