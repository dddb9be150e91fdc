import { describe, expect, test } from 'vitest';
import { validate } from './json-schema.js';

const schema = {
  definitions: { port: { type: 'integer', minimum: 1, maximum: 65535 } },
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { enum: ['a', 'b'] },
    port: { $ref: '#/definitions/port' },
    url: { type: 'string', format: 'uri' },
    secret: { not: {}, description: 'comes from a Secret' },
    tags: { type: 'object', propertyNames: { pattern: '^[a-z]+$' }, additionalProperties: { type: 'string' } },
    ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    endpoint: { anyOf: [{ const: '' }, { type: 'string', format: 'uri' }] },
  },
  if: { properties: { mode: { const: 'a' } } },
  then: { properties: { port: { const: 1 } } },
};

describe('the JSON Schema subset the chart uses', () => {
  test.each([
    ['a document meeting every keyword passes', { mode: 'b', port: 8080, url: 'https://x.example/p', tags: { a: 'b' }, ratio: 0.5, endpoint: '' }, []],
    ['a missing required property is named', {}, ['.mode is required']],
    ['an unknown property is rejected', { mode: 'b', extra: 1 }, ['.extra is not a known setting']],
    ['a $ref is followed', { mode: 'b', port: 0 }, ['.port must be ≥ 1']],
    ['integer rejects a fraction', { mode: 'b', port: 1.5 }, ['.port must be integer, got number']],
    ['format uri needs a scheme', { mode: 'b', url: 'clickhouse/db' }, ['.url must be an absolute URI']],
    ['format uri rejects spaces', { mode: 'b', url: 'http://a b' }, ['.url must be an absolute URI']],
    ['not {} forbids the key and says why', { mode: 'b', secret: 'x' }, ['.secret must not be set: comes from a Secret']],
    ['propertyNames and additionalProperties apply to each entry', { mode: 'b', tags: { A: 1 } }, ['.tags.A name must match ^[a-z]+$', '.tags.A must be string, got integer']],
    ['exclusive bounds exclude the bound', { mode: 'b', ratio: 1 }, ['.ratio must be < 1']],
    ['anyOf passes when one branch does', { mode: 'b', endpoint: 'http://ch:8123' }, []],
    ['anyOf fails when none does', { mode: 'b', endpoint: 'nope' }, [expect.stringMatching(/^\.endpoint must match one of/)]],
    ['if/then applies then when if holds', { mode: 'a', port: 2 }, ['.port must be 1']],
  ])('%s', (_, value, expected) => {
    expect(validate(schema, value).map((e) => `${e.path} ${e.message}`)).toEqual(expected);
  });

  test('a keyword it does not implement throws instead of passing silently', () => {
    expect(() => validate({ type: 'object', patternProperties: {} }, {})).toThrow(/does not implement "patternProperties"/);
  });
});
