/**
 * What the hostile tests need from the operating system: memory of a process, a second pid
 * namespace, and a file system whose fsync really fails. Linux only; each says why it cannot run.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../cli/cliProcess';

/** Resident memory of a process, in bytes (VmRSS of /proc/PID/status). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's resident memory every 100 ms until stopped; returns the highest seen. */
export function sampleResidentPeak(pid: number): { stop(): number } {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, residentBytes(pid));
    } catch {
      // The process is gone; the peak so far stands.
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

export const MiB = 1024 * 1024;

/** Established TCP connections whose local end is `port` on IPv4: the sockets a listener holds. */
export function establishedConnections(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '01';
    }).length;
}

/** Why this process cannot run privileged system tests, or undefined when it can. */
export function whyNotPrivileged(tools: readonly string[]): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

/** A `minidote serve` in a new pid namespace, in its own process group (kill the group). */
export interface NamespacedServe {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the ready line's URL, or rejects with stderr if serve exits first. */
  readonly ready: Promise<string>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

export function serveInNewPidNamespace(args: readonly string[]): NamespacedServe {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d;
      const match = /listening on (ws:\/\/\S+)\n/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    exited,
    ready,
    stderr: () => stderr,
    kill: (signal) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * An ext4 file system on a loop device whose backing file lives on a small tmpfs. Once `fill`
 * has filled that tmpfs, writes still land in the page cache and succeed, but writeback fails:
 * fsync then really returns an error (ENOSPC or EIO), as on a thin-provisioned or failing disk.
 */
export class FailingDisk {
  private constructor(
    private readonly root: string,
    private readonly loop: string,
    readonly mountPoint: string,
  ) {}

  static create(root: string): FailingDisk {
    const backing = path.join(root, 'backing');
    const mountPoint = path.join(root, 'mnt');
    mkdirSync(backing);
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', backing]);
    let loop = '';
    try {
      const image = path.join(backing, 'disk.img');
      execFileSync('truncate', ['-s', '64M', image]);
      execFileSync('mkfs.ext4', ['-q', '-F', image]);
      loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
      execFileSync('mount', [loop, mountPoint]);
    } catch (error) {
      if (loop) spawnSync('losetup', ['-d', loop]);
      spawnSync('umount', [backing]);
      throw error;
    }
    return new FailingDisk(root, loop, mountPoint);
  }

  /** Fills the tmpfs under the image: from now on, writeback to the disk fails. */
  fill(): void {
    spawnSync('dd', ['if=/dev/zero', `of=${path.join(this.root, 'backing', 'filler')}`, 'bs=1M'], { stdio: 'ignore' });
  }

  dispose(): void {
    spawnSync('umount', ['-l', this.mountPoint]);
    spawnSync('losetup', ['-d', this.loop]);
    spawnSync('umount', ['-l', path.join(this.root, 'backing')]);
  }
}
