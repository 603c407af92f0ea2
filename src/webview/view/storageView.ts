import { bytes, count, relativeTime } from '../model/format';
import { PanelModel } from '../model/panelModel';
import { h, icon, replaceChildren } from './dom';
import { Section } from './section';
import { UiStore } from './uiStore';

/** Log records, snapshot age and bytes on disk. */
export class StorageView {
  private readonly section: Section;

  constructor(
    private readonly model: PanelModel,
    ui: UiStore,
  ) {
    this.section = new Section('storage', 'Storage', 'save', ui, 'storage-section');
  }

  get root(): HTMLElement {
    return this.section.root;
  }

  render(now: number): void {
    const stats = this.model.storage;
    if (!stats) {
      replaceChildren(this.section.body, h('div', { class: 'muted' }, 'No storage figures yet.'));
      return;
    }
    this.section.meta.textContent = bytes(stats.diskBytes);
    const figure = (glyph: string, label: string, value: string, detail: string) =>
      h(
        'div',
        { class: 'figure' },
        h('div', { class: 'figure-label' }, icon(glyph), label),
        h('div', { class: 'figure-value' }, value),
        h('div', { class: 'figure-detail muted' }, detail),
      );
    replaceChildren(
      this.section.body,
      h(
        'div',
        { class: 'figures' },
        figure('list-ordered', 'Log records', stats.logRecords.toLocaleString('en-US'), `${bytes(stats.logBytes)} in the log`),
        figure(
          'archive',
          'Snapshot',
          stats.snapshotAt === null ? 'none yet' : relativeTime(stats.snapshotAt, now),
          stats.snapshotAt === null ? 'all in the log' : bytes(stats.snapshotBytes),
        ),
        figure('database', 'On disk', bytes(stats.diskBytes), count(stats.fsyncs, 'fsync')),
      ),
      h('div', { class: 'directory muted', title: stats.directory }, icon('folder'), stats.directory),
    );
  }
}
