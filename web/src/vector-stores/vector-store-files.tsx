import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { VectorStoreFile } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { FileUpload } from '../components/file-upload.js';
import { FileName } from '../files/file-name.js';
import { useSession } from '../session.js';

const POLL_MS = 500;

/** A vector store's files with their ingestion status, followed until none is in progress; uploads attach to it. */
export function VectorStoreFiles({ storeId }: { storeId: string }) {
  const { client } = useSession();
  const [files, setFiles] = useState<VectorStoreFile[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await client.vectorStores.files.list(storeId, { limit: 100 });
      setFiles(page.data);
      setError(null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [client, storeId]);

  useEffect(() => {
    setFiles(null);
    void load();
  }, [load]);

  const ingesting = files?.some((file) => file.status === 'in_progress') ?? false;
  useEffect(() => {
    if (!ingesting) return;
    const timer = window.setTimeout(() => void load(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [ingesting, files, load]);

  const remove = async (fileId: string) => {
    try {
      await client.vectorStores.files.delete(fileId, { vector_store_id: storeId });
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <div class="vector-store-files">
      <ErrorMessage message={error} />
      {files !== null && files.length === 0 && <p class="muted">No files in this vector store yet.</p>}
      {files !== null && files.length > 0 && (
        <table>
          <caption>Files in the vector store</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.map((file) => (
              <tr key={file.id}>
                <td>
                  <FileName fileId={file.id} />
                </td>
                <td>
                  <span class={`status status-${file.status}`}>{file.status}</span>
                  {file.last_error && <span class="error"> {file.last_error.message}</span>}
                </td>
                <td>{file.usage_bytes.toLocaleString()} bytes</td>
                <td>
                  <button type="button" class="secondary" onClick={() => void remove(file.id)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FileUpload
        label="Upload files to the vector store"
        purpose="assistants"
        onUploaded={async (file) => {
          try {
            await client.vectorStores.files.create(storeId, { file_id: file.id });
          } catch (caught) {
            setError(errorMessage(caught));
          }
          await load();
        }}
      />
    </div>
  );
}
