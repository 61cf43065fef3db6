/**
 * Child processes of the benchmark: spawn a node process, wait for a line it prints, stop it.
 * Every child is tracked and killed when the benchmark exits, however it exits (normal end,
 * thrown error, SIGINT/SIGTERM); cleanup hooks (temp dirs) run then too.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<NodeChild>();
const cleanups: (() => void)[] = [];
const outputLimit = 64 * 1024;

export class NodeChild {
  readonly exited: Promise<Exit>;
  private stdout = '';
  private tail = '';
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    running.add(this);
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
      });
    });
    const collect = (isStdout: boolean) => (chunk: Buffer) => {
      const text = chunk.toString();
      if (isStdout && this.stdout.length < outputLimit) this.stdout += text;
      this.tail = (this.tail + text).slice(-outputLimit);
      for (const listener of this.listeners) listener();
    };
    process.stdout?.on('data', collect(true));
    process.stderr?.on('data', collect(false));
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.process.pid;
  }

  get isRunning(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The last output (stdout and stderr), for error messages. */
  output(): string {
    return this.tail;
  }

  /** Resolves with the match once stdout matches; rejects if the child exits or times out. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    let listener = (): void => {};
    try {
      return await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(this.failure(`did not print ${String(pattern)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        listener = () => {
          const match = pattern.exec(this.stdout);
          if (match === null) return;
          clearTimeout(timer);
          resolve(match);
        };
        this.listeners.add(listener);
        listener();
        void this.exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(this.failure(`exited (code ${code}, signal ${signal}) before it was ready`));
        });
      });
    } finally {
      this.listeners.delete(listener);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (this.isRunning) this.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.isRunning) this.process.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  failure(what: string): Error {
    const output = this.tail.trim();
    return new Error(
      `${this.name} ${what}${output === '' ? '' : `\n--- ${this.name} output ---\n${output}`}`,
    );
  }
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Open an IPC channel (`process.send` in the child). */
  ipc?: boolean;
}

/** Spawns `node …args` with the benchmark's environment plus `options.env`. */
export function startNode(name: string, args: string[], options: StartOptions = {}): NodeChild {
  const child = spawn(process.execPath, args, {
    env: { ...inheritedEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc === true ? ['ipc' as const] : [])],
  });
  return new NodeChild(name, child);
}

/** The environment children inherit: without ATTUNE_* settings of the shell that ran us. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('ATTUNE_')) env[key] = value;
  }
  return env;
}

/** Runs `fn` when the benchmark exits (after its children are killed). */
export function onExit(fn: () => void): void {
  cleanups.push(fn);
}

let installed = false;

/** Kill every child (and run the cleanups) on exit, SIGINT and SIGTERM. Call once. */
export function killChildrenOnExit(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const child of running) if (child.isRunning) child.process.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // best effort: the process is exiting
      }
    }
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench:ingest: ${signal}, stopping the servers and load generator\n`);
      process.exit(code);
    });
  }
}
