/**
 * Realistic Segment batches: 100 messages of ~500 bytes, mixed track/identify/page, from
 * ~100k distinct users. Each body is a Buffer template whose messageIds carry a fixed-width
 * slot; `stamp` writes a request number into every slot, so each request is unique (Attune
 * would otherwise deduplicate it and skip the storage work) at the cost of a memcpy.
 */
import { randomUUID } from 'node:crypto';

export const messagesPerBatch = 100;
const slotWidth = 12;
const slotMarker = 'X'.repeat(slotWidth);

const products = ['Blue running shoe', 'Trail jacket', 'Wool socks', 'Camping stove', 'Head lamp'];
const pages = ['/products/p-1', '/collections/outdoor', '/cart', '/checkout', '/'];

function message(i: number, now: number): Record<string, unknown> {
  const userNumber = (i * 7919) % 100_000;
  const identity = i % 4 === 0 ? { anonymousId: randomUUID() } : { userId: `user-${userNumber}` };
  const page = pages[i % pages.length] as string;
  const common = {
    messageId: `${slotMarker}-${randomUUID()}`,
    ...identity,
    timestamp: new Date(now - (i % 1000)).toISOString(),
    context: {
      library: { name: 'analytics-node', version: '3.1.0' },
      ip: `203.0.113.${i % 250}`,
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0',
      page: { path: page, url: `https://shop.example.com${page}` },
    },
  };
  switch (i % 3) {
    case 0: {
      const name = products[i % products.length] as string;
      return i % 9 === 0
        ? {
            ...common,
            type: 'track',
            event: 'Order Completed',
            properties: {
              order_id: `o-${i}`,
              revenue: 59.9,
              currency: 'EUR',
              products: [{ product_id: `p-${i % 500}`, name, price: 59.9, quantity: 1 }],
            },
          }
        : {
            ...common,
            type: 'track',
            event: i % 2 === 0 ? 'Product Viewed' : 'Product Added',
            properties: { product_id: `p-${i % 500}`, name, price: 19.99, currency: 'EUR' },
          };
    }
    case 1:
      return {
        ...common,
        type: 'identify',
        traits: {
          email: `user-${userNumber}@example.com`,
          name: `User ${userNumber}`,
          plan: 'member',
        },
      };
    default:
      return {
        ...common,
        type: 'page',
        name: 'Product',
        properties: { path: page, title: 'Outdoor shop' },
      };
  }
}

export interface BodyTemplate {
  body: Buffer;
  /** Byte positions of the messageId slots. */
  slots: number[];
}

export function makeTemplates(count: number): BodyTemplate[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, t) => {
    const batch = Array.from({ length: messagesPerBatch }, (_, i) =>
      message(t * messagesPerBatch + i, now),
    );
    const body = Buffer.from(JSON.stringify({ batch, sentAt: new Date(now).toISOString() }));
    const slots: number[] = [];
    for (let at = body.indexOf(slotMarker); at >= 0; at = body.indexOf(slotMarker, at + slotWidth))
      slots.push(at);
    return { body, slots };
  });
}

/** A copy of the template whose messageIds all carry the request number. */
export function stamp(template: BodyTemplate, requestNumber: number): Buffer {
  const copy = Buffer.from(template.body);
  const text = requestNumber.toString(36).padStart(slotWidth, '0');
  for (const at of template.slots) copy.write(text, at, 'latin1');
  return copy;
}
