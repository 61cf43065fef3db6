import type {
  CookieJar,
  Env,
  HttpRequest,
  HttpResponse,
  KeyValue,
  PageFacts,
  SocketLike,
} from './env.js';

/** A Map behind the KeyValue interface, for localStorage and cookies in Node tests. */
export class MemoryStore implements KeyValue {
  readonly map = new Map<string, string>();
  get(key: string) {
    return this.map.get(key) ?? null;
  }
  set(key: string, value: string) {
    this.map.set(key, value);
  }
  remove(key: string) {
    this.map.delete(key);
  }
}

/** MemoryStore as cookies, remembering the domain the SDK asked for. */
export class MemoryCookies extends MemoryStore implements CookieJar {
  domain: string | undefined;
  useDomain(domain: string | undefined) {
    this.domain = domain;
  }
}

export interface SentRequest extends HttpRequest {
  url: string;
  json: Record<string, unknown>;
}

export type Responder = (request: SentRequest) => Promise<HttpResponse> | HttpResponse;

export const reply = (
  status: number,
  body: unknown = { success: true },
  headers: Record<string, string> = {},
): HttpResponse => ({
  status,
  headers: { get: (name) => headers[name.toLowerCase()] ?? null },
  text: async () => JSON.stringify(body),
});

/** A socket the test drives: it records what the SDK sent and plays the server. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  /** Server side: */
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/**
 * An Env with memory storage and cookies, a fake clock whose timers run only when the test
 * advances it, a scripted fetch, beacons and sockets that are recorded.
 */
export class TestEnv implements Env {
  storage = new MemoryStore();
  cookies = new MemoryCookies();
  clock = Date.parse('2026-11-23T10:00:00.000Z');
  private timers: { id: number; at: number; run: () => void }[] = [];
  private nextTimer = 1;
  private ids = 0;
  readonly requests: SentRequest[] = [];
  readonly beacons: { url: string; body: string }[] = [];
  readonly sockets: FakeSocket[] = [];
  readonly warnings: string[] = [];
  readonly navigations: string[] = [];
  private readonly listeners: Record<string, (() => void)[]> = {};
  beaconAccepts = true;
  responder: Responder = () => reply(200);
  currentPage: PageFacts = {
    url: 'https://shop.example/products?utm_source=news&utm_campaign=winter',
    path: '/products',
    search: '?utm_source=news&utm_campaign=winter',
    referrer: 'https://search.example/',
    title: 'Products',
  };
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36';
  locale: string | undefined = 'de-DE';
  timezone: string | undefined = 'Europe/Berlin';
  gpc = false;

  now = () => this.clock;
  random = () => 0.5;
  uuid = () => `00000000-0000-4000-8000-${String(++this.ids).padStart(12, '0')}`;
  setTimer = (run: () => void, ms: number) => {
    const id = this.nextTimer++;
    this.timers.push({ id, at: this.clock + ms, run });
    return id;
  };
  clearTimer = (id: unknown) => {
    this.timers = this.timers.filter((timer) => timer.id !== id);
  };
  fetch = async (url: string, request: HttpRequest) => {
    const sent = { ...request, url, json: JSON.parse(request.body) as Record<string, unknown> };
    this.requests.push(sent);
    return this.responder(sent);
  };
  beacon = (url: string, body: string) => {
    if (!this.beaconAccepts) return false;
    this.beacons.push({ url, body });
    return true;
  };
  socket = (url: string) => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };
  page = () => this.currentPage;
  navigate = (url: string) => {
    this.navigations.push(url);
  };
  on = (event: 'online' | 'hide', listener: () => void) => {
    (this.listeners[event] ??= []).push(listener);
  };
  warn = (...args: unknown[]) => {
    this.warnings.push(args.map(String).join(' '));
  };

  emit(event: 'online' | 'hide') {
    for (const listener of this.listeners[event] ?? []) listener();
  }

  /** Pending timers, soonest first: [ms from now]. */
  pendingTimers(): number[] {
    return this.timers.map((timer) => timer.at - this.clock).sort((a, b) => a - b);
  }

  /** Moves the clock, running due timers in order and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const until = this.clock + ms;
    await settle();
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.at <= until)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.clock = due.at;
      due.run();
      await settle();
    }
    this.clock = until;
  }

  /** The messages of every batch request so far, in order. */
  sentMessages(): Record<string, unknown>[] {
    return this.requests.flatMap((r) => (r.json['batch'] as Record<string, unknown>[]) ?? []);
  }
}

/** Lets pending promise chains (fetch → outcome → storage) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
