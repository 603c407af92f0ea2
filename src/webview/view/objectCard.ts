import { Family } from '../../core/crdt/crdtType';
import { crdtType } from '../../core/crdt/registry';
import { Json } from '../../core/json';
import { objectId } from '../../core/transaction';
import { valueText } from '../model/format';
import { authorIds, lastChangeText } from '../model/lastChange';
import { ObjectEntry } from '../protocol';
import { PanelActions, errorText } from './actions';
import { VscodeCheckbox, checkbox } from './controls';
import { h, icon, iconButton, replaceChildren } from './dom';
import { ObjectHistoryView, changeTime } from './historyView';
import { counterBody, flagBody, registerBody } from './objectBodies';
import { SetBody } from './setBody';

/** The part of a card that opens below its head: the object's controls and internal state. */
export interface CardBody {
  readonly root: HTMLElement;
  update(entry: ObjectEntry): void;
  focus?(): void;
}

export interface CardContext {
  readonly actions: PanelActions;
  readonly onExpand: (id: string, open: boolean) => void;
}

const PREVIEW_ELEMENTS = 4;

/** One object: a head with its value and quick controls, and details on demand. */
export class ObjectCard {
  readonly root: HTMLDivElement;
  readonly id: string;
  private entry: ObjectEntry;
  private readonly family: Family;
  private readonly chevron: HTMLSpanElement;
  private readonly valueSlot: HTMLDivElement;
  private readonly lastChangeLine: HTMLDivElement;
  private history: ObjectHistoryView | undefined;
  private readonly errorLine: HTMLDivElement;
  private readonly details: HTMLDivElement;
  private readonly toggle: VscodeCheckbox | undefined;
  private body: CardBody | undefined;
  private open = false;
  private busy = 0;

  constructor(
    entry: ObjectEntry,
    private readonly context: CardContext,
  ) {
    this.entry = entry;
    this.id = objectId(entry);
    const { descriptor } = crdtType(entry.type);
    this.family = descriptor.family;
    this.chevron = icon('chevron-right', 'chevron');
    this.valueSlot = h('div', { class: 'object-value' });
    this.lastChangeLine = h('div', { class: 'muted last-change' });
    this.errorLine = h('div', { class: 'inline-error', attrs: { role: 'alert', hidden: true } });
    this.details = h('div', { class: 'object-details', attrs: { hidden: true } });
    const controls = h('div', { class: 'object-controls' });
    if (this.family === 'flag') {
      this.toggle = checkbox('', {
        toggle: true,
        title: 'Enable or disable this flag',
        onChange: (checked) => void this.run(() => this.context.actions.setFlag(this.entry, checked)),
      });
      controls.append(this.toggle);
    } else if (this.family === 'counter') {
      controls.append(
        iconButton(
          'remove',
          'Decrement by 1',
          () => void this.run(() => this.context.actions.changeCounter(this.entry, 'decrement', 1)),
          'counter-dec',
        ),
        iconButton(
          'add',
          'Increment by 1',
          () => void this.run(() => this.context.actions.changeCounter(this.entry, 'increment', 1)),
          'counter-inc',
        ),
      );
    } else {
      const [glyph, label] = this.family === 'set' ? ['add', 'Add an element'] : ['edit', 'Assign a value'];
      controls.append(iconButton(glyph, label, () => this.setOpen(true, true)));
    }
    const head = h(
      'div',
      {
        class: 'object-head',
        attrs: { role: 'button', tabindex: 0, 'aria-expanded': 'false' },
        on: {
          click: () => this.setOpen(!this.open),
          keydown: (event) => {
            if ((event.key === 'Enter' || event.key === ' ') && event.target === head) {
              event.preventDefault();
              this.setOpen(!this.open);
            }
          },
        },
      },
      this.chevron,
      icon(descriptor.icon, `type-icon family-${this.family}`),
      h('span', { class: 'object-key', title: `${entry.bucket}/${entry.key}` }, entry.key),
      h('span', { class: 'type-badge', title: descriptor.explanation }, entry.type),
      this.valueSlot,
      controls,
    );
    // Clicks on the quick controls must not open or close the card.
    controls.addEventListener('click', (event) => event.stopPropagation());
    this.root = h(
      'div',
      { class: `object-card family-${this.family}`, data: { id: this.id, type: entry.type } },
      head,
      this.lastChangeLine,
      this.errorLine,
      this.details,
    );
    this.renderValue();
  }

