import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { downloadFile } from '../api/download.js';
import type { FileObject } from '../api/types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { FileUpload } from '../components/file-upload.js';
import { useSession } from '../session.js';

type Purpose = 'assistants' | 'vision' | 'user_data';

export function FilesPage() {
  const { client } = useSession();
  const [files, setFiles] = useState<FileObject[] | null>(null);
  const [purpose, setPurpose] = useState<Purpose>('assistants');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setFiles((await client.files.list({ limit: 100 })).data);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const remove = async (fileId: string) => {
    try {
      await client.files.delete(fileId);
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <section class="workspace files-page">
      <h2>Files</h2>
      <div class="row">
        <label>
          Purpose
          <select value={purpose} onChange={(event) => setPurpose(event.currentTarget.value as Purpose)}>
            <option value="assistants">assistants</option>
            <option value="vision">vision</option>
            <option value="user_data">user_data</option>
          </select>
        </label>
        <FileUpload label="Upload files" purpose={purpose} onUploaded={() => load()} />
      </div>
      <ErrorMessage message={error} />
      {files !== null && files.length === 0 && <p class="muted">No files yet.</p>}
      {files !== null && files.length > 0 && (
        <table>
          <caption>Files</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Purpose</th>
              <th scope="col">Size</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.map((file) => (
              <tr key={file.id}>
                <td>
                  {file.filename} <small class="mono muted">{file.id}</small>
                </td>
                <td>{file.purpose}</td>
                <td>{file.bytes.toLocaleString()} bytes</td>
                <td>{new Date(file.created_at * 1000).toLocaleString()}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => void downloadFile(client, file.id, file.filename)}
                  >
                    Download {file.filename}
                  </button>
                  <ConfirmButton label="Delete" onConfirm={() => void remove(file.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
