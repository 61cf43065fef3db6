import { sortArguments, type CallOptions, type Callback } from './arguments.js';
import { ConsentStore, type ConsentChoice } from './consent.js';
import { decideContext, mergeContext, messageContext } from './context.js';
import { decide, type Decision, type Decisions } from './decide.js';
import { browserEnv } from './browser-env.js';
import type { Env } from './env.js';
import { trackForms, trackLinks, type Elements, type PerElement } from './element-tracking.js';
import { Identity, type Traits } from './identity.js';
import type { Json } from './json.js';
import { Live, type DecisionListener } from './live.js';
import { apiOrigin, defaultSettings, type LoadOptions } from './options.js';
import { Queue } from './queue.js';
import { batchBody, postBatch, type Message } from './transport.js';

/** What a call's promise resolves to: the message, and whether the server had it by then
 * (it stays queued and is retried either way). */
export interface Delivery {
  event: Message;
  delivered: boolean;
}

type Cb = Callback<Delivery>;
type Arg = Json | CallOptions | Cb | undefined;

const iso = (time: Date | string | number) => new Date(time).toISOString();

export class Attune {
  private readonly identity: Identity;
  private readonly consentStore: ConsentStore;
  private readonly live: Live;
  private writeKey = '';
  private host = '';
  private readonly options = defaultSettings();
  private queue: Queue | null = null;
  /** Calls made before load(), run once it is called. */
  private pending: (() => void)[] = [];
  private readonly waiting = new Map<string, (delivered: boolean) => void>();
  private readonly listeners = new Map<string, Set<(message: Message) => void>>();

  readonly consent = {
    /** Record the visitor's choices (merged with earlier ones); they ride on every message. */
    set: (choice: ConsentChoice, callback?: Cb): Promise<Delivery> => {
      const purposes = this.consentStore.set(choice.purposes);
      return this.track('Consent Updated', { categoryPreferences: purposes }, callback);
    },
    get: (): ConsentChoice | null => this.consentStore.get(),
  };

  /** `env` is the browser's; tests give their own. `defaultHost`: see LoadOptions.host. */
  constructor(
    private readonly env: Env = browserEnv(),
    private readonly defaultHost?: string,
  ) {
    this.identity = new Identity(env);
    this.consentStore = new ConsentStore(env);
    this.live = new Live({
      env,
      url: () => this.liveUrl(),
      context: () => decideContext(env),
      backoff: this.options, // the same object: load() may change the delays
    });
  }

  /** Start with the source's write key: sends what earlier pages left queued. */
  load(writeKey: string, options: LoadOptions = {}): this {
    if (this.queue) {
      this.env.warn('load() was already called');
      return this;
    }
    const { host, cookieDomain, ...rest } = options;
    if (cookieDomain !== undefined) {
      this.env.cookies.useDomain(cookieDomain);
      this.identity.rewriteCookies();
    }
    this.writeKey = writeKey;
    this.host = apiOrigin(host ?? this.defaultHost ?? new URL(this.env.page().url).origin);
    for (const [name, value] of Object.entries(rest))
      if (value !== undefined) Object.assign(this.options, { [name]: value });
    const url = `${this.host}/v1/batch`;
    const queue = (this.queue = new Queue(
      {
        env: this.env,
        key: `attune:queue:${writeKey}`,
        send: (batch) => postBatch(this.env, url, batchBody(batch, writeKey, iso(this.env.now()))),
        beacon: (batch) => this.env.beacon(url, batchBody(batch, writeKey, iso(this.env.now()))),
        settled: (ids, delivered) => {
          for (const id of ids) this.waiting.get(id)?.(delivered);
        },
      },
      this.options,
    ));
    this.env.on('online', () => {
      queue.retryNow();
      this.live.retryNow();
    });
    this.env.on('hide', () => queue.pageHidden());
    const pending = this.pending;
    this.pending = [];
    for (const run of pending) run();
    if (queue.read().length > 0) void queue.flush();
    return this;
  }

  /** Runs `callback` once load() was called. */
  ready(callback?: () => void): Promise<void> {
    return this.whenLoaded(async () => callback?.());
  }

