/** Tiny DOM construction helpers: the panel builds its DOM by hand (no framework in the page). */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly data?: Readonly<Record<string, string>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

function setAttrs(el: Element, attrs: Props['attrs']): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  setAttrs(el, props.attrs);
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = v;
  for (const [event, handler] of Object.entries(props.on ?? {})) el.addEventListener(event, handler as EventListener);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number | undefined>> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A toolbar-style icon button (as in VS Code's view title bars), cheaper than a custom element per row. */
export function iconButton(name: string, label: string, onClick: (event: MouseEvent) => void, extraClass = ''): HTMLButtonElement {
  return h(
    'button',
    {
      class: `icon-button${extraClass ? ` ${extraClass}` : ''}`,
      title: label,
      attrs: { type: 'button', 'aria-label': label },
      on: {
        click: (event) => {
          event.stopPropagation();
          onClick(event);
        },
      },
    },
    icon(name),
  );
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  append(parent, children);
}

/** A stable color slot per replica id, the same everywhere in the panel (dots, lanes, chips). */
export function replicaColorClass(replica: string): string {
  let hash = 0;
  for (let i = 0; i < replica.length; i++) hash = (hash * 31 + replica.charCodeAt(i)) | 0;
  return `replica-c${Math.abs(hash) % 8}`;
}
