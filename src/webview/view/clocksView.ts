import { ClockColumn, PeerRelation, clockTable, distinctPeers, peerLabel } from '../model/clockTable';
import { relativeTime } from '../model/format';
import { PanelModel } from '../model/panelModel';
import { replicaNamer, replicaTitle } from '../model/replicaNames';
import { PeerView } from '../protocol';
import { h, icon, replaceChildren, replicaColorClass } from './dom';
import { Section } from './section';
import { UiStore } from './uiStore';

const RELATION_TEXT: Record<PeerRelation, string> = {
  'in-sync': 'in sync',
  behind: 'behind us',
  ahead: 'ahead of us',
  diverged: 'diverged',
  unknown: 'no clock yet',
};

const RELATION_HELP: Record<PeerRelation, string> = {
  'in-sync': 'Has delivered exactly what this replica has',
  behind: 'Lacks some of what this replica has delivered',
  ahead: 'Has delivered transactions this replica has not seen yet',
  diverged: 'Each side has transactions the other has not seen',
  unknown: 'No clock from this peer yet (not connected since start)',
};

/** This replica's vector clock next to each peer's last known clock, differences highlighted. */
export class ClocksView {
  private readonly section: Section;

  constructor(
    private readonly model: PanelModel,
    ui: UiStore,
  ) {
    this.section = new Section('clocks', 'Vector clocks & peers', 'history', ui, 'clocks-section');
  }

  get root(): HTMLElement {
    return this.section.root;
  }

  render(now: number): void {
    const self = this.model.self;
    if (!self) return;
    const table = clockTable(self.id, this.model.clock, this.model.peers, replicaNamer(this.model));
    const peers = distinctPeers(this.model.peers);
    const connected = peers.filter((p) => p.state === 'connected').length;
    this.section.meta.textContent = peers.length === 0 ? 'no peers' : `${connected} of ${peers.length} connected`;
    replaceChildren(
      this.section.body,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'clock-table' },
          h('thead', {}, h('tr', {}, h('th', { class: 'replica-col' }, 'entry'), ...table.columns.map(columnHead))),
          h(
            'tbody',
            {},
            ...table.rows.map((row) =>
              h(
                'tr',
                { class: row.self ? 'self-row' : '' },
                h(
                  'th',
                  { class: 'replica-col', title: replicaTitle(this.model, row.replica, row.label, now) },
                  h('span', { class: `replica-name ${replicaColorClass(row.replica)}` }, h('span', { class: 'dot' }), row.label),
                ),
                ...row.cells.map((cell, i) =>
                  h(
                    'td',
                    {
                      class: `num cell-${cell.status}${i === 0 ? ' self-col' : ''}`,
                      title:
                        cell.status === 'ahead'
                          ? `${table.columns[i].label} has ${row.label} #${cell.value}, this replica only #${row.cells[0].value}`
                          : cell.status === 'behind'
                            ? `${table.columns[i].label} lacks ${row.label} #${(cell.value ?? 0) + 1}…${row.cells[0].value}`
                            : '',
                    },
                    cell.value === null ? '–' : cell.value,
                    cell.status === 'ahead'
                      ? icon('arrow-small-up', 'cell-mark')
                      : cell.status === 'behind'
                        ? icon('arrow-small-down', 'cell-mark')
                        : null,
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      peers.length > 0
        ? h(
            'div',
            { class: 'legend' },
            h('span', { class: 'legend-item cell-ahead' }, icon('arrow-small-up'), 'peer has more'),
            h('span', { class: 'legend-item cell-behind' }, icon('arrow-small-down'), 'peer lacks ours'),
          )
        : h(
            'div',
            { class: 'empty-state small muted' },
            icon('plug'),
            ' No peers. Use “Minidote: Connect to Peer” or the minidote.peers setting.',
          ),
      ...peers.map((peer) => peerLine(peer, now)),
    );
  }
}

function columnHead(column: ClockColumn): HTMLElement {
  return h(
    'th',
    { class: `num peer-col${column.self ? ' self-col' : ''}`, title: column.detail },
    h(
      'div',
      { class: 'peer-head', title: column.label },
      column.self ? icon('home') : h('span', { class: `state-dot ${column.state}` }),
      h('span', { class: 'peer-name' }, column.label),
    ),
    column.self
      ? h('div', { class: 'relation muted' }, 'this replica')
      : h('div', { class: `relation rel-${column.relation}`, title: RELATION_HELP[column.relation] }, RELATION_TEXT[column.relation]),
  );
}

const STATE_TEXT: Record<PeerView['state'], string> = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  closed: 'closed',
};

function peerLine(peer: PeerView, now: number): HTMLElement {
  return h(
    'div',
    { class: 'peer-line' },
    h('span', { class: `state-dot ${peer.state}` }),
    h('span', { class: 'peer-name' }, peerLabel(peer)),
    h('span', { class: 'muted' }, peer.direction === 'inbound' ? 'inbound' : (peer.url ?? '')),
    h('span', { class: `peer-state ${peer.state}` }, STATE_TEXT[peer.state]),
    peer.lastSeen !== null
      ? h('span', { class: 'muted', title: new Date(peer.lastSeen).toLocaleString() }, `seen ${relativeTime(peer.lastSeen, now)}`)
      : null,
    peer.lastError ? h('div', { class: 'peer-error' }, icon('warning'), peer.lastError) : null,
  );
}
