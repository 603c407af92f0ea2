import * as vscode from 'vscode';
import type { ReplicaNode } from '../../node/replicaNode';
import { makeNonce, panelHtml } from './panelHtml';
import { t } from '../localize';
import { PanelNode, PanelSession } from './panelSession';

/** Where the panel reports what it finds wrong: the "Minidote" output channel ("Minidote: Show Log"). */
export type PanelLog = (message: string) => void;

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

/**
 * The "Minidote: Replica State" webview panel: at most one, revealed when asked again, restored
 * after a window reload by its serializer. The page keeps its own view state (open objects,
 * filter) through the webview state API and asks for fresh data each time it loads.
 */
export class ReplicaPanel {
  static readonly viewType = 'minidote.replicaState';
  private static current: ReplicaPanel | undefined;

  private readonly session: PanelSession;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens the panel, or reveals it and shows `node` in it. */
  static show(extensionUri: vscode.Uri, node: ReplicaNode, log: PanelLog): ReplicaPanel {
    const existing = ReplicaPanel.current;
    if (existing) {
      existing.session.attach(node);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ReplicaPanel.viewType,
      t('Minidote: Replica State'),
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    return new ReplicaPanel(panel, extensionUri, node, log);
  }

  /**
   * Shows `node` in the open panel, if there is one, without revealing it: for when the extension
   * reopened its node (the page gets the new node's whole state).
   */
  static attach(node: ReplicaNode): void {
    ReplicaPanel.current?.session.attach(node);
  }

  /**
   * Takes over a panel VS Code restored after a reload. The node may not be open yet: the page
   * shows "Connecting to the replica…" until `attach` (on the host's onDidOpenNode) brings it.
   */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, getNode: () => PanelNode | undefined, log: PanelLog): ReplicaPanel {
    ReplicaPanel.current?.panel.dispose();
    return new ReplicaPanel(panel, extensionUri, getNode(), log);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    node: PanelNode | undefined,
    log: PanelLog,
  ) {
    ReplicaPanel.current = this;
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'minidote.svg');
    this.session = new PanelSession((message) => void webview.postMessage(message), node, { log });
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
    webview.html = panelHtml(
      {
        cspSource: webview.cspSource,
        script: asset('dist', 'webview.js'),
        stylesheet: asset('media', 'panel.css'),
        codicons: asset('dist', 'codicons', 'codicon.css'),
        language: vscode.env.language,
      },
      makeNonce(),
    );
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.session.receive(message)),
      // Without retained context a hidden page is destroyed; it asks for its state again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.session.pause();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private dispose(): void {
    if (ReplicaPanel.current === this) ReplicaPanel.current = undefined;
    this.session.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Restores the panel after a window reload (VS Code remembers open webviews by view type). */
export function registerReplicaPanelSerializer(
  extensionUri: vscode.Uri,
  getNode: () => ReplicaNode | undefined,
  log: PanelLog,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(ReplicaPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
      ReplicaPanel.revive(panel, extensionUri, getNode, log);
    },
  });
}
