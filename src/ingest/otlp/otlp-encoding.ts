import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type protobuf from 'protobufjs';
import { MlwardenError } from '../../domain/errors.js';

export type OtlpEncoding = 'protobuf' | 'json';

const ENCODINGS: Record<string, OtlpEncoding> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
};

export const OTLP_CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** The OTLP encoding a Content-Type names, or a 415 error listing the accepted types. */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const encoding = ENCODINGS[mediaType];
  if (!encoding) {
    throw new MlwardenError('unsupported-media-type', `Content-Type "${mediaType || '(none)'}" is not accepted for OTLP; send application/x-protobuf or application/json`);
  }
  return encoding;
}

const gunzipAsync = promisify(gunzip);

/**
 * The body with its Content-Encoding removed. The body limit bounds the decompressed bytes too, so a
 * small gzip bomb cannot take the memory the limit protects.
 */
export async function decompressed(body: Uint8Array, contentEncoding: string | undefined, limitBytes: number): Promise<Uint8Array> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') throw new MlwardenError('unsupported-media-type', `Content-Encoding "${encoding.slice(0, 40)}" is not accepted; send gzip or no encoding`);
  try {
    return await gunzipAsync(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MlwardenError('too-large', `decompressed request body exceeds ${limitBytes} bytes; split it into smaller batches`);
    }
    throw new MlwardenError('invalid', `body is not valid gzip: ${(error as Error).message}`);
  }
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: false, arrays: true };

/**
 * Decodes an OTLP request into plain objects. Both encodings end in the same shape: OTLP/JSON goes
 * through protobufjs fromObject, which accepts its lowerCamelCase names, int64 as strings or numbers
 * and enums as numbers or names, and ignores unknown fields as the OTLP spec asks.
 */
export function decodeOtlp<T>(type: protobuf.Type, body: Uint8Array, encoding: OtlpEncoding): T {
  try {
    const message = encoding === 'protobuf' ? type.decode(body) : type.fromObject(jsonObject(body));
    return type.toObject(message, TO_OBJECT) as T;
  } catch (error) {
    if (error instanceof MlwardenError) throw error;
    throw new MlwardenError('invalid', `body is not a valid OTLP ${type.name} (${encoding}): ${(error as Error).message}`);
  }
}

function jsonObject(body: Uint8Array): Record<string, unknown> {
  const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('a JSON object is expected');
  return parsed as Record<string, unknown>;
}

/** An OTLP Export*ServiceResponse in the request's encoding (OTLP/JSON writes int64 as strings). */
export function encodeOtlp(type: protobuf.Type, response: Record<string, unknown>, encoding: OtlpEncoding): Uint8Array | string {
  const message = type.fromObject(response);
  if (encoding === 'protobuf') return type.encode(message).finish();
  return JSON.stringify(type.toObject(message, { longs: String, enums: Number }));
}
