/** Numbers as the CLI prints them: 12,345. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `[#########...........]  45%` for a fraction from 0 to 1. */
export function progressBar(fraction: number, width = 20): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled).padEnd(width, '.')}] ${(clamped * 100).toFixed(0).padStart(3)}%`;
}

/** Writes a status line that redraws itself in place (carriage return, no newline). */
export class ProgressLine {
  private width = 0;

  constructor(private readonly out: { write(text: string): unknown }) {}

  update(text: string): void {
    // Pad over what a longer previous line left behind.
    this.out.write(`\r${text.padEnd(this.width)}`);
    this.width = Math.max(this.width, text.length);
  }

  /** Ends the line (only if one was drawn). */
  end(): void {
    if (this.width > 0) this.out.write('\n');
    this.width = 0;
  }
}
