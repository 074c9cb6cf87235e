// gpt-tokenizer's `.tiktoken` rank files as text, for the tests that read them from node_modules (Vite's `?raw`).
declare module 'gpt-tokenizer/data/*.tiktoken?raw' {
  const ranks: string;
  export default ranks;
}
