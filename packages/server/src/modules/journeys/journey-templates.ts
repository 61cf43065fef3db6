import { Liquid, type Template } from 'liquidjs';

/**
 * Liquid for email subjects and bodies. Templates never reach the file system; HTML bodies
 * escape every output unless a template says `| raw` (traits come from visitors), subjects
 * and text bodies do not (they are not HTML). Parsed templates are kept by their text.
 */
export class JourneyTemplates {
  private readonly html: Liquid;
  private readonly plain: Liquid;
  private readonly parsed = new Map<string, Template[]>();

  constructor(renderLimitMs = 200) {
    const options = {
      templates: {},
      relativeReference: false,
      ownPropertyOnly: true,
      parseLimit: 200_000,
      renderLimit: renderLimitMs,
      memoryLimit: 20_000_000,
    };
    this.html = new Liquid({ ...options, outputEscape: 'escape' });
    this.plain = new Liquid(options);
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

  render(template: string, scope: object, kind: 'html' | 'plain'): string {
    const liquid = kind === 'html' ? this.html : this.plain;
    return liquid.renderSync(this.parse(template), scope) as string;
  }

  private parse(template: string): Template[] {
    let parsed = this.parsed.get(template);
    if (parsed === undefined) {
      parsed = this.plain.parse(template);
      if (this.parsed.size >= 1000) this.parsed.clear();
      this.parsed.set(template, parsed);
    }
    return parsed;
  }
}
