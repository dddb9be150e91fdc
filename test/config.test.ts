import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mlwarden-config-')), 'mlwarden.yaml');
  writeFileSync(path, text);
  return path;
}

describe('configuration', () => {
  test('defaults give the embedded store on ./data, port 8080 and open auth', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(8080);
    expect(config.store).toMatchObject({ data_dir: './data', database: 'mlwarden', retention_days: 30 });
    expect(config.store.url).toBeUndefined();
    expect(config.auth).toEqual({ ingest_tokens: [], admin_tokens: [] });
  });

  test('the YAML file is read and environment variables override it', () => {
    const path = file('server:\n  port: 9000\nstore:\n  data_dir: /var/lib/mlwarden\n  retention_days: 90\n');
    const config = loadConfig({ file: path, env: { MLWARDEN_PORT: '9100', MLWARDEN_CLICKHOUSE_URL: 'https://ch.example:8443', MLWARDEN_CLICKHOUSE_USER: 'ml' } });
    expect(config.server.port).toBe(9100);
    expect(config.store).toMatchObject({ data_dir: '/var/lib/mlwarden', retention_days: 90, url: 'https://ch.example:8443', user: 'ml' });
  });

  test('MLWARDEN_CONFIG names the file when --config is not given', () => {
    const path = file('log:\n  level: debug\n');
    expect(loadConfig({ env: { MLWARDEN_CONFIG: path } }).log.level).toBe('debug');
  });

  test('comma-separated token lists allow rotation', () => {
    const config = loadConfig({ env: { MLWARDEN_INGEST_TOKEN: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2', MLWARDEN_ADMIN_TOKEN: 'cccccccccccccccc3' } });
    expect(config.auth.ingest_tokens).toEqual(['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    expect(config.auth.admin_tokens).toEqual(['cccccccccccccccc3']);
  });

  test.each([
    ['a port that is not a number', { MLWARDEN_PORT: 'eighty' }, /server\.port/],
    ['a port out of range', { MLWARDEN_PORT: '70000' }, /server\.port/],
    ['a ClickHouse URL that is not a URL', { MLWARDEN_CLICKHOUSE_URL: 'not a url' }, /store\.url/],
    ['a database name with SQL in it', { MLWARDEN_CLICKHOUSE_DATABASE: 'x; DROP' }, /store\.database must be a plain identifier/],
    ['a retention of zero days', { MLWARDEN_RETENTION_DAYS: '0' }, /store\.retention_days/],
    ['a token that is too short to be secret', { MLWARDEN_ADMIN_TOKEN: 'short' }, /auth\.admin_tokens\.0 tokens must be at least 16 characters/],
  ])('%s is refused with the field and reason', (_name, env, message) => {
    expect(() => loadConfig({ env })).toThrow(message);
  });

  test('an unknown key in the file is refused (a typo never silently falls back to a default)', () => {
    expect(() => loadConfig({ file: file('server:\n  prot: 9000\n'), env: {} })).toThrow(/server.*prot/);
  });

  test('a file that is not YAML, or missing, is refused naming the file', () => {
    const bad = file('server: [unclosed\n');
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(new RegExp(`config file ${bad} is not valid YAML`));
    expect(() => loadConfig({ file: '/nonexistent/mlwarden.yaml', env: {} })).toThrow(/cannot read config file \/nonexistent/);
  });

  test('an error about a token does not echo the token', () => {
    try {
      loadConfig({ env: { MLWARDEN_ADMIN_TOKEN: 'tiny-secret' } });
    } catch (error) {
      expect((error as Error).message).not.toContain('tiny-secret');
      return;
    }
    throw new Error('expected a refusal');
  });
});