  track(event: string, properties?: Arg, options?: Arg, callback?: Cb): Promise<Delivery> {
    const { objects, callback: cb } = sortArguments<Delivery>([properties, options, callback], 0);
    return this.send('track', { event, properties: objects[0] }, objects[1], cb);
  }

  identify(
    userId?: string | number | null | Traits,
    traits?: Arg,
    options?: Arg,
    callback?: Cb,
  ): Promise<Delivery> {
    const {
      names,
      objects,
      callback: cb,
    } = sortArguments<Delivery>([userId, traits, options, callback], 1);
    const previous = this.identity.userId();
    const id = names[0] ?? previous;
    const merged = this.identity.identify(id, objects[0]);
    if (id !== previous) this.live.restart();
    return this.send('identify', { userId: id, traits: merged }, objects[1], cb);
  }

  page(
    category?: string | null | Json,
    name?: string | null | Arg,
    properties?: Arg,
    options?: Arg,
    callback?: Cb,
  ): Promise<Delivery> {
    this.live.refresh(); // rules may test the page
    return this.view('page', [category, name, properties, options, callback], this.env.page());
  }

  /** A screen view (apps): like `page`, without the browser's page properties. */
  screen(
    category?: string | null | Json,
    name?: string | null | Arg,
    properties?: Arg,
    options?: Arg,
    callback?: Cb,
  ): Promise<Delivery> {
    return this.view('screen', [category, name, properties, options, callback], {});
  }

  /**
   * Calls `listener` with each message as it is made (`track`, `page`, `screen`,
   * `identify`, `group`, `alias`), e.g. to forward events elsewhere; returns the unsubscribe.
   */
  on(type: string, listener: (message: Message) => void): () => void {
    let listeners = this.listeners.get(type);
    if (listeners === undefined) this.listeners.set(type, (listeners = new Set()));
    listeners.add(listener);
    return () => this.off(type, listener);
  }

