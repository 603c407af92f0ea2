import * as vscode from 'vscode';
import { crdtType } from '../core/crdt/registry';
import { Coalesced } from './coalesce';
import { formatKeyRef } from './keyRef';
import { NodeHost } from './nodeHost';
import { BucketNode, ObjectNode, ObjectsNode, ValueNode, buildObjectsTree, objectEntries } from './objectsModel';

const OBJECT_ICONS: Record<ObjectNode['family'], string> = {
  flag: 'flag',
  set: 'symbol-array',
  counter: 'symbol-number',
  register: 'symbol-string',
};

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
      this.roots ??= node ? buildObjectsTree(objectEntries(node.replica)) : [];
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
  item.iconPath = new vscode.ThemeIcon(OBJECT_ICONS[node.family]);
  item.contextValue = `minidote.${node.family}`;
  item.tooltip = `${formatKeyRef(node)} (${node.type})\n${crdtType(node.type).summary}\nValue: ${node.description}`;
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
  item.tooltip = node.kind === 'element' ? `Element of ${formatKeyRef(node)}` : `One of the concurrent values of ${formatKeyRef(node)}`;
  return item;
}

/** The view, with flag checkboxes wired to the enable/disable commands. */
export function createObjectsView(provider: ObjectsTreeProvider, host: NodeHost): vscode.Disposable[] {
  const view = vscode.window.createTreeView('minidote.objects', {
    treeDataProvider: provider,
    showCollapseAll: true,
    manageCheckboxStateManually: true,
  });
  const showPhase = () => {
    view.message =
      host.phase === 'failed'
        ? `The replica could not be opened: ${host.error ?? 'unknown error'}`
        : host.phase === 'starting'
          ? 'Opening the replica…'
          : undefined;
  };
  showPhase();
  return [
    view,
    host.onPhaseChanged(showPhase),
    view.onDidChangeCheckboxState(async (event) => {
      for (const [node, state] of event.items) {
        if (node.kind !== 'object' || node.family !== 'flag') continue;
        const command = state === vscode.TreeItemCheckboxState.Checked ? 'minidote.enableFlag' : 'minidote.disableFlag';
        const done = await vscode.commands.executeCommand(command, { bucket: node.bucket, key: node.key, type: node.type });
        // A refused change must not leave the box showing a state the replica does not have.
        if (done === undefined) provider.refresh();
      }
    }),
  ];
}
