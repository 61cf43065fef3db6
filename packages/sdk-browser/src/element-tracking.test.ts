import { beforeEach, describe, expect, it } from 'vitest';
import { Attune } from './attune.js';
import type { DomEventLike, TrackedElement } from './element-tracking.js';
import { reply, TestEnv } from './env.fixture.js';

/** An element with attributes whose listeners the test fires, as the DOM would. */
class FakeElement implements TrackedElement {
  private readonly listeners: Record<string, ((event: DomEventLike) => void)[]> = {};
  submitted = 0;
  submit?: () => void;

  constructor(
    private readonly attributes: Record<string, string> = {},
    form = false,
  ) {
    if (form) this.submit = () => void this.submitted++;
  }
  addEventListener(type: string, listener: (event: DomEventLike) => void) {
    (this.listeners[type] ??= []).push(listener);
  }
  getAttribute(name: string) {
    return this.attributes[name] ?? null;
  }
  /** Fires `type`; returns whether a listener prevented the default action. */
  fire(type: string, init: Partial<DomEventLike> = {}): boolean {
    let prevented = init.defaultPrevented ?? false;
    const event: DomEventLike = {
      ...init,
      preventDefault: () => {
        prevented = true;
      },
      get defaultPrevented() {
        return prevented;
      },
    };
    for (const listener of this.listeners[type] ?? []) listener(event);
    return prevented;
  }
}

let env: TestEnv;
let attune: Attune;

beforeEach(() => {
  env = new TestEnv();
  attune = new Attune(env).load('wk_test', { host: 'https://cdp.example/' });
});

describe('trackLink', () => {
  it('tracks the click and follows the link once the event is sent', async () => {
    const link = new FakeElement({ href: '/tents' });
    attune.trackLink(link, 'Link Clicked', { to: 'tents' });
    expect(link.fire('click')).toBe(true);
    await env.advance(199);
    expect(env.navigations).toEqual([]);
    await env.advance(1); // the queue's 200 ms flush: delivered, so no need to wait longer
    expect(env.navigations).toEqual(['/tents']);
    expect(env.sentMessages()).toMatchObject([
      { type: 'track', event: 'Link Clicked', properties: { to: 'tents' } },
    ]);
  });

  it('follows the link after 300 ms when the server does not answer, and keeps the event', async () => {
    env.responder = () => new Promise(() => {});
    const link = new FakeElement({ href: 'https://elsewhere.example/' });
    attune.trackLink(link, 'Link Clicked');
    link.fire('click');
    await env.advance(299);
    expect(env.navigations).toEqual([]);
    await env.advance(1);
    expect(env.navigations).toEqual(['https://elsewhere.example/']);
    // Not delivered: it stays queued (sent again later or by the page-hide beacon).
    env.emit('hide');
    expect(env.beacons.map((b) => JSON.parse(b.body) as object)).toMatchObject([
      { batch: [{ event: 'Link Clicked' }] },
    ]);
  });

  it('names the event and properties from the clicked element when given functions', async () => {
    const links = [
      new FakeElement({ href: '/a', id: 'a' }),
      new FakeElement({ href: '/b', id: 'b' }),
    ];
    attune.trackLink(
      links,
      (el) => `Clicked ${el.getAttribute('id')}`,
      (el) => ({ href: el.getAttribute('href') }),
    );
    links[1]!.fire('click');
    await env.advance(300);
    expect(env.sentMessages()).toMatchObject([{ event: 'Clicked b', properties: { href: '/b' } }]);
    expect(env.navigations).toEqual(['/b']);
  });

  it.each([
    ['target=_blank', { href: '/x', target: '_blank' }, {}],
    ['a modifier key', { href: '/x' }, { metaKey: true }],
    ['the middle button', { href: '/x' }, { button: 1 }],
    ['an in-page link', { href: '#reviews' }, {}],
    ['no href', {}, {}],
    ['a javascript: href', { href: 'javascript:void(0)' }, {}],
    ['a click the page handled', { href: '/x' }, { defaultPrevented: true }],
  ] as const)('tracks but does not hold a link with %s', async (_name, attributes, init) => {
    const link = new FakeElement(attributes);
    attune.trackLink(link, 'Link Clicked');
    expect(link.fire('click', init)).toBe('defaultPrevented' in init);
    await env.advance(1000);
    expect(env.navigations).toEqual([]);
    expect(env.sentMessages()).toHaveLength(1);
  });

  it('accepts nothing (a selector that matched nothing)', () => {
    expect(() => attune.trackLink(null, 'Link Clicked')).not.toThrow();
  });
});

describe('trackForm', () => {
  it('tracks the submission and sends the form once the event is sent', async () => {
    const form = new FakeElement({ action: '/signup' }, true);
    attune.trackForm(form, 'Signed Up', { plan: 'pro' });
    expect(form.fire('submit')).toBe(true);
    expect(form.submitted).toBe(0);
    await env.advance(200);
    expect(form.submitted).toBe(1);
    expect(env.sentMessages()).toMatchObject([{ event: 'Signed Up', properties: { plan: 'pro' } }]);
  });

  it('sends the form after 300 ms when the server fails', async () => {
    env.responder = () => reply(503);
    const form = new FakeElement({}, true);
    attune.trackForm([form], 'Signed Up');
    form.fire('submit');
    await env.advance(299);
    expect(form.submitted).toBe(0);
    await env.advance(1);
    expect(form.submitted).toBe(1);
  });

  it('only tracks a submission the page handles itself', async () => {
    const form = new FakeElement({}, true);
    attune.trackForm(form, 'Searched');
    form.fire('submit', { defaultPrevented: true });
    await env.advance(1000);
    expect(form.submitted).toBe(0);
    expect(env.sentMessages()).toMatchObject([{ event: 'Searched' }]);
  });
});
