import type { Env, PageFacts } from './env.js';
import { isObject, type Json } from './json.js';
import { version } from './version.js';

const utm: [string, string][] = [
  ['utm_campaign', 'name'],
  ['utm_source', 'source'],
  ['utm_medium', 'medium'],
  ['utm_term', 'term'],
  ['utm_content', 'content'],
];

/** Segment's `context.campaign` from the page's utm_* parameters; undefined without any. */
export function campaignFrom(search: string): Record<string, string> | undefined {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    return undefined;
  }
  let campaign: Record<string, string> | undefined;
  for (const [param, field] of utm) {
    const value = params.get(param);
    if (value) (campaign ??= {})[field] = value;
  }
  return campaign;
}

/** A coarse device class from the user agent, for rules such as "mobile visitors". */
export function deviceType(userAgent: string): 'mobile' | 'tablet' | 'desktop' {
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobi)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|Windows Phone/i.test(userAgent)) return 'mobile';
  return 'desktop';
}

/** Page fields cut to the lengths the decide API accepts (titles 500, the rest 2,000). */
function clipPage(page: PageFacts): PageFacts {
  const clip = (text: string, max = 2000) => text.slice(0, max);
  return {
    path: clip(page.path),
    referrer: clip(page.referrer),
    search: clip(page.search),
    title: clip(page.title, 500),
    url: clip(page.url),
  };
}

/** The context of a tracked message (Segment spec), before consent and the caller's own. */
export function messageContext(env: Env): Json {
  const page = env.page();
  return {
    library: { name: 'attune-sdk-browser', version },
    page,
    userAgent: env.userAgent,
    ...(env.locale ? { locale: env.locale } : {}),
    ...(env.timezone ? { timezone: env.timezone } : {}),
    ...withCampaign(page.search),
  };
}

/** What decide and live rules may test about the request: page, campaign, device, locale. */
export function decideContext(env: Env): Json {
  const page = env.page();
  return {
    page: clipPage(page),
    device: { type: deviceType(env.userAgent) },
    ...(env.locale ? { locale: env.locale.slice(0, 50) } : {}),
    ...withCampaign(page.search),
  };
}

function withCampaign(search: string): Json {
  const campaign = campaignFrom(search);
  if (!campaign) return {};
  for (const field in campaign) campaign[field] = campaign[field]!.slice(0, 500);
  return { campaign };
}

/** `extra` over `base`, one level deep: `{ page: { title } }` changes only the title. */
export function mergeContext(base: Json, extra: Json | undefined): Json {
  const merged: Json = { ...base };
  for (const key in extra) {
    const value = extra[key];
    const under = merged[key];
    merged[key] = isObject(value) && isObject(under) ? { ...under, ...value } : value;
  }
  return merged;
}
