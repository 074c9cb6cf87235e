// A minimal Chrome DevTools Protocol client over WebSocket (Node's global WebSocket), enough to drive
// V8's CPU profiler in a workerd isolate through `workerd serve --inspector-addr`.

/** An open DevTools session with one workerd service's isolate. */
export interface InspectorSession {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/** Connects to `ws://<address>/<service>` and resolves when the socket is open. */
export async function connectInspector(address: string, service: string, timeoutMs = 30_000): Promise<InspectorSession> {
  const socket = new WebSocket(`ws://${address}/${service}`);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  socket.addEventListener('message', (event: MessageEvent) => {
    const message: unknown = JSON.parse(String(event.data));
    if (typeof message !== 'object' || message === null || !('id' in message) || typeof message.id !== 'number') return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ('error' in message) waiter.reject(new Error(`inspector: ${JSON.stringify(message.error)}`));
    else waiter.resolve('result' in message ? message.result : undefined);
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`Cannot open the inspector at ws://${address}/${service}`)), { once: true });
  });
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('inspector: connection closed'));
    pending.clear();
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        // A command the isolate never answers must not hang the run.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`inspector: no answer to ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** The isolate's JavaScript heap in use, MiB (V8's own count: what Workers' per-isolate memory limit measures). */
export async function heapUsedMiB(session: InspectorSession): Promise<number> {
  const usage: unknown = await session.send('Runtime.getHeapUsage');
  if (typeof usage !== 'object' || usage === null || !('usedSize' in usage) || typeof usage.usedSize !== 'number')
    throw new Error(`inspector: unexpected Runtime.getHeapUsage answer ${JSON.stringify(usage)}`);
  return usage.usedSize / 2 ** 20;
}
