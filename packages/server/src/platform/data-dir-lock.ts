import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Directories locked by this process (the pid file alone cannot tell a restart from a twin). */
const lockedHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `Another Attune (pid ${pid}) is already serving ${dataDir}; one server per data directory (the log has a single writer).`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * One server per data directory: the log writer's dedup index assumes it sees every append.
 * The lock is a pid file; a lock left by a process that no longer runs is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  if (lockedHere.has(dir)) throw new DataDirInUseError(dataDir, process.pid);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'server.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      lockedHere.add(dir);
      return () => {
        lockedHere.delete(dir);
        rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      // Our own pid in the file is a leftover of an earlier run that had it (containers
      // restart as pid 1), since this process has not locked the directory.
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new DataDirInUseError(dataDir, holder);
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
