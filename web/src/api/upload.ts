import { apiBaseURL } from './client.js';
import type { FileObject } from './types.js';

export interface UploadRequest {
  file: File;
  purpose: 'assistants' | 'vision' | 'user_data';
  apiKey: string;
  /** 0 to 1, as the bytes leave the browser. */
  onProgress: (fraction: number) => void;
  onUnauthorized: () => void;
}

/**
 * `POST /v1/files`, the same multipart request the SDK's `files.create` sends, but through XMLHttpRequest: `fetch`
 * reports no upload progress (Chromium streams request bodies only over HTTP/2).
 */
export function uploadFile(request: UploadRequest): Promise<FileObject> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${apiBaseURL()}/files`);
    xhr.setRequestHeader('Authorization', `Bearer ${request.apiKey}`);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) request.onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const body = xhr.response as (FileObject & { error?: { message?: string } }) | null;
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        request.onProgress(1);
        resolve(body);
        return;
      }
      if (xhr.status === 401) request.onUnauthorized();
      reject(new Error(`${xhr.status}: ${body?.error?.message ?? 'the upload failed'}`));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload failed: the server could not be reached.')));
    const form = new FormData();
    form.append('purpose', request.purpose);
    form.append('file', request.file, request.file.name);
    xhr.send(form);
  });
}
