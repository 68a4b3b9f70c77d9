// Runs dig / kdig against a loopback server and parses their text output into a structured
// result. Both tools print the same record lines; they differ in header, EDNS and footer
// lines, which the parser recognises in either spelling. When a tool retries over TCP after a
// truncated UDP reply, the result describes the last message printed.

import { execFile } from 'node:child_process';
import { assertLoopback } from './ports.ts';

export interface DigRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  /** Rdata as the tool prints it (fields joined by single spaces). */
  data: string;
}

export interface DigEdns {
  present: boolean;
  version: number | undefined;
  udpSize: number | undefined;
  /** EDNS flags as printed, lower case (`['do']`). */
  flags: string[];
  do: boolean;
  /** Option lines (NSID, COOKIE, EDE, ...), without the leading semicolons. */
  options: string[];
}

export interface DigResult {
  /** Rcode name (`NOERROR`, `NXDOMAIN`, ...); undefined when no reply was parsed. */
  status: string | undefined;
  opcode: string | undefined;
  id: number | undefined;
  /** Header flags, lower case (`['qr', 'aa', 'rd']`). */
  flags: string[];
  counts: { query: number; answer: number; authority: number; additional: number };
  question: { name: string; class: string; type: string }[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  edns: DigEdns;
  /** Transport of the printed reply, from the SERVER / From footer. */
  transport: 'UDP' | 'TCP' | undefined;
  msgSize: number | undefined;
  /** The tool saw TC=1 over UDP and retried over TCP. */
  truncatedRetry: boolean;
  /** Timeout or connection error text, when the tool reported one. */
  error: string | undefined;
  exitCode: number;
  raw: string;
  stderr: string;
}

type Section = 'none' | 'opt' | 'question' | 'answer' | 'authority' | 'additional';

const SECTION_HEADERS: Record<string, Section> = {
  'OPT PSEUDOSECTION': 'opt',
  'EDNS PSEUDOSECTION': 'opt',
  'QUESTION SECTION': 'question',
  'ANSWER SECTION': 'answer',
  'AUTHORITY SECTION': 'authority',
  'ADDITIONAL SECTION': 'additional',
};

const RECORD_LINE = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/;
const ERROR_LINE =
  /(communications error|connection timed out|no servers could be reached|connection refused|failed to query server|^;; ERROR)/i;

function emptyResult(raw: string, stderr: string, exitCode: number): DigResult {
  return {
    status: undefined,
    opcode: undefined,
    id: undefined,
    flags: [],
    counts: { query: 0, answer: 0, authority: 0, additional: 0 },
    question: [],
    answer: [],
    authority: [],
    additional: [],
    edns: {
      present: false,
      version: undefined,
      udpSize: undefined,
      flags: [],
      do: false,
      options: [],
    },
    transport: undefined,
    msgSize: undefined,
    truncatedRetry: false,
    error: undefined,
    exitCode,
    raw,
    stderr,
  };
}

/** Parses dig or kdig output (default multi-section format, not +short / +json / +multiline). */
export function parseDigOutput(raw: string, stderr = '', exitCode = 0): DigResult {
  let r = emptyResult(raw, stderr, exitCode);
  let section: Section = 'none';
  const truncated = /truncated, retrying|truncated reply/i.test(`${raw}\n${stderr}`);
  for (const line of raw.split('\n')) {
    const header = /->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)/.exec(line);
    if (header) {
      // A new message (e.g. the TCP retry): start over, keeping what spans messages.
      r = emptyResult(raw, stderr, exitCode);
      r.opcode = header[1];
      r.status = header[2];
      r.id = Number(header[3]);
      section = 'none';
      continue;
    }
    const flags =
      /^;; [Ff]lags:([^;]*); QUERY: (\d+)[,;] ANSWER: (\d+)[,;] AUTHORITY: (\d+)[,;] ADDITIONAL: (\d+)/.exec(
        line,
      );
    if (flags) {
      r.flags = (flags[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((f) => f.toLowerCase());
      r.counts = {
        query: Number(flags[2]),
        answer: Number(flags[3]),
        authority: Number(flags[4]),
        additional: Number(flags[5]),
      };
      continue;
    }
    const sectionHeader = /^;; ([A-Z ]+):\s*$/.exec(line);
    const named = sectionHeader ? SECTION_HEADERS[sectionHeader[1] ?? ''] : undefined;
    if (named !== undefined) {
      section = named;
      if (named === 'opt') r.edns.present = true;
      continue;
    }
    if (line.trim() === '') {
      if (section !== 'opt') section = 'none';
      continue;
    }
    const size = /^;; (?:MSG SIZE\s+rcvd: (\d+)|Received (\d+) B)/.exec(line);
    if (size) {
      r.msgSize = Number(size[1] ?? size[2]);
      continue;
    }
    const server = /^;; (?:SERVER: .*\((UDP|TCP)\)|From \S+?\((UDP|TCP)\))/.exec(line);
    if (server) {
      r.transport = (server[1] ?? server[2]) === 'TCP' ? 'TCP' : 'UDP';
      continue;
    }
    if (ERROR_LINE.test(line)) {
      r.error = line.replace(/^;+\s*/, '');
      continue;
    }
    if (section === 'opt') parseEdnsLine(r.edns, line);
    else if (section === 'question') {
      const parts = line
        .replace(/^;+\s*/, '')
        .trim()
        .split(/\s+/);
      if (parts.length >= 3)
        r.question.push({ name: parts[0] ?? '', class: parts[1] ?? '', type: parts[2] ?? '' });
    } else if (section !== 'none' && !line.startsWith(';')) {
      const m = RECORD_LINE.exec(line);
      if (m)
        r[section].push({
          name: m[1] ?? '',
          ttl: Number(m[2]),
          class: m[3] ?? '',
          type: m[4] ?? '',
          data: (m[5] ?? '').trim(),
        });
    }
  }
  if (r.error === undefined) {
    const err = [...raw.split('\n'), ...stderr.split('\n')].find((l) => ERROR_LINE.test(l));
    if (err !== undefined && r.status === undefined) r.error = err.replace(/^;+\s*/, '');
  }
  r.truncatedRetry = truncated;
  return r;
}

/** dig: `; EDNS: version: 0, flags: do; udp: 1232`; kdig: `;; Version: 0; flags: do; UDP size: 1232 B; ...`. */
function parseEdnsLine(edns: DigEdns, line: string): void {
  const text = line.replace(/^;+\s*/, '');
  const version = /^(?:EDNS: version|Version): (\d+)/.exec(text);
  if (!version) {
    edns.options.push(text);
    return;
  }
  edns.version = Number(version[1]);
  const flags = /flags:([^;]*)/.exec(text);
  edns.flags = (flags?.[1] ?? '')
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((f) => f.toLowerCase());
  edns.do = edns.flags.includes('do');
  const udp = /(?:udp|UDP size): (\d+)/.exec(text);
  edns.udpSize = udp ? Number(udp[1]) : undefined;
}

function checkServers(args: readonly string[]): void {
  const servers = args.filter((a) => a.startsWith('@')).map((a) => a.slice(1));
  // Without @server the tools would ask the machine's resolver: never allowed here.
  if (servers.length === 0)
    throw new Error('dig/kdig needs an explicit @127.0.0.1 (or @::1) server');
  for (const s of servers) assertLoopback(s);
}

function run(bin: string, args: readonly string[], timeoutMs: number): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${bin} failed: ${err.message}\n${stderr}`));
        return;
      }
      const code = err && typeof err.code === 'number' ? err.code : 0;
      resolve(parseDigOutput(stdout, stderr, code));
    });
  });
}

/**
 * Runs `/usr/bin/dig -r +tries=1 +time=2 <args>` (no ~/.digrc; later args override these).
 * `args` must name a loopback server, e.g. `['@127.0.0.1', '-p', '5353', 'name', 'A']`.
 */
export async function dig(
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<DigResult> {
  checkServers(args);
  return run('/usr/bin/dig', ['-r', '+tries=1', '+time=2', ...args], opts.timeoutMs ?? 10_000);
}

/** Runs `/usr/bin/kdig +retry=0 +time=2 <args>`; same rules as `dig`. */
export async function kdig(
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<DigResult> {
  checkServers(args);
  return run('/usr/bin/kdig', ['+retry=0', '+time=2', ...args], opts.timeoutMs ?? 10_000);
}
