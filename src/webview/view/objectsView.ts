import { objectId } from '../../core/transaction';
import { groupByBucket } from '../model/objectGroups';
import { parseObjectId } from '../../core/transaction';
import { toggled } from '../model/uiState';
import { ModelChanges, PanelModel } from '../model/panelModel';
import { PanelActions } from './actions';
import { button, textField } from './controls';
import { h, icon, replaceChildren } from './dom';
import { NewKeyForm } from './newKeyForm';
import { ObjectCard } from './objectCard';
import { UiStore } from './uiStore';

/** Every object, grouped by bucket, with a filter and the "new key" form. */
export class ObjectsView {
  readonly root: HTMLElement;
  private readonly cards = new Map<string, ObjectCard>();
  private readonly groups: HTMLDivElement;
  private readonly summary: HTMLSpanElement;
  private readonly form: NewKeyForm;
  private filter: string;
  private reveal: string | undefined;

  constructor(
    private readonly model: PanelModel,
    private readonly actions: PanelActions,
    private readonly ui: UiStore,
  ) {
    this.filter = ui.state.filter;
    this.form = new NewKeyForm(
      actions,
      (id) => {
        this.reveal = id;
        this.form.root.hidden = true;
        this.revealPending();
      },
      () => (this.form.root.hidden = true),
    );
    this.form.root.hidden = true;
    const filter = textField({
      placeholder: 'Filter by bucket, key or type',
      label: 'Filter objects',
      icon: 'filter',
      value: this.filter,
      class: 'grow',
      onInput: (text) => {
        this.filter = text;
        this.ui.update({ filter: text });
        this.layout();
      },
    });
    this.summary = h('span', { class: 'section-meta' });
    this.groups = h('div', { class: 'buckets' });
    this.root = h(
      'section',
      { class: 'card objects-section', attrs: { 'aria-label': 'Objects' } },
      h('header', { class: 'section-head' }, icon('database'), h('h2', {}, 'Objects'), this.summary),
      h(
        'div',
        { class: 'toolbar' },
        filter,
        button('New key', () => this.openForm(), { icon: 'add', class: 'new-key-button' }),
      ),
      this.form.root,
      this.groups,
    );
  }

  render(changes: ModelChanges): void {
    const known = this.cards.size;
    for (const id of changes.everything ? [] : changes.objects) {
      const entry = this.model.objects.get(id);
      const card = this.cards.get(id);
      if (entry && card) card.update(entry, true);
    }
    for (const [id, card] of this.cards) {
      if (!this.model.objects.has(id)) {
        if (card.expanded) card.setOpen(false);
        this.cards.delete(id);
      }
    }
    for (const [id, entry] of this.model.objects) {
      const card = this.cards.get(id);
      if (card) {
        if (changes.everything) card.update(entry, false);
        continue;
      }
      const created = new ObjectCard(entry, { actions: this.actions, onExpand: (cardId, open) => this.onExpand(cardId, open) });
      this.cards.set(id, created);
      if (this.ui.state.expanded.includes(id)) created.setOpen(true);
      if (!changes.everything) created.update(entry, true);
    }
    if (changes.everything || this.cards.size !== known) this.layout();
    this.revealPending();
  }

  private onExpand(id: string, open: boolean): void {
    this.ui.update({ expanded: toggled(this.ui.state.expanded, id, open) });
    const key = parseObjectId(id);
    if (key) this.actions.inspect(key, open);
  }

  private openForm(): void {
    this.form.root.hidden = false;
    const first = groupByBucket(this.model.objects.values())[0];
    this.form.open(first?.bucket ?? '');
  }

  private revealPending(): void {
    const card = this.reveal ? this.cards.get(this.reveal) : undefined;
    if (!card) return;
    this.reveal = undefined;
    card.root.scrollIntoView({ block: 'nearest' });
    card.root.querySelector<HTMLElement>('.object-head')?.focus();
  }

  /** Places the cards into bucket groups; cards move rather than being rebuilt, so open details keep their state. */
  private layout(): void {
    const groups = groupByBucket(this.model.objects.values(), this.filter);
    const total = this.model.objects.size;
    const shown = groups.reduce((n, g) => n + g.objects.length, 0);
    this.summary.textContent =
      total === 0
        ? ''
        : shown === total
          ? `${total.toLocaleString('en-US')} in ${groups.length} bucket${groups.length === 1 ? '' : 's'}`
          : `${shown} of ${total} shown`;
    if (total === 0) {
      replaceChildren(
        this.groups,
        h(
          'div',
          { class: 'empty-state' },
          icon('database', 'big'),
          h('div', { class: 'empty-title' }, 'No objects yet'),
          h(
            'div',
            { class: 'muted' },
            'Create one with New key, from the command palette (Minidote: Toggle Flag…), or wait for a peer’s updates.',
          ),
        ),
      );
      return;
    }
    if (shown === 0) {
      replaceChildren(this.groups, h('div', { class: 'empty-state small muted' }, `Nothing matches “${this.filter}”.`));
      return;
    }
    const collapsed = new Set(this.ui.state.collapsedBuckets);
    replaceChildren(
      this.groups,
      ...groups.map((group) => {
        const isCollapsed = collapsed.has(group.bucket);
        const list = h('div', { class: 'bucket-objects', attrs: { hidden: isCollapsed } });
        for (const entry of group.objects) {
          const card = this.cards.get(objectId(entry));
          if (card) list.append(card.root);
        }
        const head = h(
          'div',
          {
            class: 'bucket-head',
            attrs: { role: 'button', tabindex: 0, 'aria-expanded': String(!isCollapsed) },
            on: {
              click: () => this.toggleBucket(group.bucket, list, head),
              keydown: (event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  this.toggleBucket(group.bucket, list, head);
                }
              },
            },
          },
          icon(isCollapsed ? 'chevron-right' : 'chevron-down', 'chevron'),
          icon('folder-library'),
          h('span', { class: 'bucket-name' }, group.bucket),
          h('span', { class: 'count-badge' }, group.objects.length),
        );
        return h('div', { class: 'bucket', data: { bucket: group.bucket } }, head, list);
      }),
    );
  }

  private toggleBucket(bucket: string, list: HTMLElement, head: HTMLElement): void {
    const collapse = !list.hidden;
    list.hidden = collapse;
    head.setAttribute('aria-expanded', String(!collapse));
    const chevron = head.querySelector('.chevron');
    chevron?.classList.toggle('codicon-chevron-right', collapse);
    chevron?.classList.toggle('codicon-chevron-down', !collapse);
    this.ui.update({ collapsedBuckets: toggled(this.ui.state.collapsedBuckets, bucket, collapse) });
  }
}
