import { Family } from '../../core/crdt/crdtType';
import { Json } from '../../core/json';
import { ObjectKey } from '../../core/transaction';
import { clockText, valueText } from '../model/format';
import { ChangeView, sequenceOfChange } from '../model/lastChange';
import { HistoryView as HistoryData, ValueAsOfResult } from '../protocol';
import { errorText } from './actions';
import { h, icon, replaceChildren, replicaColorClass } from './dom';

/** What the history needs from the host. */
export interface HistoryActions {
  history(object: ObjectKey): Promise<HistoryData>;
  valueAsOf(object: ObjectKey, origin: string, seq: number): Promise<ValueAsOfResult>;
}

/** Date and time in the page's language (the editor's display language). */
export function changeTime(at: number): string {
  return new Date(at).toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

function valueAsText(family: Family, value: Json): string {
  if (family === 'flag') return value === true ? 'enabled' : 'disabled';
  if (Array.isArray(value) && (family === 'set' || family === 'register')) {
    return value.length === 0 ? (family === 'set' ? 'empty' : 'no value') : value.map((v) => valueText(v, 80)).join(', ');
  }
  return valueText(value);
}

/**
 * An object's history in its card: the transactions that touched it, newest first; choosing one
 * shows the object's value as of that transaction, replayed by the host from its log.
 */
export class ObjectHistoryView {
  readonly root: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly note: HTMLElement;
  private readonly asOf: HTMLElement;
  private selected: string | undefined;
  private loads = 0;

  constructor(
    private readonly object: ObjectKey,
    private readonly family: Family,
    private readonly actions: HistoryActions,
  ) {
    this.list = h('ol', { class: 'history-list', attrs: { 'aria-label': 'Changes, newest first' } });
    this.note = h('div', { class: 'muted history-note' });
    this.asOf = h('div', { class: 'history-value', attrs: { 'aria-live': 'polite' } });
    this.root = h('div', { class: 'internal history' }, h('div', { class: 'internal-title' }, 'History'), this.list, this.note, this.asOf);
  }

  /** Asks the host again (the card opened, or the object changed while open). */
  async load(): Promise<void> {
    const load = ++this.loads;
    try {
      const data = await this.actions.history(this.object);
      if (load === this.loads) this.render(data);
    } catch (error) {
      if (load === this.loads) replaceChildren(this.note, icon('error'), ` History unavailable: ${errorText(error)}`);
    }
  }

  private render(data: HistoryData): void {
    replaceChildren(this.list, ...data.entries.map((entry) => this.row(entry)));
    const before = data.unavailableBefore;
    replaceChildren(
      this.note,
      data.entries.length === 0 && before === null ? 'No logged changes.' : '',
      before === null ? '' : `Unavailable before ${clockText(before)}: older changes are only in a snapshot, and values are not replayed.`,
    );
  }

  private row(entry: ChangeView): HTMLLIElement {
    const seq = sequenceOfChange(entry);
    const id = `${entry.origin}:${seq}`;
    const li = h(
      'li',
      {
        class: `history-entry${id === this.selected ? ' selected' : ''}`,
        data: { origin: entry.origin, seq: String(seq) },
        attrs: { role: 'button', tabindex: 0, 'aria-pressed': String(id === this.selected) },
        on: {
          click: () => void this.select(li, entry, seq),
          keydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              void this.select(li, entry, seq);
            }
          },
        },
      },
      h(
        'span',
        { class: `replica-name ${replicaColorClass(entry.origin)}`, title: entry.origin },
        h('span', { class: 'dot' }),
        entry.author,
      ),
      ' ',
      h('span', { class: 'history-op' }, entry.op),
      ' ',
      h('span', { class: 'muted history-time' }, changeTime(entry.at)),
      ' ',
      h('span', { class: 'mono muted history-clock', title: 'vector clock after this transaction' }, clockText(entry.clock)),
    );
    return li;
  }

  private async select(li: HTMLLIElement, entry: ChangeView, seq: number): Promise<void> {
    this.selected = `${entry.origin}:${seq}`;
    for (const other of this.list.querySelectorAll('.history-entry')) {
      other.classList.toggle('selected', other === li);
      other.setAttribute('aria-pressed', String(other === li));
    }
    const label = `As of ${entry.author}'s ${entry.op} (${clockText(entry.clock)}): `;
    replaceChildren(this.asOf, icon('loading', 'codicon-modifier-spin'), ' replaying…');
    try {
      const result = await this.actions.valueAsOf(this.object, entry.origin, seq);
      if (this.selected !== `${entry.origin}:${seq}`) return;
      replaceChildren(
        this.asOf,
        label,
        result.available
          ? h('span', { class: 'chip as-of-value' }, valueAsText(this.family, result.value))
          : h('span', { class: 'muted as-of-value' }, 'unavailable (not in the log)'),
      );
    } catch (error) {
      replaceChildren(this.asOf, icon('error'), ` ${errorText(error)}`);
    }
  }
}
