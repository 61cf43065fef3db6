/**
 * Realistic Segment batches for the ingest benchmark: 100 messages of about 500 bytes, mixed
 * track / page / identify from an online shop, sent by ~100k distinct users.
 *
 * Every messageId is UUID-shaped and its last group (12 hex digits) is left as a slot
 * (`slotMarker`): the load generator writes the request number there, so no two requests
 * ever carry the same messageId even when the pool of bodies is reused many times.
 */
import { Random } from './random.js';

export const messagesPerBatch = 100;
export const distinctUsers = 100_000;
export const slotWidth = 12;
export const slotMarker = 'Z'.repeat(slotWidth);

interface Product {
  product_id: string;
  sku: string;
  name: string;
  brand: string;
  price: number;
  slug: string;
}

interface Page {
  path: string;
  title: string;
  product?: Product;
}

const shop = 'https://shop.example.com';
const brands = ['Northwind', 'Alpenglow', 'Trailhead', 'Basecamp'];
const categories = ['Footwear', 'Jackets', 'Camping', 'Accessories', 'Climbing'];
const items = ['Running Shoe', 'Rain Jacket', 'Tent', 'Head Lamp', 'Harness', 'Wool Socks'];
const colours = ['Blue', 'Black', 'Forest', 'Sand', 'Red'];
const firstNames = ['Ann', 'Ben', 'Chloé', 'Dario', 'Emma', 'Farid', 'Greta', 'Hiro', 'Ines'];
const lastNames = ['Schmidt', 'Garcia', 'Okafor', 'Nguyen', 'Rossi', 'Dubois', 'Kowalski'];
const referrers = ['https://www.google.com/', 'https://www.instagram.com/', '', shop + '/'];
const userAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const browserLibrary = { name: 'analytics.js', version: '1.70.0' };
const serverLibrary = { name: '@segment/analytics-node', version: '3.1.0' };

function catalogue(random: Random): Product[] {
  return Array.from({ length: 60 }, (_, i) => {
    const name = `${random.pick(colours)} ${random.pick(items)}`;
    const slug = `${name.toLowerCase().replaceAll(' ', '-')}-${i}`;
    return {
      product_id: `prod_${(1000 + i).toString(36)}`,
      sku: `SKU-${String(40_000 + i * 37)}`,
      name,
      brand: random.pick(brands),
      price: Math.round((9 + random.next() * 240) * 100) / 100,
      slug,
    };
  });
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Generates batch bodies; the same seed gives the same bodies. */
export class BatchGenerator {
  private readonly random: Random;
  private readonly products: Product[];
  private readonly pages: Page[];
  private readonly seed: number;
  /** Every messageId prefix handed out, to guarantee they are distinct. */
  private readonly prefixes = new Set<string>();

  constructor(seed: number) {
    this.seed = seed;
    this.random = new Random(seed);
    this.products = catalogue(this.random);
    this.pages = [
      { path: '/', title: 'Outdoor gear | Example Shop' },
      { path: '/cart', title: 'Your cart | Example Shop' },
      { path: '/checkout', title: 'Checkout | Example Shop' },
      ...categories.map((c) => ({
        path: `/collections/${c.toLowerCase()}`,
        title: `${c} | Example Shop`,
      })),
      ...this.products.map((p) => ({
        path: `/products/${p.slug}`,
        title: `${p.name} | Example Shop`,
        product: p,
      })),
    ];
  }

  /** One request body: `{"batch":[…100 messages],"sentAt":…}` as JSON text. */
  batch(sentAt: Date): string {
    const batch = Array.from({ length: messagesPerBatch }, () => this.message(sentAt));
    return JSON.stringify({ batch, sentAt: sentAt.toISOString() });
  }

  private message(sentAt: Date): Record<string, unknown> {
    const r = this.random;
    const user = r.int(distinctUsers);
    const common = {
      messageId: this.messageId(),
      ...this.identity(user, r.next() < 0.7),
      timestamp: new Date(sentAt.getTime() - r.int(20_000)).toISOString(),
    };
    const roll = r.next();
    if (roll < 0.15) return { ...common, ...this.identity(user, true), ...this.identify(user) };
    if (roll < 0.45) return { ...common, ...this.page(user) };
    if (roll < 0.9) return { ...common, ...this.productEvent(user) };
    return { ...common, ...this.orderCompleted(user) };
  }

  private messageId(): string {
    for (;;) {
      const id = this.random.uuid();
      const prefix = id.slice(0, id.length - slotWidth);
      if (this.prefixes.has(prefix)) continue;
      this.prefixes.add(prefix);
      return prefix + slotMarker;
    }
  }

  private identity(user: number, known: boolean): Record<string, string> {
    // The anonymousId is a stable function of the user, like a long-lived browser cookie.
    const anonymousId = new Random(user * 2_654_435_761 + this.seed).uuid();
    return known ? { anonymousId, userId: userIdOf(user) } : { anonymousId };
  }

  private browserContext(user: number, page: Page): Record<string, unknown> {
    return {
      library: browserLibrary,
      ip: ipOf(user),
      userAgent: userAgents[user % userAgents.length],
      page: { path: page.path, referrer: referrers[user % referrers.length] },
    };
  }

  private identify(user: number): Record<string, unknown> {
    const first = firstNames[user % firstNames.length] ?? 'Ann';
    const last = lastNames[Math.floor(user / firstNames.length) % lastNames.length] ?? 'Smith';
    return {
      type: 'identify',
      traits: {
        email: `${first.toLowerCase()}.${last.toLowerCase()}.${user}@example.com`,
        name: `${first} ${last}`,
        plan: user % 5 === 0 ? 'member' : 'guest',
      },
      context: this.browserContext(user, this.pages[0]!),
    };
  }

  private page(user: number): Record<string, unknown> {
    const page = this.random.pick(this.pages);
    return {
      type: 'page',
      name: page.product === undefined ? page.title.split(' | ')[0] : 'Product',
      properties: { path: page.path, title: page.title },
      context: this.browserContext(user, page),
    };
  }

  private productEvent(user: number): Record<string, unknown> {
    const product = this.random.pick(this.products);
    const added = this.random.next() < 0.35;
    const page = { path: `/products/${product.slug}`, title: `${product.name} | Example Shop` };
    const { product_id, name, price } = product;
    return {
      type: 'track',
      event: added ? 'Product Added' : 'Product Viewed',
      properties: {
        product_id,
        name,
        price,
        currency: 'USD',
        ...(added ? { quantity: 1 + this.random.int(2) } : {}),
      },
      context: this.browserContext(user, page),
    };
  }

  private orderCompleted(user: number): Record<string, unknown> {
    const r = this.random;
    const products = Array.from({ length: 1 + r.int(2) }, () => {
      const { product_id, sku, name, price } = r.pick(this.products);
      return { product_id, sku, name, price, quantity: 1 };
    });
    const subtotal = products.reduce((sum, p) => sum + p.price * p.quantity, 0);
    return {
      type: 'track',
      event: 'Order Completed',
      properties: {
        order_id: `ord_${r.hex(10)}`,
        revenue: round2(subtotal),
        tax: round2(subtotal * 0.08),
        shipping: 4.95,
        currency: 'USD',
        products,
      },
      // Orders are reported by the shop's backend, not the browser.
      context: { library: serverLibrary, ip: ipOf(user) },
    };
  }
}

function userIdOf(user: number): string {
  return `user_${String(user).padStart(6, '0')}`;
}

function ipOf(user: number): string {
  return `${(user % 200) + 20}.${(user >> 3) % 256}.${(user >> 7) % 256}.${(user % 253) + 1}`;
}
