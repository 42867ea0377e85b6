import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Client } from './api/types.js';

/** The signed-in state every screen shares: the SDK client and the key it sends. */
export interface Session {
  client: Client;
  apiKey: string;
  /** Drops the key and brings the key prompt back (a 401 anywhere). */
  onUnauthorized: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionContext');
  return session;
}
