import type { SqliteDatabase } from './open-database.js';

/** Rows per multi-row statement: past about 64 the gain flattens (measured: 16 → 64 → 200). */
const defaultBlockRows = 64;

/**
 * Inserts many rows with one statement per block of rows. Each `run` has a fixed cost
 * (binding, statement reset, the call into SQLite) that a single-row insert pays per row;
 * for the processor's membership changes that was about a third of their cost.
 * Rows are inserted in the order given (an AUTOINCREMENT key follows it).
 */
export class BatchedInsert {
  private readonly one;
  private readonly block;
  private readonly args: unknown[] = [];

  /**
   * `head` is `INSERT INTO t (a, b, …) VALUES`, `width` the number of columns, `tail`
   * what follows the values (an ON CONFLICT clause).
   */
  constructor(
    db: SqliteDatabase,
    head: string,
    private readonly width: number,
    tail = '',
    private readonly blockRows = defaultBlockRows,
  ) {
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    this.one = db.prepare(`${head} ${row} ${tail}`);
    this.block = db.prepare(
      `${head} ${Array.from({ length: blockRows }, () => row).join(', ')} ${tail}`,
    );
  }

  /** Inserts `values.length / width` rows, their columns one after another. */
  run(values: readonly unknown[]): void {
    const { width, blockRows, args } = this;
    if (values.length % width !== 0)
      throw new Error(`${values.length} values are not whole rows of ${width}`);
    const blockValues = width * blockRows;
    let at = 0;
    for (; at + blockValues <= values.length; at += blockValues) {
      args.length = 0;
      for (let i = at; i < at + blockValues; i++) args.push(values[i]);
      this.block.run(args);
    }
    for (; at < values.length; at += width) this.one.run(values.slice(at, at + width));
  }
}
