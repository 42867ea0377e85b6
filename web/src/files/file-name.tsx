import { useEffect, useState } from 'preact/hooks';
import type { Client } from '../api/types.js';
import { useSession } from '../session.js';

const names = new Map<string, Promise<string>>();

/** A File's name, looked up once per page. */
export function fileName(client: Client, fileId: string): Promise<string> {
  let name = names.get(fileId);
  if (name === undefined) {
    name = client.files.retrieve(fileId).then(
      (file) => file.filename,
      () => fileId,
    );
    names.set(fileId, name);
  }
  return name;
}

export function FileName({ fileId }: { fileId: string }) {
  const { client } = useSession();
  const [name, setName] = useState(fileId);
  useEffect(() => {
    let live = true;
    void fileName(client, fileId).then((found) => live && setName(found));
    return () => {
      live = false;
    };
  }, [client, fileId]);
  return <span title={fileId}>{name}</span>;
}
