const KB = 1024;
const MB = 1024 * KB;

/** Sizes in the words logs use: `512 KB`, `4.0 MB` (binary units, as the settings in MB are). */
export function formatBytes(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.ceil(bytes / KB)} KB`;
}

/** `a (1.0 MB), b (2 KB)`, and how many more when the list is long: logs stay short whatever the code wrote. */
export function listFiles(files: ReadonlyArray<{ filename: string; bytes: number }>, shown = 10): string {
  const listed = files.slice(0, shown).map((file) => `${file.filename} (${formatBytes(file.bytes)})`);
  if (files.length > shown) listed.push(`and ${files.length - shown} more`);
  return listed.join(', ');
}
