import { describe, expect, test } from 'vitest';
import { useEmulator } from './kube-client.js';

const clients = useEmulator();

/** Requests client-node never sends malformed, sent raw to check the Status answers. */
describe('malformed requests are answered with Status objects', () => {
  test.each([
    ['A body that is not JSON should get 400 BadRequest', 'POST', '/apis/batch/v1/namespaces/ml/jobs', 'application/json', '{nope', 400, 'BadRequest'],
    ['A dryRun value other than All should get 400 BadRequest', 'POST', '/apis/batch/v1/namespaces/ml/jobs?dryRun=Some', 'application/json', '{"metadata":{"name":"a"}}', 400, 'BadRequest'],
    ['A body of the wrong kind should get 400 BadRequest', 'POST', '/apis/batch/v1/namespaces/ml/jobs', 'application/json', '{"kind":"Pod","metadata":{"name":"a"}}', 400, 'BadRequest'],
    ['A namespace in the body differing from the path should get 400 BadRequest', 'POST', '/apis/batch/v1/namespaces/ml/jobs', 'application/json', '{"metadata":{"name":"a","namespace":"other"}}', 400, 'BadRequest'],
    ['An unknown path should get 404 NotFound', 'GET', '/apis/example.com/v1/widgets', undefined, undefined, 404, 'NotFound'],
    ['An unknown patch content type should get 415 UnsupportedMediaType', 'PATCH', '/apis/batch/v1/namespaces/ml/jobs/a', 'text/plain', '{}', 415, 'UnsupportedMediaType'],
    ['A non-numeric watch resourceVersion should get 400 BadRequest', 'GET', '/apis/batch/v1/namespaces/ml/jobs?watch=1&resourceVersion=abc', undefined, undefined, 400, 'BadRequest'],
  ] as const)('%s', async (_sentence, method, path, contentType, body, code, reason) => {
    const { emulator } = clients();
    await fetch(`${emulator.url}/apis/batch/v1/namespaces/ml/jobs`, { method: 'POST', body: '{"metadata":{"name":"a"},"spec":{}}' });
    const response = await fetch(`${emulator.url}${path}`, { method, ...(body === undefined ? {} : { body }), ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }) });
    expect(response.status).toBe(code);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  });
});
