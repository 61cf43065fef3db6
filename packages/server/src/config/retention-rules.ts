import { RetentionRule } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config.js';

/** The retention rules of the `ATTUNE_RETENTION_FILE` (none when unset); bad files stop the start. */
export function retentionRulesOf(config: Pick<Config, 'retention'>): RetentionRule[] {
  const file = config.retention.file;
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `ATTUNE_RETENTION_FILE: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  const problems = [...Value.Errors(Type.Array(RetentionRule), parsed)].map(
    (e) => `${file}: ${e.path === '' ? '(top level)' : e.path}: ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed as RetentionRule[];
}
