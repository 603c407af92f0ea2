import { visibleRows } from '../model/virtualWindow';
import { h } from './dom';

/**
 * A fixed-row-height list that only keeps the rows on screen in the DOM, so a set with tens of
 * thousands of elements costs the same to show and to scroll as one with twenty.
 */
export class VirtualList<T> {
  readonly root: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private items: readonly T[] = [];
  private frame = 0;

  constructor(
    private readonly rowHeight: number,
    private readonly maxVisibleRows: number,
    private readonly renderRow: (item: T, index: number) => HTMLElement,
    label: string,
  ) {
    this.spacer = h('div', { class: 'vlist-spacer' });
    this.root = h('div', { class: 'vlist', attrs: { role: 'list', 'aria-label': label, tabindex: 0 } }, this.spacer);
    this.root.addEventListener('scroll', () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
    });
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    const height = Math.min(items.length, this.maxVisibleRows) * this.rowHeight;
    this.root.style.height = `${height}px`;
    this.spacer.style.height = `${items.length * this.rowHeight}px`;
    this.draw();
  }

  private draw(): void {
    const { start, end } = visibleRows({
      scrollTop: this.root.scrollTop,
      viewportHeight: Math.min(this.items.length, this.maxVisibleRows) * this.rowHeight,
      rowHeight: this.rowHeight,
      count: this.items.length,
      overscan: 6,
    });
    const rows: HTMLElement[] = [];
    for (let i = start; i < end; i++) {
      const row = this.renderRow(this.items[i], i);
      row.classList.add('vrow');
      if (i % 2 === 1) row.classList.add('odd');
      row.setAttribute('role', 'listitem');
      row.style.transform = `translateY(${i * this.rowHeight}px)`;
      row.style.height = `${this.rowHeight}px`;
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }
}
