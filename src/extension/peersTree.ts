import * as vscode from 'vscode';
import { Coalesced } from './coalesce';
import { NodeHost } from './nodeHost';
import { OtherReplicaNode, PeerNode, PeerState, PeersNode, SelfNode, buildPeersTree } from './peersModel';
import { t } from './localize';

const STATE_ICONS: Record<PeerState, vscode.ThemeIcon> = {
  connected: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green')),
  connecting: new vscode.ThemeIcon('loading~spin'),
  reconnecting: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('charts.yellow')),
  closed: new vscode.ThemeIcon('circle-slash'),
};

const PRESENCE_ICONS: Record<OtherReplicaNode['online'], vscode.ThemeIcon> = {
  'via-peer': new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('charts.green')),
  offline: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
};

const timeOfDay = (ms: number): string => new Date(ms).toLocaleTimeString();

/** The Peers view: this replica, then each peer with its state and last known clock. */
export class PeersTreeProvider implements vscode.TreeDataProvider<PeersNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly redraw = new Coalesced(() => this.changed.fire(undefined));
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly host: NodeHost) {
    const refresh = () => this.redraw.trigger();
    // Our own clock moves with every transaction; the peers' with their activity.
    this.subscriptions = [host.onPeersChanged(refresh), host.onDidChange(refresh), host.onPhaseChanged(refresh)];
  }

  getChildren(element?: PeersNode): PeersNode[] {
    if (!element) {
      const node = this.host.node;
      return node ? buildPeersTree(node.status(), timeOfDay, node.replicas(), Date.now()) : [];
    }
    return element.kind === 'clock' ? [] : [...element.clock];
  }

  getTreeItem(node: PeersNode): vscode.TreeItem {
    if (node.kind === 'clock') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon('history');
      item.tooltip =
        node.label === node.replica
          ? t('Transactions from {0} delivered: {1}', node.label, node.description)
          : t('Transactions from {0} ({1}) delivered: {2}', node.label, node.replica, node.description);
      return item;
    }
    if (node.kind === 'replica') return otherReplicaItem(node);
    return node.kind === 'self' ? selfItem(node, this.host) : peerItem(node);
  }

  dispose(): void {
    this.redraw.dispose();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function selfItem(node: SelfNode, host: NodeHost): vscode.TreeItem {
  const item = new vscode.TreeItem(
    node.label,
    node.clock.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = node.id;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.iconPath = new vscode.ThemeIcon('vm');
  item.contextValue = host.node?.listenUrl ? 'minidote.self.listening' : 'minidote.self';
  return item;
}

function peerItem(node: PeerNode): vscode.TreeItem {
  const item = new vscode.TreeItem(
    node.label,
    node.clock.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = node.id;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.iconPath = STATE_ICONS[node.state];
  item.contextValue = node.url ? 'minidote.peer.outbound' : 'minidote.peer.inbound';
  return item;
}

function otherReplicaItem(node: OtherReplicaNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.iconPath = PRESENCE_ICONS[node.online];
  item.contextValue = 'minidote.replica';
  return item;
}

export function createPeersView(provider: PeersTreeProvider): vscode.Disposable {
  return vscode.window.createTreeView('minidote.peers', { treeDataProvider: provider });
}
