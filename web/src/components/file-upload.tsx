import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { FileObject } from '../api/types.js';
import { uploadFile } from '../api/upload.js';
import { useSession } from '../session.js';

interface Progress {
  id: number;
  name: string;
  fraction: number;
  error?: string;
}

export interface FileUploadProps {
  /** The visible label of the file input. */
  label: string;
  purpose: 'assistants' | 'vision' | 'user_data';
  accept?: string;
  multiple?: boolean;
  /** Called once per file the server stored. */
  onUploaded: (file: FileObject) => void | Promise<void>;
}

let nextUploadId = 1;

/** A file input that uploads what is chosen right away, with a progress bar per file. */
export function FileUpload({ label, purpose, accept, multiple = true, onUploaded }: FileUploadProps) {
  const { apiKey, onUnauthorized } = useSession();
  const [uploads, setUploads] = useState<Progress[]>([]);

  const upload = async (file: File, id: number) => {
    const update = (change: Partial<Progress>) =>
      setUploads((current) => current.map((item) => (item.id === id ? { ...item, ...change } : item)));
    try {
      const stored = await uploadFile({
        file,
        purpose,
        apiKey,
        onUnauthorized,
        onProgress: (fraction) => update({ fraction }),
      });
      await onUploaded(stored);
      setUploads((current) => current.filter((item) => item.id !== id));
    } catch (error) {
      update({ error: errorMessage(error) });
    }
  };

  return (
    <div class="file-upload">
      <label>
        {label}
        <input
          type="file"
          accept={accept}
          multiple={multiple}
          onChange={(event) => {
            const files = [...(event.currentTarget.files ?? [])];
            event.currentTarget.value = '';
            const started = files.map((file) => ({ id: nextUploadId++, name: file.name, fraction: 0 }));
            setUploads((current) => [...current.filter((item) => item.error === undefined), ...started]);
            files.forEach((file, index) => void upload(file, started[index]!.id));
          }}
        />
      </label>
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((item) => (
            <li key={item.id}>
              <span>{item.name}</span>
              {item.error === undefined ? (
                <progress value={item.fraction} max={1} aria-label={`Uploading ${item.name}`} />
              ) : (
                <span role="alert" class="error">
                  {item.error}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
