import { describe, expect, test } from 'vitest';
import { FeatureClient, type FeatureClientOptions } from '../../../collectors/features/index.js';

const GOOD: FeatureClientOptions = { url: 'http://mlwarden:8080', token: 't', model: 'fraud' };

describe('bad options are refused at construction, naming the option', () => {
  test.each([
    ['a relative url', { url: '/v1' }, /url must be an absolute/],
    ['an ftp url', { url: 'ftp://x' }, /url must be http or https/],
    ['an empty token', { token: '' }, /token/],
    ['an empty model', { model: '' }, /model must be a non-empty string/],
    ['a 300-character version', { version: 'v'.repeat(300) }, /version/],
    ['a zero batch size', { maxBatch: 0 }, /maxBatch must be a positive integer, got 0/],
    ['a fractional cap', { maxBufferedObservations: 1.5 }, /maxBufferedObservations/],
    ['edges out of order', { baselineEdges: { amount: [1, 3, 2] } }, /baselineEdges.amount must be .* strictly increasing/],
    ['no edges', { baselineEdges: { amount: [] } }, /baselineEdges.amount/],
    ['an infinite edge', { baselineEdges: { amount: [1, Infinity] } }, /baselineEdges.amount/],
    ['a category that is not a string', { categories: { country: ['DE', 7 as unknown as string] } }, /categories.country/],
  ])('%s', (_, override, message) => {
    expect(() => new FeatureClient({ ...GOOD, ...override })).toThrow(message);
  });

  test('good options construct a client whose timers do not hold the process', async () => {
    const client = new FeatureClient({ ...GOOD, baselineEdges: { amount: [1, 2] }, categories: { country: ['DE'] } });
    expect(client.stats()).toEqual({ recorded: 0, sent: 0, dropped: 0, pendingObservations: 0, retries: 0, rejectedBatches: 0 });
    await client.close();
  });
});
