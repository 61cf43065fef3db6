import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/server/src/cli/main.ts', import.meta.url));

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** Everything the process printed to stdout so far. */
  output(): string;
  exited: Promise<number | null>;
  /** Graceful stop (SIGTERM) and wait. */
  stop(): Promise<void>;
}

/** Runs the real CLI (`attune …`) from the TypeScript sources. */
export function runCli(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    env: { ...process.env, ATTUNE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts `attune serve` on a free port and resolves once it listens. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const proc = runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', ...env });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)),
      30_000,
    );
    const check = (): void => {
      const m = /Attune is listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return {
    url,
    proc,
    output: () => stdout,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
