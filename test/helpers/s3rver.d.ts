/** The slice of s3rver 3 the tests use (the package ships no types): a local S3 over a folder. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  export interface S3rverOptions {
    /** 0 picks a free port. */
    port?: number;
    address?: string;
    /** Where buckets and objects are kept. */
    directory: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Listens; resolves to the address bound. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    /** Set once `run` resolved. */
    httpServer: Server;
  }
}
