import { Liquid, type Template } from 'liquidjs';

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
 * Liquid for variants. Templates never reach the file system (`include` and `render` see an
 * empty in-memory set), output is HTML-escaped unless a template says `| raw` (traits come
 * from visitors), and a render is cut off after `renderLimitMs`. Parsed templates are kept
 * by their text.
 */
export class VariantRenderer {
  private readonly liquid: Liquid;
  private readonly parsed = new Map<string, Template[]>();

  constructor(renderLimitMs = 50) {
    this.liquid = new Liquid({
      templates: {},
      relativeReference: false,
      outputEscape: 'escape',
      ownPropertyOnly: true,
      parseLimit: 100_000,
      renderLimit: renderLimitMs,
      memoryLimit: 10_000_000,
    });
  }

  /** The parse error of a template, or null when it parses. */
  problemOf(template: string): string | null {
    try {
      this.parse(template);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  render(template: string, scope: RenderScope): string {
    return this.liquid.renderSync(this.parse(template), scope) as string;
  }

  private parse(template: string): Template[] {
    let parsed = this.parsed.get(template);
    if (parsed === undefined) {
      parsed = this.liquid.parse(template);
      if (this.parsed.size >= 10_000) this.parsed.clear();
      this.parsed.set(template, parsed);
    }
    return parsed;
  }
}
