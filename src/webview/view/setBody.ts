import { Json, canonicalJson } from '../../core/json';
import { count, valueText } from '../model/format';
import { TagView } from '../model/internals';
import { ObjectEntry } from '../protocol';
import { textField } from './controls';
import { h, iconButton, replaceChildren } from './dom';
import { BodyDeps, internalOf, loadingNote, tagChip, unreadable } from './objectBodies';
import type { CardBody } from './objectCard';
import { ValueEntry } from './valueEntry';
import { VirtualList } from './virtualList';

const ROW_HEIGHT = 26;
const VISIBLE_ROWS = 12;
const TAGS_SHOWN = 3;

/** A set's elements (virtualized), with add, remove, a filter, and the tags or tombstones behind them. */
export class SetBody implements CardBody {
  readonly root: HTMLDivElement;
  private entry: ObjectEntry | undefined;
  private elements: readonly Json[] = [];
  private texts: readonly string[] = [];
  private tags: ReadonlyMap<string, readonly TagView[]> | undefined;
  private filter = '';
  private readonly adder: ValueEntry;
  private readonly info: HTMLDivElement;
  private readonly list: VirtualList<number>;
  private readonly internal: HTMLDivElement;
  private readonly tombstones: VirtualList<Json>;

  constructor(private readonly deps: BodyDeps) {
    this.adder = new ValueEntry({
      placeholder: 'New element',
      label: 'Element to add',
      buttonLabel: 'Add',
      buttonIcon: 'add',
      run: deps.run,
      fail: deps.fail,
      submit: (element) => (this.entry ? deps.actions.addElement(this.entry, element) : Promise.resolve()),
    });
    const filter = textField({
      placeholder: 'Filter elements',
      label: 'Filter elements',
      icon: 'filter',
      class: 'set-filter',
      onInput: (text) => {
        this.filter = text;
        this.refreshList();
      },
    });
    this.info = h('div', { class: 'set-info muted' });
    this.list = new VirtualList(ROW_HEIGHT, VISIBLE_ROWS, (index) => this.renderRow(index), 'Set elements');
    this.tombstones = new VirtualList(
      ROW_HEIGHT,
      6,
      (element) => h('div', { class: 'set-row removed' }, h('code', { class: 'value' }, valueText(element))),
      'Removed elements',
    );
    this.internal = h('div', { class: 'internal-slot' });
    this.root = h(
      'div',
      { class: 'body set-body' },
      this.adder.root,
      h('div', { class: 'set-toolbar' }, filter, this.info),
      this.list.root,
      this.internal,
    );
  }

  focus(): void {
    this.adder.focus();
  }

  update(entry: ObjectEntry): void {
    if (entry.value !== this.entry?.value) {
      this.elements = Array.isArray(entry.value) ? entry.value : [];
      this.texts = this.elements.map(canonicalJson);
    }
    this.entry = entry;
    const view = internalOf(entry);
    this.tags = view?.kind === 'tags' ? view.tagsByElement : undefined;
    this.refreshList();
    if (entry.type === 'set_aw') {
      replaceChildren(
        this.internal,
        !view
          ? loadingNote()
          : view.kind === 'tags'
            ? h(
                'p',
                { class: 'explain' },
                'Each element lives while one of its add tags does. A remove deletes only the tags its replica had seen, so a concurrent add wins.',
              )
            : unreadable(),
      );
    } else if (!view) replaceChildren(this.internal, loadingNote());
    else if (view.kind !== 'tombstones') replaceChildren(this.internal, unreadable());
    else {
      this.tombstones.setItems(view.removed);
      replaceChildren(
        this.internal,
        h(
          'div',
          { class: 'internal' },
          h('div', { class: 'internal-title' }, `Removed forever (${view.removed.length.toLocaleString('en-US')})`),
          view.removed.length === 0 ? h('span', { class: 'muted' }, 'no tombstones yet') : this.tombstones.root,
          h('p', { class: 'explain' }, 'A two-phase set keeps a tombstone for every removed element: it can never be added again.'),
        ),
      );
    }
  }

  private refreshList(): void {
    const needle = this.filter.trim().toLowerCase();
    const shown: number[] = [];
    for (let i = 0; i < this.texts.length; i++) {
      if (!needle || this.texts[i].toLowerCase().includes(needle)) shown.push(i);
    }
    this.list.setItems(shown);
    this.info.textContent = needle
      ? `${shown.length.toLocaleString('en-US')} of ${count(this.elements.length, 'element')} match`
      : count(this.elements.length, 'element');
    this.list.root.hidden = shown.length === 0;
  }

  private renderRow(index: number): HTMLElement {
    const element = this.elements[index];
    const tags = this.tags?.get(this.texts[index]) ?? [];
    const row = h(
      'div',
      { class: 'set-row' },
      h('code', { class: 'value', title: this.texts[index] }, valueText(element)),
      h(
        'span',
        { class: 'row-tags' },
        ...tags.slice(0, TAGS_SHOWN).map(tagChip),
        tags.length > TAGS_SHOWN ? h('span', { class: 'more' }, `+${tags.length - TAGS_SHOWN}`) : null,
      ),
      iconButton(
        'close',
        `Remove ${valueText(element, 60)}`,
        () => {
          const target = this.entry;
          if (target) void this.deps.run(() => this.deps.actions.removeElement(target, element));
        },
        'row-action',
      ),
    );
    return row;
  }
}
