import { Liquid, type Template } from 'liquidjs';

export interface LiquidOptions {
  /** HTML-escape every output unless a template says `| raw` (for HTML built from traits). */
  escapeHtml: boolean;
  /** A render is cut off after this long. */
  renderLimitMs: number;
  parseLimit: number;
  memoryLimit: number;
  /** Parsed templates kept by their text; the set starts over when full. */
  cacheSize: number;
}

/**
 * Liquid for templates users write (variants, email). Templates never reach the file system
 * (`include` and `render` see an empty in-memory set) and read only own properties.
 */
export class LiquidTemplates {
  private readonly liquid: Liquid;
  private readonly parsed = new Map<string, Template[]>();

  constructor(private readonly options: LiquidOptions) {
    this.liquid = new Liquid({
      templates: {},
      relativeReference: false,
      ...(options.escapeHtml && { outputEscape: 'escape' }),
      ownPropertyOnly: true,
      parseLimit: options.parseLimit,
      renderLimit: options.renderLimitMs,
      memoryLimit: options.memoryLimit,
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

  render(template: string, scope: object): string {
    return this.liquid.renderSync(this.parse(template), scope) as string;
  }

  private parse(template: string): Template[] {
    let parsed = this.parsed.get(template);
    if (parsed === undefined) {
      parsed = this.liquid.parse(template);
      if (this.parsed.size >= this.options.cacheSize) this.parsed.clear();
      this.parsed.set(template, parsed);
    }
    return parsed;
  }
}
