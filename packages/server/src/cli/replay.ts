import { loadConfig } from '../config/config.js';
import { environment } from '../config/environment.js';
import { replay } from '../replay.js';

export async function replayCommand(flags: { dataDir?: string }): Promise<void> {
  const config = loadConfig({ env: environment(), flags });
  process.stderr.write(`rebuilding derived state from the log in ${config.dataDir}…\n`);
  const result = await replay(config, (p) => {
    const percent = p.total === 0 ? 100 : Math.min(100, (100 * p.processed) / p.total);
    process.stderr.write(
      `\r  ${p.processed.toLocaleString('en-US')} events (${percent.toFixed(0)}%), ${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s   `,
    );
  });
  process.stderr.write(`\ndone: ${result.processed.toLocaleString('en-US')} events replayed\n`);
}
