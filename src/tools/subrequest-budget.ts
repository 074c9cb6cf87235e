// One request's outbound requests, counted against MAX_SUBREQUESTS: the Workers runtime fails every fetch past its
// own per-request limit (50 on the Free plan), so the tool loop stops short of it and says why instead.

/** A tool's fetch refused because the request has spent its outbound requests; its message is what the model reads. */
export class SubrequestLimitError extends Error {}

/** The outbound requests one request may still make: model attempts and tool fetches alike. */
export class SubrequestBudget {
  readonly max: number;
  #used = 0;

  constructor(max: number) {
    this.max = max;
  }

  get used(): number {
    return this.#used;
  }

  get remaining(): number {
    return Math.max(0, this.max - this.#used);
  }

  /** Counts requests already made (a model step's attempts). */
  spend(n: number): void {
    this.#used += n;
  }

  /**
   * Wraps `fetch` so each call takes one request, keeping `reserve` back (the model call that must read the
   * tools' results); past that it rejects with a SubrequestLimitError and nothing is sent.
   */
  limit(fetch: typeof globalThis.fetch, tool: string, reserve: number): typeof globalThis.fetch {
    return (input, init) => {
      if (this.#used + reserve >= this.max) {
        return Promise.reject(
          new SubrequestLimitError(
            `${tool} was not let make another outbound request: this request has made ${this.#used} of its ${this.max} (MAX_SUBREQUESTS), and the rest are kept for the model`,
          ),
        );
      }
      this.#used++;
      return fetch(input, init);
    };
  }
}
