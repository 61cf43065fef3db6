import { backoffDelay } from './backoff.js';
import type { Json } from './json.js';
import type { Decision } from './decide.js';
import type { Env, SocketLike } from './env.js';

export type DecisionListener = (decision: Decision) => void;

export interface LiveDeps {
  env: Env;
  /** ws(s)://…/v1/live?writeKey=…&anonymousId=…[&userId=…] for the current ids. */
  url(): string;
  /** What the page shows, sent with each subscribe. */
  context(): Json;
  /** Reconnect delays: the first, doubling up to the cap (ms). */
  backoff: { retryBase: number; retryMax: number };
}

/** A connection that stayed open this long resets the backoff. */
const stableMs = 10_000;
/** Close codes after which reconnecting cannot help: a bad write key, missing ids. */
const fatalCodes = [4400, 4401];
const open = 1;

/**
 * One WebSocket to /v1/live per SDK instance, open while any placement has a listener.
 * It subscribes to every placement listened to (again when one is added or removed),
 * hands each decision the server sends to that placement's listeners, and reconnects with
 * backoff when the connection drops — behind a reverse proxy, idle or restarting servers
 * close connections as a matter of course.
 */
export class Live {
  private readonly listeners = new Map<string, Set<DecisionListener>>();
  private readonly latest = new Map<string, Decision>();
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private openedAt = 0;
  private fatal = false;

  constructor(private readonly deps: LiveDeps) {}

  /** Listen to a placement; the listener also gets its latest decision if one is known. */
  on(placement: string, listener: DecisionListener): () => void {
    let set = this.listeners.get(placement);
    const added = !set;
    if (!set) this.listeners.set(placement, (set = new Set()));
    set.add(listener);
    const known = this.latest.get(placement);
    if (known)
      queueMicrotask(() => {
        if (set.has(listener)) listener(known);
      });
    if (!this.socket && this.timer === null) this.connect();
    else if (added) this.subscribe();
    return () => {
      if (!set.delete(listener) || set.size > 0) return;
      this.listeners.delete(placement);
      this.latest.delete(placement);
      if (this.listeners.size === 0) this.stop();
      else this.subscribe();
    };
  }

  /** The page changed (a single-page app navigated): subscribe again with its context. */
  refresh(): void {
    this.subscribe();
  }

  /** The visitor's ids changed (identify, reset): reconnect under the new ones. */
  restart(): void {
    this.fatal = false;
    this.latest.clear();
    this.stop();
    this.attempt = 0;
    if (this.listeners.size > 0) this.connect();
  }

  /** The network is back: skip the rest of a backoff wait. */
  retryNow(): void {
    if (this.timer === null) return;
    this.deps.env.clearTimer(this.timer);
    this.timer = null;
    this.connect();
  }

  private connect(): void {
    if (this.fatal) return;
    let socket: SocketLike;
    try {
      socket = this.deps.env.socket(this.deps.url());
    } catch (error) {
      this.deps.env.warn('live: cannot open', String(error));
      return this.reconnectLater();
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = this.deps.env.now();
      this.subscribe();
    };
    socket.onmessage = (event) => this.received(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = null;
      if (this.openedAt > 0 && this.deps.env.now() - this.openedAt >= stableMs) this.attempt = 0;
      this.openedAt = 0;
      if (fatalCodes.includes(event.code)) {
        this.fatal = true;
        this.deps.env.warn(`live: refused (${event.code}); not reconnecting`);
      } else this.reconnectLater();
    };
  }

  private reconnectLater(): void {
    if (this.listeners.size === 0) return;
    const { env, backoff } = this.deps;
    const delay = backoffDelay(this.attempt++, env.random, backoff.retryBase, backoff.retryMax);
    this.timer = env.setTimer(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private subscribe(): void {
    if (this.socket?.readyState !== open) return; // onopen subscribes
    this.socket.send(
      JSON.stringify({
        type: 'subscribe',
        placements: [...this.listeners.keys()],
        context: this.deps.context(),
      }),
    );
  }

  private received(data: unknown): void {
    let message: { type?: string; decisions?: Decision[]; code?: string; detail?: string };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'error') {
      this.deps.env.warn(`live: ${message.code}: ${message.detail}`);
      return;
    }
    if (message.type !== 'decisions' || !Array.isArray(message.decisions)) return;
    for (const decision of message.decisions) {
      const set = this.listeners.get(decision.placement);
      if (!set) continue;
      this.latest.set(decision.placement, decision);
      for (const listener of [...set]) {
        try {
          listener(decision);
        } catch (error) {
          this.deps.env.warn('live: a decision listener threw', error);
        }
      }
    }
  }

  private stop(): void {
    if (this.timer !== null) this.deps.env.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    this.openedAt = 0;
    if (socket) socket.close(1000);
  }
}
