import { Liquid, type Template } from 'liquidjs';
import { compileOutputOnly, type OutputOnlyTemplate } from './output-only-template.js';

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

interface Parsed {
  templates: Template[];
  /** Text and simple outputs render without LiquidJS (`compileOutputOnly`). */
  outputOnly: OutputOnlyTemplate | null;
}

/**
 * Liquid for templates users write (variants, email). Templates never reach the file system
 * (`include` and `render` see an empty in-memory set) and read only own properties.
 */
export class LiquidTemplates {
  private readonly liquid: Liquid;
  private readonly parsed = new Map<string, Parsed>();

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
    const parsed = this.parse(template);
    return (
      parsed.outputOnly?.(scope) ?? (this.liquid.renderSync(parsed.templates, scope) as string)
    );
  }

  private parse(template: string): Parsed {
    let parsed = this.parsed.get(template);
    if (parsed === undefined) {
      const { escapeHtml, memoryLimit } = this.options;
      parsed = {
        templates: this.liquid.parse(template),
        outputOnly: compileOutputOnly(template, { escapeHtml, maxLength: memoryLimit }),
      };
      if (this.parsed.size >= this.options.cacheSize) this.parsed.clear();
      this.parsed.set(template, parsed);
    }
    return parsed;
  }
}
