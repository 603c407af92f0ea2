import { distinctPeers } from '../model/clockTable';
import { CausalRelation, DiagramLayout, causalRelation, layoutDiagram } from '../model/diagramLayout';
import { clockText, relativeTime } from '../model/format';
import { PanelModel } from '../model/panelModel';
import { replicaNamer, replicaTitle } from '../model/replicaNames';
import { TxnView } from '../protocol';
import { h, icon, replaceChildren, replicaColorClass, s } from './dom';
import { Section } from './section';
import { UiStore } from './uiStore';

const LANE_HEIGHT = 40;
const MIN_COLUMN_WIDTH = 30;
const MAX_COLUMN_WIDTH = 72;
const PAD_X = 20;
const PAD_Y = 20;
const NODE_RADIUS = 6.5;

const y = (lane: number) => PAD_Y + lane * LANE_HEIGHT;

const RELATION_TEXT: Record<CausalRelation, string> = {
  before: 'happened before',
  after: 'happened after',
  concurrent: 'concurrent',
  same: '',
};

/**
 * Recent transactions across replicas as a space-time diagram: a lane per replica, a dot per
 * transaction at its origin, arrows for delivery to this replica. Transactions in one column are
 * concurrent; hovering a dot shows everything concurrent with it.
 */
export class DiagramView {
  private readonly section: Section;
  private readonly labels: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private layout: DiagramLayout | undefined;
  private svg: SVGSVGElement | undefined;
  /** Columns spread out to use the width there is, within limits that keep the dots readable. */
  private columnWidth = MIN_COLUMN_WIDTH;
  private width = 0;

  constructor(
    private readonly model: PanelModel,
    ui: UiStore,
  ) {
    this.section = new Section('diagram', 'Transactions across replicas', 'git-merge', ui, 'diagram-section');
    this.labels = h('div', { class: 'lane-labels' });
    this.scroller = h('div', { class: 'diagram-scroll' });
    this.tooltip = h('div', { class: 'diagram-tooltip', attrs: { hidden: true, role: 'tooltip' } });
    this.section.body.append(
      h('div', { class: 'diagram' }, this.labels, this.scroller, this.tooltip),
      h(
        'div',
        { class: 'legend' },
        h('span', { class: 'legend-item' }, h('span', { class: 'legend-dot' }), 'transaction at its origin'),
        h('span', { class: 'legend-item' }, h('span', { class: 'legend-arrow' }), 'delivered here'),
        h('span', { class: 'legend-item' }, h('span', { class: 'legend-band' }), 'same column = concurrent'),
        h('span', { class: 'legend-item' }, h('span', { class: 'legend-link' }), 'had seen (causal dependency)'),
      ),
    );
    // Redraw when the panel is resized, so the columns keep filling the width.
    new ResizeObserver(() => {
      if (this.scroller.clientWidth !== this.width) this.render();
    }).observe(this.scroller);
  }

  get root(): HTMLElement {
    return this.section.root;
  }

  private x(column: number): number {
    return PAD_X + column * this.columnWidth;
  }

