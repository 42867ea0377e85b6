/**
 * The slice of a structured logger the layers below HTTP write to. pino's logger (and so Fastify's) satisfies
 * it, so no layer but `http/` depends on the web framework's types.
 */
export interface Logger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}
