import { escapePointer } from '@attune/engine';
import type { JsonSchemaDocument, TrackingPlan, TrackingPlanMode } from '@attune/contracts';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default import is module.exports, which carries `.default`.
const addFormats = addFormatsModule.default;

/** A tracking plan ready for the write path: one validator per schema. */
export interface CompiledPlan {
  mode: TrackingPlanMode;
  events: Map<string, ValidateFunction>;
  pages: Map<string, ValidateFunction>;
  screens: Map<string, ValidateFunction>;
  identifyTraits: ValidateFunction | undefined;
}

export type CompileResult =
  { ok: true; plan: CompiledPlan } | { ok: false; field: string; detail: string };

/**
 * Compiles every schema of a plan (JSON Schema draft-07, with formats such as email and
 * date-time). A schema that cannot be compiled — unknown keyword, bad `$ref`, invalid
 * regular expression — fails the whole plan, named by its JSON pointer in the plan.
 */
export function compileTrackingPlan(plan: TrackingPlan): CompileResult {
  // One Ajv per plan: schemas may carry `$id`s, which must be unique within an instance.
  // Unknown keywords fail (a typo such as `requried` would otherwise check nothing); the
  // stricter style rules (e.g. `required` naming undeclared properties) do not.
  const ajv = new Ajv({
    allErrors: true,
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
  });
  addFormats(ajv);
  const compiled: CompiledPlan = {
    mode: plan.mode,
    events: new Map(),
    pages: new Map(),
    screens: new Map(),
    identifyTraits: undefined,
  };
  const groups = [
    ['events', plan.events, compiled.events],
    ['pages', plan.pages, compiled.pages],
    ['screens', plan.screens, compiled.screens],
  ] as const;
  for (const [group, schemas, into] of groups) {
    for (const [name, schema] of Object.entries(schemas ?? {})) {
      const result = compileOne(ajv, schema, `/${group}/${escapePointer(name)}`);
      if (!result.ok) return result;
      into.set(name, result.validate);
    }
  }
  if (plan.identifyTraits !== undefined) {
    const result = compileOne(ajv, plan.identifyTraits, '/identifyTraits');
    if (!result.ok) return result;
    compiled.identifyTraits = result.validate;
  }
  return { ok: true, plan: compiled };
}

function compileOne(
  ajv: Ajv,
  schema: JsonSchemaDocument,
  field: string,
): { ok: true; validate: ValidateFunction } | { ok: false; field: string; detail: string } {
  try {
    // The plan is stored as JSON: a schema nested too deeply to serialize (a stack
    // overflow, e.g. in a `default` Ajv never walks) is refused here, with its field.
    JSON.stringify(schema);
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, field, detail: `The schema at ${field} cannot be used: ${reason}` };
  }
}
