/**
 * What the SDK takes from the browser. Every module receives it instead of reaching for
 * globals, so the queue, identity, consent and live logic run in Node tests with an
 * in-memory store and a fake clock (`memoryEnv` in env.fixture.ts).
 */
export interface KeyValue {
  get: (key: string) => string | null;
  set: (key: string, value: string) => void;
  remove: (key: string) => void;
}

/** First-party cookies; `useDomain` scopes later writes (e.g. `example.com` for every
 * subdomain), undefined keeps them host-only. */
export interface CookieJar extends KeyValue {
  useDomain: (domain: string | undefined) => void;
}

/** The part of a fetch Response the SDK reads. */
export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  keepalive?: boolean;
  signal?: AbortSignal;
}

/** The part of a WebSocket the live connection uses (the DOM WebSocket fits). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

/** What the page looks like now: read at each message, since single-page apps navigate. */
export interface PageFacts {
  url: string;
  path: string;
  search: string;
  referrer: string;
  title: string;
}

export interface Env {
  /** localStorage, or memory where it is unavailable (private modes, sandboxed frames). */
  storage: KeyValue;
  /** First-party cookies: path=/, one year, SameSite=Lax. */
  cookies: CookieJar;
  now: () => number;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (id: unknown) => void;
  random: () => number;
  uuid: () => string;
  fetch: (url: string, request: HttpRequest) => Promise<HttpResponse>;
  /** navigator.sendBeacon with a text body (text/plain, no preflight); false when refused. */
  beacon: (url: string, body: string) => boolean;
  socket: (url: string) => SocketLike;
  page: () => PageFacts;
  userAgent: string;
  locale: string | undefined;
  timezone: string | undefined;
  /** navigator.globalPrivacyControl === true */
  gpc: boolean;
  /** Goes to a URL in this tab (a tracked link's, once its event is sent). */
  navigate: (url: string) => void;
  /** The browser came back online / the page is being hidden or left. */
  on: (event: 'online' | 'hide', listener: () => void) => void;
  warn: (...args: unknown[]) => void;
}