  get expanded(): boolean {
    return this.open;
  }

  update(entry: ObjectEntry, flash: boolean): void {
    const changed = JSON.stringify(entry.lastChange) !== JSON.stringify(this.entry.lastChange);
    this.entry = entry;
    this.renderValue();
    this.body?.update(entry);
    if (changed && this.open) void this.history?.load();
    if (flash) {
      this.root.classList.remove('flash');
      // Restart the highlight animation for back-to-back changes.
      void this.root.offsetWidth;
      this.root.classList.add('flash');
    }
  }

  setOpen(open: boolean, focus = false): void {
    if (open !== this.open) {
      this.open = open;
      this.root.classList.toggle('open', open);
      this.root.querySelector('.object-head')?.setAttribute('aria-expanded', String(open));
      this.details.hidden = !open;
      if (open && !this.body) {
        this.body = this.createBody();
        this.history = new ObjectHistoryView(this.entry, this.family, this.context.actions);
        this.details.append(this.body.root, this.history.root);
      }
      if (open) {
        this.body?.update(this.entry);
        void this.history?.load();
      }
      this.context.onExpand(this.id, open);
    }
    if (open && focus) this.body?.focus?.();
  }

  /** Runs one action against the host, marking the card busy and showing a refusal inline. */
  readonly run = async (action: () => Promise<void>): Promise<boolean> => {
    this.busy++;
    this.root.classList.add('busy');
    this.showError(null);
    try {
      await action();
      return true;
    } catch (error) {
      this.showError(errorText(error));
      // A refused toggle must show the flag's real value again.
      this.renderValue();
      return false;
    } finally {
      if (--this.busy === 0) this.root.classList.remove('busy');
    }
  };

  readonly showError = (message: string | null): void => {
    this.errorLine.hidden = message === null;
    replaceChildren(this.errorLine, message === null ? null : icon('error'), message ?? '');
  };

  private createBody(): CardBody {
    const deps = { actions: this.context.actions, run: this.run, fail: this.showError };
    switch (this.family) {
      case 'flag':
        return flagBody();
      case 'counter':
        return counterBody(deps);
      case 'set':
        return new SetBody(deps);
      case 'register':
        return registerBody(deps);
    }
  }

  private renderValue(): void {
    const value = this.entry.value;
    const last = this.entry.lastChange;
    this.lastChangeLine.hidden = last === undefined;
    this.lastChangeLine.textContent = last ? lastChangeText(last, this.family, value, changeTime) : '';
    this.lastChangeLine.title = last ? authorIds(last) : '';
    switch (this.family) {
      case 'flag': {
        const on = value === true;
        if (this.toggle) this.toggle.checked = on;
        replaceChildren(this.valueSlot, h('span', { class: `flag-state ${on ? 'on' : 'off'}` }, on ? 'enabled' : 'disabled'));
        return;
      }
      case 'counter':
        replaceChildren(
          this.valueSlot,
          h('span', { class: 'counter-value' }, typeof value === 'number' ? value.toLocaleString('en-US') : '?'),
        );
        return;
      case 'set':
        replaceChildren(this.valueSlot, ...setPreview(Array.isArray(value) ? value : []));
        return;
      case 'register':
        replaceChildren(this.valueSlot, ...registerPreview(Array.isArray(value) ? value : []));
        return;
    }
  }
}

function setPreview(elements: readonly Json[]): Node[] {
  const chips = elements.slice(0, PREVIEW_ELEMENTS).map((e) => h('span', { class: 'chip' }, valueText(e, 40)));
  const more = elements.length - PREVIEW_ELEMENTS;
  return [
    h('span', { class: 'count' }, elements.length === 1 ? '1 element' : `${elements.length.toLocaleString('en-US')} elements`),
    ...chips,
    more > 0 ? h('span', { class: 'more' }, `+${more.toLocaleString('en-US')} more`) : document.createTextNode(''),
  ];
}

function registerPreview(values: readonly Json[]): Node[] {
  if (values.length === 0) return [h('span', { class: 'muted' }, 'no value')];
  const chips = values.slice(0, PREVIEW_ELEMENTS).map((v) => h('span', { class: 'chip' }, valueText(v, 60)));
  if (values.length === 1) return chips;
  return [
    h(
      'span',
      { class: 'badge warn', title: 'Concurrent assigns: the next assign on any replica that has seen them all overwrites them' },
      `${values.length} concurrent`,
    ),
    ...chips,
  ];
}
