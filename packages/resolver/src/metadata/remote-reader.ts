import { Worker } from 'node:worker_threads';
import { ResolverError, type ResolverErrorCode } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import type { MetadataWorkerData, WorkerAnswer, WorkerMessage, WorkerRequest } from './metadata-worker.js';
import { readRemote, type RemoteRead, type RemoteResult } from './remote-metadata.js';

/** Reads made on the main thread before the worker is started (see the constructor). */
export const START_AFTER = 64;

interface Pending {
  read: RemoteRead;
  resolve: (result: RemoteResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Metadata reads from the index (PEP 658 files, range reads), made by a worker thread once it is up:
 * a backtracking walk reads hundreds of releases' metadata, and receiving them — HTTP/2 streams, TLS,
 * inflating, ZIP parsing — cost as much CPU as the solver itself. On a second core the solver no
 * longer waits for it. The first reads of a resolve (START_AFTER) are made here and start no worker.
 * Until the worker has started (~0.1 s), and for good if it cannot start or
 * dies, reads are made on this thread with the session's own client (a read the worker had in hand
 * is made again here), so the worker changes when a read is done, never what it answers.
 */
export class RemoteMetadataReader {
  private worker: Worker | undefined;
  private ready = false;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The credentials handed over last (JSON): registered or changed ones go with the next requests. */
  private sentCredentials = '';

  /** Reads answered by the worker and on this thread (for tests and profiles). */
  readonly counts = { worker: 0, here: 0 };
  private settle!: (up: boolean) => void;
  /** True once the worker is up; false if it could not start or has stopped. */
  readonly whenReady = new Promise<boolean>((resolve) => (this.settle = resolve));

  /**
   * `startAfter`: reads made on this thread before the worker is started. A resolve of a few dozen
   * packages is over before a worker would pay for its start (its own module loading and TLS
   * context); a walk through hundreds of releases is what it is for.
   */
  constructor(
    private readonly http: HttpClient,
    private readonly startAfter = START_AFTER,
  ) {}

  read(read: RemoteRead): Promise<RemoteResult> {
    if (this.counts.here >= this.startAfter) this.start();
    const worker = this.worker;
    if (!worker || !this.ready) return this.here(read);
    this.counts.worker++;
    return new Promise<RemoteResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { read, resolve, reject });
      // Only while it has work does the worker keep the process alive.
      if (this.pending.size === 1) worker.ref();
      this.send(worker, { id, read });
    });
  }

  /** Requests made in one turn (a prefetch batch) go over as one message. */
  private outbox: WorkerRequest[] = [];

  private send(worker: Worker, request: WorkerRequest): void {
    this.outbox.push(request);
    if (this.outbox.length > 1) return;
    queueMicrotask(() => {
      const requests = this.outbox;
      this.outbox = [];
      const credentials = this.http.credentials.registered();
      const message: WorkerMessage = { requests };
      const text = JSON.stringify(credentials);
      if (text !== this.sentCredentials) {
        this.sentCredentials = text;
        message.credentials = credentials;
      }
      worker.postMessage(message);
    });
  }

  private here(read: RemoteRead): Promise<RemoteResult> {
    this.counts.here++;
    return readRemote(this.http, read);
  }

  private start(): void {
    if (this.worker || this.failed) return;
    const credentials = this.http.credentials.registered();
    this.sentCredentials = JSON.stringify(credentials);
    const data: MetadataWorkerData = { http: this.http.options, credentials };
    let worker: Worker;
    try {
      worker = startWorker(data);
    } catch {
      this.failed = true;
      this.settle(false);
      return;
    }
    this.worker = worker;
    worker.unref();
    worker.on('message', (answer: WorkerAnswer) => {
      if ('ready' in answer) {
        this.ready = !this.failed;
        this.settle(this.ready);
        return;
      }
      const pending = this.pending.get(answer.id);
      if (!pending) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if ('result' in answer) pending.resolve(answer.result);
      else
        pending.reject(
          answer.error.code
            ? new ResolverError(answer.error.code as ResolverErrorCode, answer.error.message)
            : new Error(answer.error.message),
        );
    });
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  /** The worker is gone: what it had in hand is read here. */
  private fail(): void {
    this.failed = true;
    this.ready = false;
    this.settle(false);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) this.here(p.read).then(p.resolve, p.reject);
  }

  /** Stop the worker (its reads are all answered: the session waits for its requests before closing). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.failed = true;
    this.ready = false;
    this.settle(false);
    await worker.terminate();
  }
}

/**
 * The worker runs the compiled module beside this one. From TypeScript sources (the test suite runs
 * them), the worker imports the `.ts` files through a resolve hook that maps the sources' `.js`
 * specifiers, with types transformed away as the main thread's loader does.
 */
function startWorker(data: MetadataWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./metadata-worker.js', here), { workerData: data });
  const entry = new URL('./metadata-worker.ts', here).href;
  const bootstrap = `(async () => {
    const { registerHooks } = await import('node:module');
    registerHooks({
      resolve(specifier, context, next) {
        try { return next(specifier, context); }
        catch (err) {
          if (/^\\.\\.?\\//.test(specifier) && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
          throw err;
        }
      },
    });
    await import(${JSON.stringify(entry)});
  })();`;
  return new Worker(bootstrap, {
    eval: true,
    workerData: data,
    execArgv: ['--experimental-transform-types', '--disable-warning=ExperimentalWarning'],
  });
}
