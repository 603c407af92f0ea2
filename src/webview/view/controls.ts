/**
 * Native-looking form controls from @vscode-elements/elements, built with the panel's own helpers.
 * Importing the element modules registers the custom elements.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { h } from './dom';

export type { VscodeCheckbox };

export function button(
  label: string,
  onClick: () => void,
  options: { icon?: string; secondary?: boolean; title?: string; class?: string } = {},
): VscodeButton {
  const el = document.createElement('vscode-button');
  el.textContent = label;
  if (options.icon) el.icon = options.icon;
  if (options.secondary) el.secondary = true;
  if (options.title) el.title = options.title;
  if (options.class) el.className = options.class;
  el.addEventListener('click', (event) => {
    event.stopPropagation();
    if (!el.disabled) onClick();
  });
  return el;
}

export function textField(options: {
  placeholder: string;
  label: string;
  onEnter?: () => void;
  onInput?: (value: string) => void;
  value?: string;
  class?: string;
  icon?: string;
}): VscodeTextfield {
  const el = document.createElement('vscode-textfield');
  el.placeholder = options.placeholder;
  el.setAttribute('aria-label', options.label);
  if (options.value) el.value = options.value;
  if (options.class) el.className = options.class;
  if (options.icon) {
    const glyph = h('span', { class: `codicon codicon-${options.icon}`, attrs: { slot: 'content-before', 'aria-hidden': 'true' } });
    el.appendChild(glyph);
  }
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && options.onEnter) {
      event.preventDefault();
      options.onEnter();
    }
  });
  if (options.onInput) {
    const onInput = options.onInput;
    el.addEventListener('input', () => onInput(el.value));
  }
  return el;
}

export function checkbox(
  label: string,
  options: { toggle?: boolean; checked?: boolean; title?: string; onChange?: (checked: boolean) => void } = {},
): VscodeCheckbox {
  const el = document.createElement('vscode-checkbox');
  el.label = label;
  if (options.toggle) el.toggle = true;
  el.checked = options.checked ?? false;
  if (options.title) el.title = options.title;
  const onChange = options.onChange;
  if (onChange) el.addEventListener('change', () => onChange(el.checked));
  return el;
}

export function select(options: readonly { value: string; label: string }[], selected: string, label: string): VscodeSingleSelect {
  const el = document.createElement('vscode-single-select');
  el.setAttribute('aria-label', label);
  for (const option of options) {
    const o = document.createElement('vscode-option');
    o.value = option.value;
    o.textContent = option.label;
    if (option.value === selected) o.selected = true;
    el.appendChild(o);
  }
  return el;
}
