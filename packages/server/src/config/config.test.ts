import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig, trustProxyOption } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './.attune',
      logLevel: 'info',
      dedupWindowMs: 7 * 86_400_000,
      processor: { enabled: true },
      rfm: { recomputeHours: 24 },
    });
    expect(config.writeKey).toBeUndefined();
  });

  it('reads the RFM schedule; 0 turns it off', () => {
    expect(loadConfig({ env: { ATTUNE_RFM_RECOMPUTE_HOURS: '6' } }).rfm.recomputeHours).toBe(6);
    expect(loadConfig({ env: { ATTUNE_RFM_RECOMPUTE_HOURS: '0' } }).rfm.recomputeHours).toBe(0);
    expect(() => loadConfig({ env: { ATTUNE_RFM_RECOMPUTE_HOURS: 'daily' } })).toThrow(
      /ATTUNE_RFM_RECOMPUTE_HOURS: an integer expected/,
    );
  });

  it('reads the environment, and flags win over it', () => {
    const config = loadConfig({
      env: { PORT: '9000', ATTUNE_DATA_DIR: '/tmp/x', ATTUNE_DEDUP_WINDOW: '24h' },
      flags: { port: '9100' },
    });
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.dedupWindowMs).toBe(86_400_000);
  });

  it('reads the trusted proxies as Fastify takes them, and refuses anything else', () => {
    const trust = (value?: string) =>
      trustProxyOption(
        loadConfig({ env: value === undefined ? {} : { ATTUNE_TRUST_PROXY: value } }).trustProxy,
      );
    expect(trust()).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('10.0.0.1, 192.168.0.0/16,::1')).toBe('10.0.0.1,192.168.0.0/16,::1');
    expect(() => trust('the load balancer')).toThrow(/trustProxy|ATTUNE_TRUST_PROXY/);
  });

  it('prefers ATTUNE_PORT over PORT', () => {
    expect(loadConfig({ env: { PORT: '1', ATTUNE_PORT: '2' } }).port).toBe(2);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        env: { PORT: 'eighty', ATTUNE_DEDUP_WINDOW: 'forever', ATTUNE_ADMIN_KEY: 'short' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT: an integer expected');
    expect(problems).toContain('ATTUNE_DEDUP_WINDOW: a duration');
    expect(problems).toContain('adminKey');
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ env: { PORT: '70000' } })).toThrow(/port/);
  });

  it('redacts secrets', () => {
    const config = loadConfig({
      env: { ATTUNE_ADMIN_KEY: 'a'.repeat(20), ATTUNE_WRITE_KEY: 'w'.repeat(10) },
    });
    expect(JSON.stringify(redactConfig(config))).not.toContain('aaaa');
    expect(JSON.stringify(redactConfig(config))).not.toContain('wwww');
  });
});