  render(): void {
    const self = this.model.self;
    if (!self) return;
    const txns = this.model.transactions;
    const peers = distinctPeers(this.model.peers);
    const layout = layoutDiagram(
      txns,
      self.id,
      peers.flatMap((p) => (p.id ? [p.id] : [])),
    );
    this.layout = layout;
    this.section.meta.textContent = txns.length === 0 ? '' : `last ${txns.length} delivered here`;

    const nameOf = replicaNamer(this.model);
    const now = Date.now();
    replaceChildren(
      this.labels,
      ...layout.lanes.map((lane) => {
        const name = nameOf(lane.replica);
        const label = h(
          'div',
          { class: `lane-label${lane.self ? ' self' : ''}`, title: replicaTitle(this.model, lane.replica, name, now) || lane.replica },
          h('span', { class: `replica-name ${replicaColorClass(lane.replica)}` }, h('span', { class: 'dot' }), name),
          lane.self ? h('span', { class: 'you' }, 'this replica') : null,
        );
        label.style.height = `${LANE_HEIGHT}px`;
        return label;
      }),
    );
    this.labels.style.paddingTop = `${PAD_Y - LANE_HEIGHT / 2}px`;

    const atEnd = this.scroller.scrollLeft + this.scroller.clientWidth >= this.scroller.scrollWidth - 4;
    if (txns.length === 0) {
      this.svg = undefined;
      replaceChildren(
        this.scroller,
        h(
          'div',
          { class: 'diagram-empty muted' },
          icon('circle-large-outline'),
          ' No transactions yet. Changes made here or by peers appear as dots on their replica’s lane.',
        ),
      );
      return;
    }
    this.width = this.scroller.clientWidth;
    const spread = (this.width - 2 * PAD_X) / Math.max(1, layout.columns - 1);
    this.columnWidth = Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, spread));
    this.svg = this.draw(layout);
    replaceChildren(this.scroller, this.svg);
    if (atEnd) this.scroller.scrollLeft = this.scroller.scrollWidth;
  }

  private draw(layout: DiagramLayout): SVGSVGElement {
    const x = (column: number) => this.x(column);
    const width = Math.max(x(layout.columns - 1) + PAD_X, 120);
    const height = y(layout.lanes.length - 1) + PAD_Y;
    const nodeAt = new Map(layout.nodes.map((n) => [n.id, n]));
    const svg = s('svg', {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': 'Transactions across replicas',
      class: 'diagram-svg',
    });
    svg.append(
      s(
        'defs',
        {},
        s(
          'marker',
          { id: 'arrowhead', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
          s('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }),
        ),
      ),
    );
    for (const column of layout.concurrentColumns) {
      svg.append(
        s(
          'rect',
          { class: 'concurrent-band', x: x(column) - 11, y: 5, width: 22, height: height - 10, rx: 8 },
          s('title', {}, 'concurrent transactions'),
        ),
      );
    }
    layout.lanes.forEach((lane, i) => {
      svg.append(s('line', { class: `lane${lane.self ? ' self' : ''}`, x1: 0, x2: width, y1: y(i), y2: y(i) }));
    });
    for (const link of layout.links) {
      const x1 = x(link.fromColumn);
      const x2 = x(link.toColumn);
      svg.append(
        s('path', {
          class: 'link',
          d: `M${x1},${y(link.fromLane)} C${(x1 + x2) / 2},${y(link.fromLane)} ${(x1 + x2) / 2},${y(link.toLane)} ${x2},${y(link.toLane)}`,
        }),
      );
    }
    for (const d of layout.deliveries) {
      const x1 = x(d.fromColumn);
      const y1 = y(d.fromLane);
      const x2 = x(d.toColumn);
      const y2 = y(0);
      const origin = nodeAt.get(d.id)?.txn.origin ?? '';
      svg.append(
        s('path', {
          class: `delivery ${replicaColorClass(origin)}`,
          d: `M${x1},${y1 - NODE_RADIUS} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2 + NODE_RADIUS + 1}`,
          'marker-end': 'url(#arrowhead)',
          'data-id': d.id,
        }),
        s('circle', { class: `arrival ${replicaColorClass(origin)}`, cx: x2, cy: y2, r: 3.5, 'data-id': d.id }),
      );
    }
    for (const node of layout.nodes) {
      const circle = s('circle', {
        class: `node ${replicaColorClass(node.txn.origin)}${node.txn.local ? ' local' : ''}`,
        cx: x(node.column),
        cy: y(node.lane),
        r: NODE_RADIUS,
        tabindex: 0,
        'data-id': node.id,
        'aria-label': `${node.id}: ${describeKeys(node.txn)}`,
      });
      circle.addEventListener('mouseenter', () => this.focusOn(node.id));
      circle.addEventListener('focus', () => this.focusOn(node.id));
      circle.addEventListener('mouseleave', () => this.clearFocus());
      circle.addEventListener('blur', () => this.clearFocus());
      svg.append(circle);
    }
    return svg;
  }

  private focusOn(id: string): void {
    const layout = this.layout;
    const svg = this.svg;
    const target = layout?.nodes.find((n) => n.id === id);
    if (!layout || !svg || !target) return;
    svg.classList.add('focusing');
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    let concurrent = 0;
    for (const el of svg.querySelectorAll<SVGElement>('[data-id]')) {
      const other = byId.get(el.dataset.id ?? '');
      if (!other) continue;
      const relation = causalRelation(target.txn, other.txn);
      if (relation === 'concurrent' && el.classList.contains('node')) concurrent++;
      el.setAttribute('data-rel', relation);
    }
    const t = target.txn;
    const name = replicaNamer(this.model)(t.origin);
    replaceChildren(
      this.tooltip,
      h(
        'div',
        { class: 'tip-title' },
        h(
          'span',
          { class: `replica-name ${replicaColorClass(t.origin)}` },
          h('span', { class: 'dot' }),
          `${name} #${t.clock[t.origin] ?? 0}`,
        ),
        name === t.origin ? null : h('span', { class: 'muted mono' }, t.origin),
        t.local ? h('span', { class: 'badge' }, 'local') : null,
      ),
      h('div', {}, describeKeys(t)),
      h('div', { class: 'muted' }, `clock ${clockText(t.clock)}`),
      h(
        'div',
        { class: 'muted' },
        `made ${relativeTime(t.at, Date.now())}${t.local ? '' : `, delivered ${relativeTime(t.deliveredAt, Date.now())}`}`,
      ),
      h(
        'div',
        { class: concurrent > 0 ? 'concurrent-note' : 'muted' },
        concurrent > 0
          ? `${RELATION_TEXT.concurrent} with ${concurrent} other transaction${concurrent === 1 ? '' : 's'} shown`
          : 'no concurrent transaction shown',
      ),
    );
    this.tooltip.hidden = false;
    const left = this.x(target.column) - this.scroller.scrollLeft + this.scroller.offsetLeft + 12;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    // Below the dot on the upper lanes, above it on the lower ones, so it stays next to the diagram.
    const lower = target.lane >= layout.lanes.length / 2 && layout.lanes.length > 1;
    this.tooltip.style.top = lower ? '' : `${y(target.lane) + 14}px`;
    this.tooltip.style.bottom = lower ? `${svg.height.baseVal.value - y(target.lane) + 14}px` : '';
  }

  private clearFocus(): void {
    this.svg?.classList.remove('focusing');
    for (const el of this.svg?.querySelectorAll('[data-rel]') ?? []) el.removeAttribute('data-rel');
    this.tooltip.hidden = true;
  }
}

function describeKeys(txn: TxnView): string {
  const keys = txn.keys.map((k) => `${k.bucket}/${k.key}`);
  return keys.length <= 3 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`;
}
