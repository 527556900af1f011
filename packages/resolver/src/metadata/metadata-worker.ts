// The metadata worker thread (see remote-reader.ts): reads wheels' metadata from the index with its
// own HTTP client, so the requests, TLS, decompression and ZIP parsing of a backtracking walk run
// beside the solver instead of on its thread.
import module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { ResolverError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../http/client.js';
import { readRemote, type RemoteRead } from './remote-metadata.js';

/** What the main thread hands over: the client's options and the credentials registered so far. */
export interface MetadataWorkerData {
  http: HttpOptions;
  credentials: [string, string][];
}

/** A request, and its answer: the result, or the error as a ResolverError's code and message. */
export interface WorkerRequest {
  id: number;
  read: RemoteRead;
}
/** What the main thread sends: requests made in one turn, and credentials registered since the last message. */
export interface WorkerMessage {
  requests: WorkerRequest[];
  credentials?: [string, string][];
}
export type WorkerAnswer =
  | { ready: true }
  | { id: number; result: Awaited<ReturnType<typeof readRemote>> }
  | { id: number; error: { code?: string; message: string } };

const port = parentPort;
if (port) {
  // As the nx-pex CLI does: compiled code of what this thread loads (undici) is kept between runs.
  module.enableCompileCache?.();
  const data = workerData as MetadataWorkerData;
  const http = new HttpClient(data.http);
  http.credentials.adopt(data.credentials);
  port.on('message', (message: WorkerMessage) => {
    if (message.credentials) http.credentials.adopt(message.credentials);
    for (const { id, read } of message.requests) {
      readRemote(http, read).then(
        (result) => port.postMessage({ id, result } satisfies WorkerAnswer),
        (err: unknown) =>
          port.postMessage({
            id,
            error: {
              ...(err instanceof ResolverError ? { code: err.code } : {}),
              message: err instanceof Error ? err.message : String(err),
            },
          } satisfies WorkerAnswer),
      );
    }
  });
  port.postMessage({ ready: true } satisfies WorkerAnswer);
}
