import { distinctPeers } from '../model/clockTable';
import { clockText } from '../model/format';
import { PanelModel } from '../model/panelModel';
import { h, icon, replaceChildren, replicaColorClass } from './dom';

/** Who this replica is, whether it listens, how many peers are connected, and its clock. */
export class HeaderView {
  readonly root: HTMLElement;

  constructor(private readonly model: PanelModel) {
    this.root = h('header', { class: 'topbar' });
  }

  render(): void {
    const self = this.model.self;
    if (!self) return;
    const peers = distinctPeers(this.model.peers);
    const connected = peers.filter((p) => p.state === 'connected').length;
    const health = peers.length === 0 ? 'alone' : connected === peers.length ? 'good' : connected === 0 ? 'bad' : 'partial';
    replaceChildren(
      this.root,
      h(
        'div',
        { class: 'identity' },
        h('span', { class: `logo ${replicaColorClass(self.id)}` }, icon('git-merge')),
        h(
          'div',
          {},
          h('h1', {}, self.displayName),
          h('div', { class: 'subtitle' }, 'Minidote replica ', h('code', { class: 'replica-id' }, self.id)),
        ),
      ),
      h(
        'div',
        { class: 'status-chips' },
        h(
          'span',
          {
            class: `status-chip ${self.listening ? 'good' : 'neutral'}`,
            title: self.listening ? 'Peers and clients can connect here' : 'Not accepting connections (Minidote: Start Listening)',
          },
          icon(self.listening ? 'broadcast' : 'circle-slash'),
          self.listening ?? 'not listening',
        ),
        h(
          'span',
          {
            class: `status-chip ${health}`,
            title: peers.map((p) => `${p.displayName ?? p.id ?? p.url}: ${p.state}`).join('\n') || 'No peers configured',
          },
          icon(peers.length === 0 ? 'debug-disconnect' : 'vm-connect'),
          peers.length === 0 ? 'no peers' : `${connected}/${peers.length} peers connected`,
        ),
        h(
          'span',
          {
            class: 'status-chip neutral mono',
            title: 'This replica’s vector clock: how many transactions of each replica it has delivered',
          },
          icon('history'),
          clockText(this.model.clock),
        ),
      ),
    );
  }
}
