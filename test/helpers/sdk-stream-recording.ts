import type { AnnotationDeltaView, AnnotationView, AssistantStreamView, TextView } from './sdk-adapter.js';

/** What an `AssistantStream` of any SDK generation told its listeners, in order. */
export interface SdkStreamRecording {
  /** Raw event names, a run of the same name kept once (how many deltas arrive depends on chunking). */
  readonly events: string[];
  /**
   * The callbacks in order, labelled with the argument's type and status where it has one, a repeated label kept
   * once, as stream-recorder.ts does for 7.x. `run` is left out: only 7.x emits it.
   */
  readonly callbacks: string[];
  /**
   * Each `textDelta`: its piece of text, the annotations it carried, and the annotations of the SDK's snapshot of
   * the whole text at that point (`undefined` when the snapshot has none: see `TextSnapshotView`).
   */
  readonly textDeltas: Array<{
    value: string;
    annotations: AnnotationDeltaView[];
    snapshotAnnotations: AnnotationView[] | undefined;
  }>;
  /** Each `textDone`'s text, copied as it came (the SDK goes on mutating its snapshots). */
  readonly textsDone: TextView[];
  /** The code_interpreter input the `toolCallDelta`s carried, joined (the quickstart shows it as it streams). */
  codeInput: string;
  /** The file id of each `imageFileDone`. */
  readonly imagesDone: string[];
}

/** Listens to every callback of `stream`; read the recording once the stream has ended. */
export function recordSdkStream(stream: AssistantStreamView): SdkStreamRecording {
  const recording: SdkStreamRecording = {
    events: [],
    callbacks: [],
    textDeltas: [],
    textsDone: [],
    codeInput: '',
    imagesDone: [],
  };
  const note = (list: string[], label: string): void => {
    if (list.at(-1) !== label) list.push(label);
  };
  const callback = (label: string) => note(recording.callbacks, label);
  stream.on('connect', () => callback('connect'));
  stream.on('event', (event) => note(recording.events, event.event));
  stream.on('runStepCreated', (step) => callback(`runStepCreated:${step.type}`));
  stream.on('runStepDone', (step) => callback(`runStepDone:${step.type}:${step.status}`));
  stream.on('toolCallCreated', (call) => callback(`toolCallCreated:${call.type}`));
  stream.on('toolCallDelta', (delta) => {
    callback(`toolCallDelta:${delta.type}`);
    recording.codeInput += delta.code_interpreter?.input ?? '';
  });
  stream.on('toolCallDone', (call) => callback(`toolCallDone:${call.type}`));
  stream.on('messageCreated', () => callback('messageCreated'));
  stream.on('messageDone', (message) => callback(`messageDone:${message.status}`));
  stream.on('textCreated', () => callback('textCreated'));
  stream.on('textDelta', (delta, snapshot) => {
    callback('textDelta');
    recording.textDeltas.push({
      value: delta.value ?? '',
      annotations: structuredClone(delta.annotations ?? []),
      snapshotAnnotations: structuredClone(snapshot.annotations),
    });
  });
  stream.on('textDone', (text) => {
    callback('textDone');
    recording.textsDone.push(structuredClone(text));
  });
  stream.on('imageFileDone', (image) => {
    callback('imageFileDone');
    recording.imagesDone.push(image.file_id);
  });
  stream.on('end', () => callback('end'));
  return recording;
}
