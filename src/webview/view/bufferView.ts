import { clockText, relativeTime, valueText } from '../model/format';
import { PanelModel } from '../model/panelModel';
import { NameOf, replicaNamer } from '../model/replicaNames';
import { WaitingView } from '../protocol';
import { h, icon, replaceChildren, replicaColorClass } from './dom';
import { Section } from './section';
import { UiStore } from './uiStore';

/** Transactions that arrived before their causes, and which clock entries they wait for. */
export class BufferView {
  private readonly section: Section;

  constructor(
    private readonly model: PanelModel,
    ui: UiStore,
  ) {
    this.section = new Section('buffer', 'Causal buffer', 'inbox', ui, 'buffer-section');
  }

  get root(): HTMLElement {
    return this.section.root;
  }

  render(now: number): void {
    const { waiting, waitingTotal } = this.model;
    this.section.meta.textContent = waitingTotal === 0 ? 'empty' : `${waitingTotal} waiting`;
    this.section.root.classList.toggle('attention', waitingTotal > 0);
    if (waitingTotal === 0) {
      replaceChildren(
        this.section.body,
        h(
          'div',
          { class: 'empty-state small muted' },
          icon('pass', 'ok'),
          ' Nothing waiting: every transaction received was delivered in causal order.',
        ),
      );
      return;
    }
    const nameOf = replicaNamer(this.model);
    replaceChildren(
      this.section.body,
      ...waiting.map((w) => waitingLine(w, now, nameOf)),
      waitingTotal > waiting.length ? h('div', { class: 'muted' }, `…and ${waitingTotal - waiting.length} more`) : null,
    );
  }
}

function waitingLine(w: WaitingView, now: number, nameOf: NameOf): HTMLElement {
  const seq = w.clock[w.origin] ?? 0;
  const origin = nameOf(w.origin);
  return h(
    'div',
    { class: 'waiting' },
    h(
      'div',
      { class: 'waiting-head' },
      h(
        'span',
        { class: `replica-name ${replicaColorClass(w.origin)}`, title: origin === w.origin ? '' : w.origin },
        h('span', { class: 'dot' }),
        `${origin} #${seq}`,
      ),
      h('span', { class: 'muted' }, relativeTime(w.at, now)),
    ),
    h(
      'div',
      { class: 'waiting-needs' },
      h('span', { class: 'muted' }, 'waits for '),
      ...Object.keys(w.missing)
        .sort()
        .map((id) =>
          h(
            'span',
            { class: `chip need ${replicaColorClass(id)}`, title: `needs ${id} up to #${w.missing[id]}` },
            h('span', { class: 'dot' }),
            `${nameOf(id)} #${w.missing[id]}`,
          ),
        ),
    ),
    h(
      'div',
      { class: 'waiting-keys muted', title: `clock ${clockText(w.clock)}` },
      w.keys.map((k) => valueText(`${k.bucket}/${k.key}`, 40)).join(', '),
    ),
  );
}
