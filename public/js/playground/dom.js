// Built by scripts/build-playground.ts from public/playground/dom.ts: edit that file, not this one.
/** The element with this id; the page is static, so a missing one is a bug worth failing loudly on. */
export function byId                                     (id        )    {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The playground page has no #${id}.`);
  return element     ;
}

/** A new element with a class and text. */
export function el                                       (tag   , className = '', text = '')                           {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text) element.textContent = text;
  return element;
}
