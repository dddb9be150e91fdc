import { describe, expect, test } from 'vitest';
import { isSilenced, silencedBy, type Silence } from '../../src/alerting/index.js';

const labels = { alertname: 'SLOBurnRate', slo: 'fraud-availability', severity: 'page', model: 'fraud' };
const silence = (matchers: Record<string, string>, startsAt = 0, endsAt = 1000): Silence => ({ matchers, startsAt, endsAt });

describe('isSilenced', () => {
  test.each<[string, Silence[], number, boolean]>([
    ['a silence matching one label exactly covers the alert', [silence({ slo: 'fraud-availability' })], 500, true],
    ['a silence matching every one of several labels covers the alert', [silence({ slo: 'fraud-availability', severity: 'page' })], 500, true],
    ['a silence with one label that differs does not', [silence({ slo: 'fraud-availability', severity: 'ticket' })], 500, false],
    ['matching is exact: no prefix, no case folding', [silence({ slo: 'fraud' }), silence({ slo: 'Fraud-Availability' })], 500, false],
    ['a silence naming a label the alert lacks does not cover it', [silence({ team: 'ml' })], 500, false],
    ['an empty matcher value matches a missing label, as in Alertmanager', [silence({ slo: 'fraud-availability', team: '' })], 500, true],
    ['a silence without matchers covers nothing', [silence({})], 500, false],
    ['a silence is in force from its start (inclusive)', [silence({ model: 'fraud' }, 500, 1000)], 500, true],
    ['a silence is over at its end (exclusive)', [silence({ model: 'fraud' }, 0, 500)], 500, false],
    ['a silence not yet started does not cover the alert', [silence({ model: 'fraud' }, 600, 1000)], 500, false],
    ['any one of several silences is enough', [silence({ slo: 'other' }), silence({ model: 'fraud' })], 500, true],
    ['no silences, no silencing', [], 500, false],
  ])('%s', (_sentence, silences, now, expected) => {
    expect(isSilenced(labels, silences, now)).toBe(expected);
  });
});

describe('silencedBy', () => {
  test('names the silence that covers the alert (the first one, keeping the caller’s own type)', () => {
    const silences = [{ id: 's1', ...silence({ slo: 'other' }) }, { id: 's2', ...silence({ model: 'fraud' }) }, { id: 's3', ...silence({ severity: 'page' }) }];
    expect(silencedBy(labels, silences, 10)?.id).toBe('s2');
    expect(silencedBy(labels, silences, 5000)).toBeUndefined();
  });
});
