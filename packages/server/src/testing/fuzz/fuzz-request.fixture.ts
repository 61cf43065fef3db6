/**
 * One generated request. Arbitraries cannot know the test app's keys, so `auth` names the
 * credential and the harness fills it in; any other string is sent as the header verbatim.
 */
export interface FuzzRequest {
  /** Which target this counts towards (`ingest.single`, `segments.create`, …). */
  target: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  auth: 'write' | 'admin' | 'none' | { header: string };
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** Valid messages in the request that must be stored and processed whatever else it holds. */
  siblings?: Sibling[];
}

export interface Sibling {
  messageId: string;
  userId: string;
}
