import { ModelChanges, PanelModel } from '../model/panelModel';
import { PanelActions } from './actions';
import { BufferView } from './bufferView';
import { ClocksView } from './clocksView';
import { DiagramView } from './diagramView';
import { h, icon, replaceChildren } from './dom';
import { HeaderView } from './headerView';
import { ObjectsView } from './objectsView';
import { StorageView } from './storageView';
import { UiStore } from './uiStore';

/** The whole panel: lays out the sections and redraws only those a batch of changes touched. */
export class PanelApp {
  private readonly header: HeaderView;
  private readonly diagram: DiagramView;
  private readonly objects: ObjectsView;
  private readonly clocks: ClocksView;
  private readonly buffer: BufferView;
  private readonly storage: StorageView;
  private readonly page: HTMLElement;
  private readonly status: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly model: PanelModel,
    actions: PanelActions,
    ui: UiStore,
  ) {
    this.header = new HeaderView(model);
    this.diagram = new DiagramView(model, ui);
    this.objects = new ObjectsView(model, actions, ui);
    this.clocks = new ClocksView(model, ui);
    this.buffer = new BufferView(model, ui);
    this.storage = new StorageView(model, ui);
    this.page = h(
      'div',
      { class: 'page', attrs: { hidden: true } },
      this.header.root,
      this.diagram.root,
      h(
        'div',
        { class: 'columns' },
        h('div', { class: 'main-column' }, this.objects.root),
        h('aside', { class: 'side-column' }, this.clocks.root, this.buffer.root, this.storage.root),
      ),
    );
    this.status = h('div', { class: 'page-status' }, icon('loading', 'codicon-modifier-spin'), ' Connecting to the replica…');
    replaceChildren(this.root, this.status, this.page);
  }

  render(changes: ModelChanges): void {
    if (!this.model.loaded) return;
    this.status.hidden = true;
    this.page.hidden = false;
    const all = changes.everything;
    const now = Date.now();
    if (all || changes.self || changes.clock || changes.peers) this.header.render();
    const names = changes.self || changes.peers || changes.replicas;
    if (all || names || changes.clock) this.clocks.render(now);
    if (all || names || changes.waiting) this.buffer.render(now);
    if (all || changes.storage) this.storage.render(now);
    if (all || names || changes.transactions) this.diagram.render();
    this.objects.render(changes);
  }

  /** Relative times ("seen 5 s ago", snapshot age) age without any message from the host. */
  refreshTimes(): void {
    if (!this.model.loaded) return;
    const now = Date.now();
    this.clocks.render(now);
    this.buffer.render(now);
    this.storage.render(now);
  }

  showFailure(message: string): void {
    this.page.hidden = true;
    this.status.hidden = false;
    replaceChildren(this.status, icon('error'), ` The panel could not load the replica: ${message}`);
  }
}
