/** The end of an async iteration, one shared object for every plain iterator on the stream path. */
export const ITERATION_DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One value as an async iterator (a plain one: no generator on the path every call takes). */
export function once<T>(value: T): AsyncIterableIterator<T> {
  let read = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => {
      if (read) return Promise.resolve(ITERATION_DONE);
      read = true;
      return Promise.resolve({ done: false, value });
    },
    return: () => {
      read = true;
      return Promise.resolve(ITERATION_DONE);
    },
  };
}
