/** The items of a comma-separated value (a variable, a header, a query parameter), trimmed, empty ones dropped. */
export function commaList(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
