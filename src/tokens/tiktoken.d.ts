// gpt-tokenizer's `.tiktoken` rank files, imported as text (wrangler.toml `rules`: Text modules, loaded at first use).
declare module 'gpt-tokenizer/data/*.tiktoken' {
  const ranks: string;
  export default ranks;
}
