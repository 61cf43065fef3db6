export interface ProcessorThreadSettings {
  file: string;
  name: string;
  batchSize: number;
  pollIntervalMs: number;
}

export type ToProcessor = { kind: 'appended'; lastOffset: number } | { kind: 'stop' };

export type FromProcessor =
  | { kind: 'ready'; committed: number }
  | { kind: 'committed'; offset: number }
  | { kind: 'error'; message: string; details: string }
  | { kind: 'stopped' };
