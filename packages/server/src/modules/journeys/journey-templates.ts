import { LiquidTemplates, type LiquidOptions } from '../../platform/liquid-templates.js';

const limits: Omit<LiquidOptions, 'escapeHtml'> = {
  renderLimitMs: 200,
  parseLimit: 200_000,
  memoryLimit: 20_000_000,
  cacheSize: 1000,
};

/**
 * Liquid for email subjects and bodies: HTML bodies escape every output unless a template
 * says `| raw` (traits come from visitors); subjects and text bodies are not HTML.
 */
export class JourneyTemplates {
  private readonly html = new LiquidTemplates({ ...limits, escapeHtml: true });
  private readonly plain = new LiquidTemplates({ ...limits, escapeHtml: false });

  /** The parse error of a template, or null when it parses. */
  problemOf(template: string): string | null {
    return this.plain.problemOf(template);
  }

  render(template: string, scope: object, kind: 'html' | 'plain'): string {
    return (kind === 'html' ? this.html : this.plain).render(template, scope);
  }
}