  off(type: string, listener: (message: Message) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  /**
   * With a groupId: the user joins that group, kept across pages like the user (traits of
   * the same group merge). Without arguments: the current group, `{ id(), traits() }`.
   */
  group(): { id: () => string | null; traits: () => Traits };
  group(groupId: string | number, traits?: Arg, options?: Arg, callback?: Cb): Promise<Delivery>;
  group(groupId?: string | number, traits?: Arg, options?: Arg, callback?: Cb) {
    if (groupId === undefined) {
      return { id: () => this.identity.groupId(), traits: () => this.identity.groupTraits() };
    }
    const { objects, callback: cb } = sortArguments<Delivery>([traits, options, callback], 0);
    const merged = this.identity.group(String(groupId), objects[0]);
    return this.send('group', { groupId: String(groupId), traits: merged }, objects[1], cb);
  }

  alias(to: string | number, from?: string | Arg, options?: Arg, callback?: Cb): Promise<Delivery> {
    const { names, objects, callback: cb } = sortArguments<Delivery>([from, options, callback], 1);
    const previousId = names[0] ?? this.identity.userId() ?? this.identity.anonymousId();
    return this.send('alias', { userId: String(to), previousId }, objects[0], cb);
  }

  /**
   * Tracks clicks on `links` as `event` (or the event a function names for the clicked
   * link), as analytics.js does: a link that leaves the page waits up to 300 ms for it.
   */
  trackLink(links: Elements, event: PerElement<string>, properties?: PerElement<Json | undefined>) {
    trackLinks(this.env, (name, props) => this.track(name, props), links, event, properties);
  }

  /** Tracks submissions of `forms`; the form is sent once the event is, or after 300 ms. */
  trackForm(forms: Elements, event: PerElement<string>, properties?: PerElement<Json | undefined>) {
    trackForms(this.env, (name, props) => this.track(name, props), forms, event, properties);
  }

  /** Credit a decision: the server attributes `Decision Clicked` by its decisionId. */
  decisionClicked(decision: Decision, properties?: Arg, options?: Arg, callback?: Cb) {
    const { objects, callback: cb } = sortArguments<Delivery>([properties, options, callback], 0);
    const { decisionId, placement, variantId, ruleId } = decision;
    return this.send(
      'track',
      {
        event: 'Decision Clicked',
        properties: { decisionId, placement, variantId, ruleId, ...objects[0] },
      },
      objects[1],
      cb,
    );
  }

  /** Forget the user (id, traits and group) and start a new anonymous id. Consent is kept:
   * it is the device's choice. */
  reset(): void {
    this.identity.reset();
    this.live.restart();
  }

  user() {
    return {
      id: () => this.identity.userId(),
      anonymousId: (id?: string) => {
        if (id !== undefined) {
          this.identity.setAnonymousId(id);
          this.live.restart();
        }
        return this.identity.anonymousId();
      },
      traits: () => this.identity.traits(),
    };
  }

  /** Send what is queued now. */
  flush(): Promise<void> {
    return this.whenLoaded(() => this.queue!.flush());
  }

  /**
   * What each placement should show this visitor. Resolves `{}` on any failure or after
   * `decideTimeout`, never rejects: keep the page's own content then.
   */
  decide(placements: string[], context?: Json): Promise<Decisions> {
    return this.whenLoaded(() => {
      const userId = this.identity.userId();
      return decide(
        this.env,
        `${this.host}/v1/decide`,
        {
          writeKey: this.writeKey,
          anonymousId: this.identity.anonymousId(),
          ...(userId !== null ? { userId } : {}),
          placements,
          context: mergeContext(decideContext(this.env), context),
        },
        this.options.decideTimeout,
      );
    });
  }

  /** Call `listener` with the placement's decision now and whenever it changes (live). */
  onDecision(placement: string, listener: DecisionListener): () => void {
    let off: (() => void) | undefined;
    let cancelled = false;
    void this.whenLoaded(async () => {
      if (!cancelled) off = this.live.on(placement, listener);
    });
    return () => {
      cancelled = true;
      off?.();
    };
  }

  private liveUrl(): string {
    const query = new URLSearchParams({
      writeKey: this.writeKey,
      anonymousId: this.identity.anonymousId(),
    });
    const userId = this.identity.userId();
    if (userId !== null) query.set('userId', userId);
    return `${this.host.replace(/^http/, 'ws')}/v1/live?${query}`;
  }

  private whenLoaded<T>(run: () => Promise<T>): Promise<T> {
    if (this.queue) return run();
    return new Promise((resolve) => this.pending.push(() => resolve(run())));
  }

  /**
   * A page or screen view: `(category?, name?, properties?, options?, callback?)` sorted as
   * analytics.js does; name and category go in the properties too, after `base`.
   */
  private view(type: 'page' | 'screen', args: unknown[], base: object): Promise<Delivery> {
    const { names, objects, callback: cb } = sortArguments<Delivery>(args, 2);
    const [category, name] = names[1] == null ? [null, names[0]] : names;
    const named = {
      ...(name != null ? { name } : {}),
      ...(category != null ? { category } : {}),
    };
    return this.send(
      type,
      { ...named, properties: { ...base, ...named, ...objects[0] } },
      objects[1],
      cb,
    );
  }

  private send(type: string, fields: Json, options: CallOptions, callback?: Cb) {
    const { env, identity } = this;
    const userId = 'userId' in fields ? fields['userId'] : identity.userId();
    const message: Message = {
      ...fields,
      type,
      messageId: options.messageId ?? env.uuid(),
      timestamp: iso(options.timestamp ?? env.now()),
      anonymousId: options.anonymousId ?? identity.anonymousId(),
      context: mergeContext(
        { ...messageContext(env), ...this.consentStore.context() },
        options.context,
      ),
      ...(options.integrations ? { integrations: options.integrations } : {}),
    };
    if (userId == null) delete message['userId'];
    else message['userId'] = userId;
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        listener(message);
      } catch (error) {
        env.warn('a listener threw', error);
      }
    }
    return this.whenLoaded(
      () =>
        new Promise<Delivery>((resolve) => {
          const done = (delivered: boolean) => {
            env.clearTimer(timer);
            this.waiting.delete(message.messageId);
            const delivery = { event: message, delivered };
            resolve(delivery);
            try {
              callback?.(delivery);
            } catch (error) {
              env.warn('a callback threw', error);
            }
          };
          const timer = env.setTimer(() => done(false), this.options.callbackTimeout);
          this.waiting.set(message.messageId, done);
          this.queue!.push(message);
        }),
    );
  }
}
