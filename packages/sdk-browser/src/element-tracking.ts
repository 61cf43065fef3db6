import type { Env } from './env.js';
import type { Json } from './json.js';

/** The part of a DOM event the SDK reads (a MouseEvent or SubmitEvent fits). */
export interface DomEventLike {
  preventDefault(): void;
  readonly defaultPrevented?: boolean;
  readonly button?: number;
  readonly metaKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly shiftKey?: boolean;
  readonly altKey?: boolean;
}

/** The part of an `<a>` or `<form>` the SDK uses (the DOM elements fit). */
export interface TrackedElement {
  addEventListener(type: string, listener: (event: DomEventLike) => void): void;
  getAttribute(name: string): string | null;
  /** A form's: sends it without firing `submit` again. */
  submit?: () => void;
}

/** One element, or a list of them (an array, a NodeList, a jQuery object). */
export type Elements = TrackedElement | ArrayLike<TrackedElement> | null | undefined;

/** A fixed value, or one computed from the element at the time of the click or submit. */
export type PerElement<T> = T | ((element: TrackedElement) => T);

/** analytics.js waits this long for the event before following a link or sending a form. */
export const followDelayMs = 300;

const listOf = (elements: Elements): TrackedElement[] => {
  if (elements == null) return [];
  if ('addEventListener' in elements) return [elements];
  return Array.from(elements);
};

const valueFor = <T>(value: PerElement<T>, element: TrackedElement): T =>
  typeof value === 'function' ? (value as (element: TrackedElement) => T)(element) : value;

/** Runs `follow` once `sent` settles or after `followDelayMs`, whichever is first. */
function followSoon(env: Env, sent: Promise<unknown>, follow: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    env.clearTimer(timer);
    follow();
  };
  const timer = env.setTimer(once, followDelayMs);
  sent.then(once, once);
}

type Track = (event: string, properties: Json | undefined) => Promise<unknown>;

/** What following an element's event is (navigating, submitting), or null: only track it. */
type Follow = (element: TrackedElement, event: DomEventLike, env: Env) => (() => void) | null;

/**
 * Tracks `type` events of the elements. Unless the page already handled one, what `follow`
 * names is held back until the event is sent, for at most `followDelayMs`.
 */
function trackElements(
  env: Env,
  track: Track,
  elements: Elements,
  type: 'click' | 'submit',
  follow: Follow,
  event: PerElement<string>,
  properties: PerElement<Json | undefined>,
): void {
  for (const element of listOf(elements)) {
    element.addEventListener(type, (domEvent) => {
      const sent = track(valueFor(event, element), valueFor(properties, element));
      const next = domEvent.defaultPrevented === true ? null : follow(element, domEvent, env);
      if (next === null) return;
      domEvent.preventDefault();
      followSoon(env, sent, next);
    });
  }
}

/** Leaving the page in this tab; not a new tab or window, an in-page or script link. */
const followLink: Follow = (link, click, env) => {
  const href = link.getAttribute('href') ?? link.getAttribute('xlink:href');
  if (href === null || href === '' || href.startsWith('#') || /^javascript:/i.test(href))
    return null;
  const elsewhere =
    link.getAttribute('target') === '_blank' ||
    click.metaKey === true ||
    click.ctrlKey === true ||
    click.shiftKey === true ||
    click.altKey === true ||
    (click.button ?? 0) !== 0;
  return elsewhere ? null : () => env.navigate(href);
};

const submitForm: Follow = (form) => (form.submit === undefined ? null : () => form.submit?.());

/**
 * Tracks clicks on links. A click that would leave the page in this tab is held back until
 * the event is sent, for at most `followDelayMs`, then the link is followed; a link opened
 * in a new tab or window (target=_blank, a modifier key, another button), one without an
 * href, an in-page `#` link and one the page already handled are not held.
 */
export function trackLinks(
  env: Env,
  track: Track,
  links: Elements,
  event: PerElement<string>,
  properties?: PerElement<Json | undefined>,
): void {
  trackElements(env, track, links, 'click', followLink, event, properties);
}

/**
 * Tracks form submissions: the form is sent once the event is, or after `followDelayMs`.
 * A submission the page already handled (its own script called preventDefault) is only
 * tracked.
 */
export function trackForms(
  env: Env,
  track: Track,
  forms: Elements,
  event: PerElement<string>,
  properties?: PerElement<Json | undefined>,
): void {
  trackElements(env, track, forms, 'submit', submitForm, event, properties);
}
