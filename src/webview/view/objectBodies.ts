import { valueText } from '../model/format';
import { InternalView, TagView, readInternal } from '../model/internals';
import { parseAmount } from '../model/valueInput';
import { ObjectEntry } from '../protocol';
import { PanelActions } from './actions';
import { button, textField } from './controls';
import { h, icon, replaceChildren, replicaColorClass } from './dom';
import type { CardBody } from './objectCard';
import { ValueEntry } from './valueEntry';

export interface BodyDeps {
  readonly actions: PanelActions;
  readonly run: (action: () => Promise<void>) => Promise<boolean>;
  readonly fail: (message: string) => void;
}

export function tagChip(tag: TagView): HTMLSpanElement {
  return h(
    'span',
    { class: `chip tag ${replicaColorClass(tag.replica)}`, title: `tag ${tag.tag}: made by ${tag.replica}` },
    h('span', { class: 'dot' }),
    tag.seq === null ? tag.replica : `${tag.replica} #${tag.seq}`,
  );
}

export function internalOf(entry: ObjectEntry): InternalView | undefined {
  return entry.internal === undefined ? undefined : readInternal(entry.type, entry.internal);
}

export function loadingNote(): HTMLElement {
  return h('div', { class: 'muted internal-loading' }, icon('loading', 'codicon-modifier-spin'), ' reading internal state…');
}

function section(title: string, ...children: (Node | string)[]): HTMLElement {
  return h('div', { class: 'internal' }, h('div', { class: 'internal-title' }, title), ...children);
}

export function flagBody(): CardBody {
  const root = h('div', { class: 'body flag-body' });
  return {
    root,
    update(entry) {
      const view = internalOf(entry);
      if (!view) return replaceChildren(root, loadingNote());
      if (view.kind !== 'tokens') return replaceChildren(root, unreadable());
      replaceChildren(
        root,
        section(
          `Enable tokens (${view.tokens.length})`,
          view.tokens.length === 0
            ? h('span', { class: 'muted' }, 'none alive, so the flag is off')
            : h('div', { class: 'chips' }, ...view.tokens.map(tagChip)),
          h(
            'p',
            { class: 'explain' },
            'The flag is on while any enable token lives. A disable removes only the tokens its replica had seen, so a concurrent enable wins.',
          ),
        ),
      );
    },
  };
}

export function counterBody(deps: BodyDeps): CardBody {
  let current: ObjectEntry | undefined;
  const amount = textField({ placeholder: '1', label: 'Amount', class: 'amount' });
  const change = (op: 'increment' | 'decrement') => {
    const parsed = parseAmount(amount.value);
    if (!parsed.ok) return deps.fail(parsed.error);
    const target = current;
    if (target) void deps.run(() => deps.actions.changeCounter(target, op, parsed.amount));
  };
  const internal = h('div', { class: 'internal-slot' });
  const root = h(
    'div',
    { class: 'body counter-body' },
    h(
      'div',
      { class: 'row-controls' },
      h('label', { class: 'field-label' }, 'Amount'),
      amount,
      button('Decrement', () => change('decrement'), { icon: 'remove', secondary: true }),
      button('Increment', () => change('increment'), { icon: 'add' }),
    ),
    internal,
  );
  return {
    root,
    focus: () => amount.focus(),
    update(entry) {
      current = entry;
      const view = internalOf(entry);
      if (!view) return replaceChildren(internal, loadingNote());
      if (view.kind === 'contributions') {
        return replaceChildren(
          internal,
          section(
            'Per-replica contributions',
            contributionsTable(view.rows),
            h(
              'p',
              { class: 'explain' },
              'Op-based: replicas exchange +n / −n effects; each replica’s sum is kept apart, so that two states can be joined.',
            ),
          ),
        );
      }
      if (view.kind !== 'counts') return replaceChildren(internal, unreadable());
      replaceChildren(internal, section('Per-replica totals', countsTable(view.rows)));
    },
  };
}

function contributionsTable(rows: readonly { replica: string | null; amount: number }[]): HTMLElement {
  if (rows.length === 0) return h('span', { class: 'muted' }, 'no increments or decrements yet');
  return h(
    'table',
    { class: 'counts contributions' },
    h('thead', {}, h('tr', {}, h('th', {}, 'replica'), h('th', { class: 'num' }, 'contribution'))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            r.replica === null
              ? h(
                  'span',
                  { class: 'muted', title: 'The total of a state written before contributions were kept per replica' },
                  'earlier total',
                )
              : h('span', { class: `replica-name ${replicaColorClass(r.replica)}` }, h('span', { class: 'dot' }), r.replica),
          ),
          h('td', { class: 'num strong' }, r.amount),
        ),
      ),
    ),
  );
}

function countsTable(rows: readonly { replica: string; p: number; n: number }[]): HTMLElement {
  if (rows.length === 0) return h('span', { class: 'muted' }, 'no increments or decrements yet');
  const max = Math.max(1, ...rows.map((r) => Math.max(r.p, r.n)));
  const bar = (n: number, kind: string) => {
    const el = h('span', { class: `bar ${kind}` });
    el.style.width = `${(n / max) * 100}%`;
    return h('span', { class: 'bar-track' }, el);
  };
  return h(
    'table',
    { class: 'counts' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'replica'),
        h('th', { class: 'num' }, 'P (incr.)'),
        h('th', {}),
        h('th', { class: 'num' }, 'N (decr.)'),
        h('th', {}),
        h('th', { class: 'num' }, 'P − N'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('span', { class: `replica-name ${replicaColorClass(r.replica)}` }, h('span', { class: 'dot' }), r.replica)),
          h('td', { class: 'num' }, r.p),
          h('td', { class: 'bar-cell' }, bar(r.p, 'p')),
          h('td', { class: 'num' }, r.n),
          h('td', { class: 'bar-cell' }, bar(r.n, 'n')),
          h('td', { class: 'num strong' }, r.p - r.n),
        ),
      ),
    ),
  );
}

export function registerBody(deps: BodyDeps): CardBody {
  let current: ObjectEntry | undefined;
  const entry = new ValueEntry({
    placeholder: 'New value',
    label: 'Value to assign',
    buttonLabel: 'Assign',
    buttonIcon: 'edit',
    run: deps.run,
    fail: deps.fail,
    submit: (value) => (current ? deps.actions.assign(current, value) : Promise.resolve()),
  });
  const internal = h('div', { class: 'internal-slot' });
  const root = h('div', { class: 'body register-body' }, entry.root, internal);
  return {
    root,
    focus: () => entry.focus(),
    update(next) {
      current = next;
      const view = internalOf(next);
      if (!view) return replaceChildren(internal, loadingNote());
      if (view.kind !== 'versions') return replaceChildren(internal, unreadable());
      replaceChildren(
        internal,
        section(
          `Versions (${view.versions.length})`,
          view.versions.length === 0
            ? h('span', { class: 'muted' }, 'empty: never assigned, or reset')
            : h(
                'div',
                { class: 'versions' },
                ...view.versions.map((v) =>
                  h('div', { class: 'version' }, h('code', { class: 'value' }, valueText(v.value, 500)), tagChip(v.tag)),
                ),
              ),
          view.versions.length > 1
            ? h(
                'p',
                { class: 'explain' },
                'These assigns were concurrent, so all are kept. An assign here overwrites exactly the versions this replica has seen.',
              )
            : '',
        ),
      );
    },
  };
}

export function unreadable(): HTMLElement {
  return h('div', { class: 'muted' }, icon('warning'), ' this internal state has a shape the panel does not know');
}
