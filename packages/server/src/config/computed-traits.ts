import { ComputedTraitsFileSchema } from '@attune/contracts';
import { rfmDefinitions, type ComputedTraitDefinition } from '@attune/engine';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config.js';

/**
 * The computed traits in force: the built-in RFM aggregates, then the user's from the
 * `ATTUNE_COMPUTED_TRAITS` file. A bad file stops the start with every problem listed.
 */
export function computedTraitsOf(config: Pick<Config, 'profiles'>): ComputedTraitDefinition[] {
  const file = config.profiles.computedTraitsFile;
  if (file === undefined) return [...rfmDefinitions];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `ATTUNE_COMPUTED_TRAITS: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  const problems = [...Value.Errors(ComputedTraitsFileSchema, parsed)].map(
    (e) => `${file}: ${e.path === '' ? '(top level)' : e.path}: ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const definitions = parsed as ComputedTraitDefinition[];
  const taken = new Set(rfmDefinitions.map((d) => d.name));
  definitions.forEach((definition, index) => {
    if (taken.has(definition.name)) {
      problems.push(
        `${file}: /${index}/name: "${definition.name}" is already defined (built-in or earlier in the file)`,
      );
    }
    taken.add(definition.name);
    const needsProperty = definition.function !== 'count';
    if (needsProperty && definition.property === undefined) {
      problems.push(`${file}: /${index}/property: ${definition.function} needs a property`);
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return [...rfmDefinitions, ...definitions];
}
