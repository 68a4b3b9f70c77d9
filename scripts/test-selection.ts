// Which test files can run for the current user. Tests that create network namespaces and
// install iptables/nftables rules, or mount a filesystem, need root (CAP_NET_ADMIN and
// CAP_SYS_ADMIN); for any other user they are left out and listed with the reason, instead of
// failing.

export interface RootOnly {
  /** A folder (ending in /) or a file, relative to the repository root. */
  readonly path: string;
  readonly reason: string;
}

export const ROOT_ONLY: readonly RootOnly[] = [
  {
    path: 'test/netns/',
    reason: 'creates network namespaces and installs iptables/nftables rules (needs root)',
  },
  {
    path: 'test/integration/snapshot-disk-full.test.ts',
    reason: 'mounts a small tmpfs to fill it up (needs root)',
  },
];

export interface Selection {
  readonly run: string[];
  readonly notRun: Array<{ file: string; reason: string }>;
}

export function selectTests(files: readonly string[], root: boolean): Selection {
  const run: string[] = [];
  const notRun: Array<{ file: string; reason: string }> = [];
  for (const file of files) {
    const normalised = file.replace(/^\.\//, '');
    const rule = ROOT_ONLY.find((r) =>
      r.path.endsWith('/') ? normalised.startsWith(r.path) : normalised === r.path,
    );
    if (rule !== undefined && !root) notRun.push({ file, reason: rule.reason });
    else run.push(file);
  }
  return { run, notRun };
}
