import type { CookieJar, Env, KeyValue, SocketLike } from './env.js';
import { uuid } from './uuid.js';

const year = 31_536_000;

/** localStorage with a memory fallback: access may throw (blocked storage) and writes may
 * fail (quota); either way the SDK keeps working for this page. */
function localStore(): KeyValue {
  const memory = new Map<string, string>();
  let store: Storage | null = null;
  try {
    store = window.localStorage;
  } catch {
    // blocked: memory only
  }
  return {
    get: (key) => {
      const value = memory.get(key);
      if (value !== undefined) return value;
      try {
        return store?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        store!.setItem(key, value);
        memory.delete(key);
      } catch {
        memory.set(key, value);
      }
    },
    remove: (key) => {
      memory.delete(key);
      try {
        store?.removeItem(key);
      } catch {
        // nothing stored there to remove
      }
    },
  };
}

/** A `document.cookie` assignment: path=/, SameSite=Lax, Secure on https, the domain if any. */
export function cookieText(
  key: string,
  value: string,
  maxAge: number,
  secure: boolean,
  domain?: string,
): string {
  return (
    `${key}=${encodeURIComponent(value)}; path=/; max-age=${maxAge}; SameSite=Lax` +
    (domain === undefined ? '' : `; domain=${domain}`) +
    (secure ? '; Secure' : '')
  );
}

export function cookieJar(doc: { cookie: string }, secure: () => boolean): CookieJar {
  let domain: string | undefined;
  // `scope` is explicit: undefined means host-only, not "the current domain".
  const write = (key: string, value: string, maxAge: number, scope: string | undefined) => {
    doc.cookie = cookieText(key, value, maxAge, secure(), scope);
  };
  return {
    get: (key) => {
      for (const part of doc.cookie.split('; ')) {
        const at = part.indexOf('=');
        if (part.slice(0, at) === key) {
          try {
            return decodeURIComponent(part.slice(at + 1));
          } catch {
            return null;
          }
        }
      }
      return null;
    },
    set: (key, value) => {
      // A host-only cookie of the same name would shadow the domain one when read.
      if (domain !== undefined) write(key, '', 0, undefined);
      write(key, value, year, domain);
    },
    remove: (key) => {
      write(key, '', 0, undefined);
      if (domain !== undefined) write(key, '', 0, domain);
    },
    useDomain: (next) => {
      domain = next;
    },
  };
}

export function browserEnv(): Env {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  let timezone: string | undefined;
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    // no Intl time zones
  }
  return {
    storage: localStore(),
    cookies: cookieJar(document, () => location.protocol === 'https:'),
    now: () => Date.now(),
    setTimer: (run, ms) => setTimeout(run, ms),
    clearTimer: (id) => clearTimeout(id as number),
    random: Math.random,
    uuid: () => uuid(window.crypto),
    fetch: (url, request) => fetch(url, request),
    // sendBeacon where it exists and takes the body, else a keepalive fetch (same 64 KB
    // budget; refused ones fail quietly, and their messages stay queued).
    beacon: (url, body) => {
      try {
        if (typeof nav.sendBeacon === 'function' && nav.sendBeacon(url, body)) return true;
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body,
          keepalive: true,
        }).catch(() => undefined);
        return true;
      } catch {
        return false;
      }
    },
    // A WebSocket is a SocketLike; its handlers' DOM event types are only narrower.
    socket: (url) => new WebSocket(url) as unknown as SocketLike,
    page: () => ({
      url: location.href.split('#')[0]!,
      path: location.pathname,
      search: location.search,
      referrer: document.referrer,
      title: document.title,
    }),
    navigate: (url) => {
      location.href = url;
    },
    userAgent: nav.userAgent,
    locale: nav.language,
    timezone,
    gpc: nav.globalPrivacyControl === true,
    on: (event, listener) => {
      if (event === 'online') return addEventListener('online', listener);
      addEventListener('pagehide', listener);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') listener();
      });
    },
    warn: (...args) => console.warn('[attune]', ...args),
  };
}
