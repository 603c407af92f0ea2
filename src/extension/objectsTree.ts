import * as vscode from 'vscode';
import { crdtType } from '../core/crdt/registry';
import { ObjectKey } from '../core/transaction';
import { Coalesced } from './coalesce';
import { FlagFlip, undoPlan } from './flagUndoModel';
import { formatKeyRef } from './keyRef';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { BucketNode, LastChangeLine, ObjectNode, ObjectsNode, ValueNode, buildObjectsTree, objectEntries } from './objectsModel';
import { familyOf } from './families';
import type { ReplicaNode } from '../node/replicaNode';
import type { ObjectChange } from '../node/objectActivity';
import { lastChangeText } from '../webview/model/lastChange';

/**
 * The Objects view: buckets → objects → set elements / concurrent register values. Rebuilt from
 * the replica when it changes (coalesced), never polled. Node fields are command arguments, so
 * inline actions (remove element, add to set, +/−) pass the node to the command as is.
 */
export class ObjectsTreeProvider implements vscode.TreeDataProvider<ObjectsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: BucketNode[] | undefined;
  private readonly redraw = new Coalesced(() => this.changed.fire(undefined));
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly host: NodeHost) {
    this.subscriptions = [host.onDidChange(() => this.refresh()), host.onPhaseChanged(() => this.refresh())];
  }

  /** The model is rebuilt on the next read; the view is told once per burst. */
  refresh(): void {
    this.roots = undefined;
    this.redraw.trigger();
  }

  getChildren(element?: ObjectsNode): ObjectsNode[] {
    if (!element) {
      const node = this.host.node;
      this.roots ??= node ? buildObjectsTree(objectEntries(node), lastChangeLine(node)) : [];
      return this.roots;
    }
    if (element.kind === 'bucket') return [...element.objects];
    if (element.kind === 'object') return [...element.children];
    return [];
  }

  getTreeItem(node: ObjectsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'bucket': {
        const item = new vscode.TreeItem(node.bucket, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('folder');
        item.description = `${node.objects.length}`;
        item.contextValue = 'minidote.bucket';
        item.id = node.id;
        return item;
      }
      case 'object':
        return objectItem(node);
      default:
        return valueItem(node);
    }
  }

  dispose(): void {
    this.redraw.dispose();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** "enabled by Alice, 10:42" from the node's record, authors named as the node knows them. */
function lastChangeLine(node: Pick<ReplicaNode, 'lastChange' | 'displayNameOf'>): LastChangeLine {
  const time = (at: number) => new Date(at).toLocaleString(vscode.env.language, { dateStyle: 'short', timeStyle: 'short' });
  const named = (c: ObjectChange) => ({ ...c, author: node.displayNameOf(c.origin) });
  return (key, value) => {
    const last = node.lastChange(key);
    return last && lastChangeText({ ...named(last), concurrent: last.concurrent.map(named) }, familyOf(key.type), value, time);
  };
}

function objectItem(node: ObjectNode): vscode.TreeItem {
  const expand =
    node.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : node.family === 'register'
        ? vscode.TreeItemCollapsibleState.Expanded // concurrent values: show the conflict
        : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(node.key, expand);
  item.id = node.id;
  item.description = node.description;
  item.iconPath = new vscode.ThemeIcon(crdtType(node.type).descriptor.icon);
  item.contextValue = `minidote.${node.family}`;
  item.tooltip = t('{0} ({1})\n{2}\nValue: {3}', formatKeyRef(node), node.type, crdtType(node.type).summary, node.description);
  if (node.lastChange) item.tooltip += `\n${t('Last change: {0}', node.lastChange)}`;
  if (node.family === 'flag') {
    item.checkboxState = node.checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
  }
  return item;
}

function valueItem(node: ValueNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.kind === 'element' ? 'symbol-constant' : 'git-compare');
  item.contextValue = `minidote.${node.kind}`;
  item.tooltip =
    node.kind === 'element' ? t('Element of {0}', formatKeyRef(node)) : t('One of the concurrent values of {0}', formatKeyRef(node));
  return item;
}

/**
 * After a flag was flipped from its checkbox (an easy click to make by mistake), offers to flip it
 * back for a few seconds, unless someone changed it since.
 */
async function offerUndo(host: NodeHost, notifier: Notifier, key: ObjectKey, flip: FlagFlip): Promise<void> {
  const name = formatKeyRef(key);
  const undo = t('Undo');
  const choice = await notifier.info(flip.enabled ? t('Minidote: {0} enabled.', name) : t('Minidote: {0} disabled.', name), undo);
  if (choice !== undo) return;
  const plan = undoPlan(flip, Date.now(), host.node?.value(key) === true);
  switch (plan.kind) {
    case 'undo':
      await vscode.commands.executeCommand(plan.op === 'enable' ? 'minidote.enableFlag' : 'minidote.disableFlag', key);
      return;
    case 'expired':
      vscode.window.setStatusBarMessage(t('Minidote: too late to undo; flip {0} again instead', name), 5000);
      return;
    case 'changed':
      void notifier.info(t('Minidote: {0} changed again since; it was not undone.', name));
      return;
  }
}

/** The view, with flag checkboxes wired to the enable/disable commands, each with an Undo. */
export function createObjectsView(provider: ObjectsTreeProvider, host: NodeHost, notifier: Notifier): vscode.Disposable[] {
  const view = vscode.window.createTreeView('minidote.objects', {
    treeDataProvider: provider,
    showCollapseAll: true,
    manageCheckboxStateManually: true,
  });
  const showPhase = () => {
    view.message =
      host.phase === 'failed'
        ? t('The replica could not be opened: {0}', host.error ?? t('unknown error'))
        : host.phase === 'starting'
          ? t('Opening the replica…')
          : undefined;
  };
  showPhase();
  return [
    view,
    host.onPhaseChanged(showPhase),
    view.onDidChangeCheckboxState(async (event) => {
      for (const [node, state] of event.items) {
        if (node.kind !== 'object' || node.family !== 'flag') continue;
        const enabled = state === vscode.TreeItemCheckboxState.Checked;
        const key = { bucket: node.bucket, key: node.key, type: node.type };
        const done = await vscode.commands.executeCommand(enabled ? 'minidote.enableFlag' : 'minidote.disableFlag', key);
        // A refused change must not leave the box showing a state the replica does not have.
        if (done === undefined) provider.refresh();
        else void offerUndo(host, notifier, key, { enabled, at: Date.now() });
      }
    }),
  ];
}
