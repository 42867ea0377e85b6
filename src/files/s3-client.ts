import { S3Client } from '@aws-sdk/client-s3';

/** How to reach the bucket that holds file bytes (BLOB_STORE=s3; README.md, "Object storage"). */
export interface S3Settings {
  readonly bucket: string;
  /** An S3-compatible service (MinIO, R2, s3rver, ...); `undefined` means AWS itself. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** `undefined` means the AWS SDK's default credential chain (environment, profile, instance or task role). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  readonly forcePathStyle: boolean;
  /** Put before every key: `''`, or a path ending in `/`. */
  readonly prefix: string;
}

/**
 * Each download in flight holds one socket for as long as its client takes to read it, so the SDK's default
 * of 50 would make the 51st request wait for a slow reader somewhere else.
 */
const MAX_SOCKETS = 256;

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    // A copy: the SDK marks where credentials came from on the object itself, and the settings are frozen.
    credentials: settings.credentials && { ...settings.credentials },
    // Without a connect timeout a black-holed endpoint stalls each request for minutes (the OS's own timeout).
    requestHandler: {
      connectionTimeout: 10_000,
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    },
    // S3-compatible services support the SDK's default CRC checksums unevenly (MinIO, R2 and others failed
    // requests when the AWS SDKs turned them on in January 2025), so elsewhere than AWS they are sent only where
    // an operation requires one. Our own md5 of every write is computed either way.
    ...(settings.endpoint === undefined
      ? {}
      : { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
  });
}
