// Built by scripts/build-playground.ts from public/playground/notice.ts: edit that file, not this one.
import { byId, el } from './dom.js';
                                                    

const box = byId('error');

/** Shows a failure to the person (an alert region, so screen readers announce it). */
export function showError({ title, detail }           )       {
  box.replaceChildren(el('strong', '', title), el('span', '', detail));
  box.hidden = false;
}

export function clearError()       {
  box.hidden = true;
  box.replaceChildren();
}
