import { parseIsoTimestamp } from '../ingest/iso-timestamp.js';
import { parseDateWithFormat } from './date-format.js';

/**
 * How CSV rows become Segment messages. Values name columns. With `order`, consecutive rows
 * sharing an order id become one `Order Completed` (or `Order Refunded`) event with
 * `products[]` and `revenue` = Σ quantity × price — the shape of transaction exports.
 */
export interface CsvMapping {
  /**
   * Event name — fixed, or taken from a column through a table (rows whose value is not in
   * the table are rejected). Rows become track events; without it, identify calls.
   */
  event?: string | { column: string; names: Record<string, string> };
  userId?: string;
  anonymousId?: string;
  email?: string;
  phone?: string;
  timestamp?: { column: string; format?: string };
  traits?: Record<string, string>;
  properties?: Record<string, string>;
  /** Columns whose values are numbers. */
  numbers?: string[];
  order?: {
    idColumn: string;
    quantityColumn: string;
    priceColumn: string;
    product?: Record<string, string>;
    /** Rows matching this become `Order Refunded` (e.g. cancelled invoices). */
    refundWhen?: { column: string; startsWith: string };
  };
}

export type Row = Record<string, string>;

export type MappedRow =
  { ok: true; message: Record<string, unknown> } | { ok: false; reason: string };

/** One row (or one order's rows) as a message, or why not. */
export function mapRows(rows: Row[], mapping: CsvMapping): MappedRow {
  const first = rows[0];
  if (first === undefined) return { ok: false, reason: 'no rows' };
  const cell = (column: string | undefined): string | undefined => {
    if (column === undefined) return undefined;
    const value = first[column]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const userId = cell(mapping.userId);
  const anonymousId = cell(mapping.anonymousId);
  const email = cell(mapping.email);
  const phone = cell(mapping.phone);
  if (userId === undefined && anonymousId === undefined) {
    if (email === undefined && phone === undefined)
      return {
        ok: false,
        reason: `no user id${mapping.anonymousId ? ' or anonymous id' : ''} (${mapping.userId ?? mapping.anonymousId ?? 'unmapped'} is empty)`,
      };
  }
  const message: Record<string, unknown> = {};
  if (userId !== undefined) message['userId'] = userId;
  if (anonymousId !== undefined) message['anonymousId'] = anonymousId;
  // Rows identified only by email or phone still need an id for the Segment spec.
  if (userId === undefined && anonymousId === undefined)
    message['anonymousId'] = `${email !== undefined ? 'email' : 'phone'}:${email ?? phone}`;

  if (mapping.timestamp !== undefined) {
    const text = cell(mapping.timestamp.column);
    const time =
      text === undefined
        ? null
        : mapping.timestamp.format
          ? parseDateWithFormat(text, mapping.timestamp.format)
          : parseIsoTimestamp(text);
    if (time === null)
      return {
        ok: false,
        reason: `${mapping.timestamp.column} is not a date${mapping.timestamp.format ? ` in ${mapping.timestamp.format}` : ''}: ${JSON.stringify(text ?? '')}`,
      };
    message['timestamp'] = new Date(time).toISOString();
  }

  const numbers = new Set(mapping.numbers ?? []);
  const read = (
    columns: Record<string, string> | undefined,
    row: Row,
  ): Record<string, unknown> | string => {
    const out: Record<string, unknown> = {};
    for (const [name, column] of Object.entries(columns ?? {})) {
      const raw = row[column]?.trim();
      if (raw === undefined || raw === '') continue;
      if (numbers.has(column)) {
        const n = Number(raw);
        if (!Number.isFinite(n)) return `${column} is not a number: ${JSON.stringify(raw)}`;
        out[name] = n;
      } else out[name] = raw;
    }
    return out;
  };

  const traits = read(mapping.traits, first);
  if (typeof traits === 'string') return { ok: false, reason: traits };
  if (email !== undefined) traits['email'] = email;
  if (phone !== undefined) traits['phone'] = phone;
  const properties = read(mapping.properties, first);
  if (typeof properties === 'string') return { ok: false, reason: properties };

  if (mapping.event === undefined && mapping.order === undefined) {
    return { ok: true, message: { type: 'identify', ...message, traits } };
  }
  if (Object.keys(traits).length > 0) message['context'] = { traits };

  if (mapping.order !== undefined) {
    const order = mapping.order;
    const products: Record<string, unknown>[] = [];
    let revenue = 0;
    for (const row of rows) {
      const quantity = Number(row[order.quantityColumn]);
      const price = Number(row[order.priceColumn]);
      if (!Number.isFinite(quantity) || !Number.isFinite(price)) {
        return {
          ok: false,
          reason: `${order.quantityColumn}/${order.priceColumn} are not numbers: ${JSON.stringify(row[order.quantityColumn])}, ${JSON.stringify(row[order.priceColumn])}`,
        };
      }
      const product = read(order.product, row);
      if (typeof product === 'string') return { ok: false, reason: product };
      products.push({ ...product, quantity, price });
      revenue += quantity * price;
    }
    const refund =
      order.refundWhen !== undefined &&
      (first[order.refundWhen.column] ?? '').startsWith(order.refundWhen.startsWith);
    return {
      ok: true,
      message: {
        type: 'track',
        event: refund
          ? 'Order Refunded'
          : typeof mapping.event === 'string'
            ? mapping.event
            : 'Order Completed',
        ...message,
        properties: {
          ...properties,
          order_id: first[order.idColumn],
          products,
          revenue: Math.round(revenue * 100) / 100,
        },
      },
    };
  }
  let event = mapping.event;
  if (typeof event === 'object') {
    const value = first[event.column]?.trim() ?? '';
    const name = event.names[value];
    if (name === undefined)
      return {
        ok: false,
        reason: `${event.column} ${JSON.stringify(value)} has no event name in the mapping`,
      };
    event = name;
  }
  return { ok: true, message: { type: 'track', event, ...message, properties } };
}
