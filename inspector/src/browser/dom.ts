/**
 * A tiny DOM builder for the inspector's views: elements from a tag, attributes and children,
 * text always set as text (never parsed as HTML, so object contents cannot inject markup).
 */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

/*
 * Writers for views shown again in place (every generation, while following): they touch the DOM
 * only when the value differs, since rewriting a text, even the same, takes away a selection in it.
 */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets the attribute `name` to `value`, or removes it when `value` is undefined. */
export function setAttribute(el: Element, name: string, value: string | undefined): void {
  if (value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/**
 * Makes `select`'s options `wanted` ([value, label], in order) in place: options kept keep their
 * elements, only missing ones are added and gone ones removed. The value chosen stays chosen
 * while it is among them.
 */
export function setOptions(select: HTMLSelectElement, wanted: readonly (readonly [string, string])[]): void {
  const chosen = select.value;
  const values = new Set(wanted.map(([value]) => value));
  for (const option of [...select.options]) if (!values.has(option.value)) option.remove();
  const byValue = new Map([...select.options].map((o) => [o.value, o]));
  let at: ChildNode | null = select.firstChild;
  for (const [value, label] of wanted) {
    let option = byValue.get(value);
    if (!option) {
      option = h('option', { value }, label);
      byValue.set(value, option);
    } else setText(option, label);
    if (option === at) at = at.nextSibling;
    else select.insertBefore(option, at);
  }
  if (select.value !== chosen && values.has(chosen)) select.value = chosen;
}

/** 1234567 → "1.2 MB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
