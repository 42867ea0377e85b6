import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { CONTAINER_DATA_DIR } from '../../api/container-objects.js';
import type { BuiltinToolContext, StepToolCall } from '../builtin-tool.js';
import type { ContainerFiles } from './container-files.js';
import type { ProjectFiles } from './project-files.js';
import type { CodeSessions } from './sessions.js';
import type { WorkDirInputs } from './work-dir-inputs.js';
import type { WorkDirFile } from './work-dir-snapshot.js';

type CodeOutputs = Extract<StepToolCall, { type: 'code_interpreter' }>['code_interpreter']['outputs'];

/** What one call produced besides its logs: figures, and files it wrote in /mnt/data (within the output limits). */
export interface CallProducts {
  sessionId: string;
  context: BuiltinToolContext;
  images: readonly Uint8Array[];
  written: readonly WorkDirFile[];
}

/** What was kept: figures to show in the assistant's message, and `sandbox:` links of the files for the model. */
export interface KeptOutputs {
  imageFileIds: string[];
  created: string[];
}

/** Figures and written files of a thread's call become Files of the project (figures shown in the message). */
export async function keepAsFiles(
  deps: { sessions: CodeSessions; files: ProjectFiles },
  { sessionId, context, images, written }: CallProducts,
  outputs: CodeOutputs,
): Promise<KeptOutputs> {
  const imageFileIds: string[] = [];
  for (const [index, image] of images.entries()) {
    const file = await deps.files.save(context.project, figureName(context.callId, index), Readable.from([image]));
    imageFileIds.push(file.id);
    outputs.push({ type: 'image', image: { file_id: file.id } });
  }
  const created: string[] = [];
  for (const changed of written) {
    const { stream } = await deps.sessions.openFile(sessionId, changed.filename);
    const file = await deps.files.save(context.project, basename(changed.filename), stream);
    context.generatedFiles.set(`${CONTAINER_DATA_DIR}/${changed.filename}`, file.id);
    created.push(`sandbox:${CONTAINER_DATA_DIR}/${changed.filename}`);
  }
  return { imageFileIds, created };
}

/**
 * Figures and written files of a container's call become files of the container (`cfile_…`, source `assistant`),
 * recorded in `generatedFiles` for `container_file_citation` annotations. A figure becomes a file beside the others
 * (`/mnt/data/<call>-figure-1.png`), placed in /mnt/data on the next call. Nothing is shown as an image_file of a
 * message: a container file is not a File.
 */
export async function keepInContainer(
  deps: { sessions: CodeSessions; containerFiles: ContainerFiles; inputs: WorkDirInputs },
  { sessionId: containerId, context, images, written }: CallProducts,
  outputs: CodeOutputs,
): Promise<KeptOutputs> {
  const keep = async (path: string, source: Readable) => {
    const file = await deps.containerFiles.save(context.project, containerId, path, source);
    if (file) context.generatedFiles.set(path, file.id);
    return file;
  };
  for (const [index, image] of images.entries()) {
    const file = await keep(`${CONTAINER_DATA_DIR}/${figureName(context.callId, index)}`, Readable.from([image]));
    if (file) outputs.push({ type: 'image', image: { file_id: file.id } });
  }
  const created: string[] = [];
  for (const changed of written) {
    const { stream } = await deps.sessions.openFile(containerId, changed.filename);
    const path = `${CONTAINER_DATA_DIR}/${changed.filename}`;
    const file = await keep(path, stream);
    if (!file) continue;
    deps.inputs.wrote(containerId, file.id, changed.filename);
    created.push(`sandbox:${path}`);
  }
  return { imageFileIds: [], created };
}

function figureName(callId: string, index: number): string {
  return `${callId}-figure-${index + 1}.png`;
}
