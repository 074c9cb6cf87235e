// Per-scenario bookkeeping for `/__mock/calls/:id`: how many attempts the
// gateway made, what it sent, and how many it abandoned mid-answer.

export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface CallsReport {
  count: number;
  requests: RecordedRequest[];
  closed_by_client: number;
}

// Bounded so a benchmark that sets an id cannot grow memory without limit.
const MAX_RECORDED = 1000;

export class CallRegistry {
  #byId = new Map<string, CallsReport>();

  /** Records one attempt and returns its 0-based attempt number. */
  record(id: string, request: RecordedRequest): number {
    let entry = this.#byId.get(id);
    if (entry === undefined) {
      entry = { count: 0, requests: [], closed_by_client: 0 };
      this.#byId.set(id, entry);
    }
    if (entry.requests.length < MAX_RECORDED) entry.requests.push(request);
    return entry.count++;
  }

  closedByClient(id: string): void {
    const entry = this.#byId.get(id);
    if (entry !== undefined) entry.closed_by_client++;
  }

  report(id: string): CallsReport {
    return this.#byId.get(id) ?? { count: 0, requests: [], closed_by_client: 0 };
  }

  clear(id?: string): void {
    if (id === undefined) this.#byId.clear();
    else this.#byId.delete(id);
  }
}
