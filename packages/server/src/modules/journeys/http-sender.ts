/** One webhook delivery attempt. */
export interface WebhookRequest {
  url: string;
  /** The JSON text, sent as is (the signature covers these bytes). */
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** A 2xx is delivered; anything else (or no answer in time) is a failed attempt. */
export type WebhookResult =
  { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** The port for outgoing HTTP (webhook actions). */
export interface HttpSender {
  post(request: WebhookRequest): Promise<WebhookResult>;
}
