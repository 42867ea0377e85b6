import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, errors } from '../errors.js';

/** Longest path parameter (an object id) the router accepts; OpenAI's ids are far shorter. */
export const MAX_PATH_PARAM_LENGTH = 256;

/**
 * Fastify's `frameworkErrors`: the router's own refusals, which otherwise answer in Fastify's shape
 * (`{"error":"Bad Request","code":"FST_ERR_BAD_URL"}`) before any hook or error handler runs.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = routerError(error, request);
  if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(apiError.status).send(apiError.toBody());
}

function routerError(error: FastifyError, request: FastifyRequest): ApiError {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return errors.badUrlEncoding(request.method, pathOf(request.url));
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errors.pathParamTooLong(MAX_PATH_PARAM_LENGTH);
    default:
      return errors.internal();
  }
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before Fastify sees them (headers over
 * `maxHeaderSize`, a malformed request line, a client too slow to send its headers). There is no request or reply
 * yet, so the response is written to the socket by hand, then the connection is closed as Node does.
 */
export function handleClientError(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError = clientError(error);
  if (socket.writable) {
    const body = JSON.stringify(apiError.toBody());
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

function clientError(error: ConnectionError): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // Node counts the request line with the headers. When the bytes parsed up to the overflow hold no line
      // break, the request line alone is too long: a URI too long, not a header too large. Only the last chunk
      // read is kept, so a single huge header split across chunks reads as a long URI: still a 4xx, in our shape.
      // (Node sets `rawPacket` to a Buffer; Fastify's type says otherwise.)
      const raw: unknown = error.rawPacket;
      return Buffer.isBuffer(raw) && !raw.subarray(0, error.bytesParsed).includes(0x0a)
        ? errors.requestLineTooLong(maxHeaderSize)
        : errors.headersTooLarge(maxHeaderSize);
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errors.requestTimeout();
    default:
      return errors.malformedHttpRequest();
  }
}
