import type { FastifyRequest } from 'fastify';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import { ProblemError } from '../../http/problem.js';

/**
 * preParsing hook: SDKs such as rudder-sdk-node and analytics-python may gzip their
 * batches. The body limit then applies to the decompressed bytes, so a small compressed
 * bomb cannot expand past it.
 */
export async function decompressBody(
  request: FastifyRequest,
  _reply: unknown,
  payload: Readable,
): Promise<Readable> {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return payload;
  let decoder: Transform;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else {
    throw new ProblemError(
      'unsupported_content_encoding',
      `Content-Encoding ${encoding} is not supported; use gzip, deflate or none`,
    );
  }
  // Fastify compares Content-Length with the bytes it saw on the wire, i.e. before decoding.
  const counted = decoder as Transform & { receivedEncodedLength: number };
  counted.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    counted.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (error) => decoder.destroy(error));
  // Fastify stops listening once the decoded body passes the limit; a corrupt or truncated
  // tail decoded after that would be an 'error' with no listener, which ends the process.
  decoder.on('error', ignoreLateError);
  return payload.pipe(decoder);
}

function ignoreLateError(): void {
  // Fastify's own listener reports errors while it reads; see decompressBody.
}
