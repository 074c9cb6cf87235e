import { byId, el } from './dom.ts';
import type { Explained } from './explain-error.ts';

const box = byId('error');

/** Shows a failure to the person (an alert region, so screen readers announce it). */
export function showError({ title, detail }: Explained): void {
  box.replaceChildren(el('strong', '', title), el('span', '', detail));
  box.hidden = false;
}

export function clearError(): void {
  box.hidden = true;
  box.replaceChildren();
}
