import { LiquidTemplates } from '../../platform/liquid-templates.js';

/** What a variant's template sees. */
export interface RenderScope {
  traits: Readonly<Record<string, unknown>>;
  computed: Readonly<Record<string, unknown>>;
  /** Ids of the segments the profile is a member of. */
  segments: readonly string[];
  stage: string | null;
  context: Readonly<Record<string, unknown>>;
}

/**
 * Liquid for variants: output is HTML-escaped unless a template says `| raw` (traits come
 * from visitors), and a render is cut off after `renderLimitMs`.
 */
export class VariantRenderer extends LiquidTemplates {
  constructor(renderLimitMs = 50) {
    super({
      escapeHtml: true,
      renderLimitMs,
      parseLimit: 100_000,
      memoryLimit: 10_000_000,
      cacheSize: 10_000,
    });
  }

  override render(template: string, scope: RenderScope): string {
    return super.render(template, scope);
  }
}
