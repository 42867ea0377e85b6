import { FileUpload } from '../components/file-upload.js';
import { FileName } from '../files/file-name.js';

/** The files code_interpreter finds in /mnt/data for every thread of the assistant. */
export function CodeInterpreterSettings({
  fileIds,
  onChange,
}: {
  fileIds: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <div class="tool-settings">
      {fileIds.length > 0 && (
        <ul class="file-list" aria-label="Code interpreter files">
          {fileIds.map((fileId) => (
            <li key={fileId}>
              <FileName fileId={fileId} />
              <button type="button" class="secondary" onClick={() => onChange(fileIds.filter((id) => id !== fileId))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <FileUpload
        label="Upload files for code interpreter"
        purpose="assistants"
        onUploaded={(file) => onChange([...fileIds, file.id])}
      />
    </div>
  );
}
