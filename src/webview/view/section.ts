import { toggled } from '../model/uiState';
import { h, icon } from './dom';
import { UiStore } from './uiStore';

/** A collapsible card with a pane-style header; whether it is collapsed survives reloads. */
export class Section {
  readonly root: HTMLElement;
  readonly body: HTMLDivElement;
  readonly meta: HTMLSpanElement;

  constructor(id: string, title: string, glyph: string, ui: UiStore, extraClass = '') {
    const collapsed = ui.state.collapsedSections.includes(id);
    this.meta = h('span', { class: 'section-meta' });
    this.body = h('div', { class: 'section-body', attrs: { hidden: collapsed } });
    const chevron = icon(collapsed ? 'chevron-right' : 'chevron-down', 'chevron');
    const toggle = () => {
      const collapse = !this.body.hidden;
      this.body.hidden = collapse;
      head.setAttribute('aria-expanded', String(!collapse));
      chevron.classList.toggle('codicon-chevron-right', collapse);
      chevron.classList.toggle('codicon-chevron-down', !collapse);
      ui.update({ collapsedSections: toggled(ui.state.collapsedSections, id, collapse) });
    };
    const head = h(
      'header',
      {
        class: 'section-head clickable',
        attrs: { role: 'button', tabindex: 0, 'aria-expanded': String(!collapsed) },
        on: {
          click: toggle,
          keydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              toggle();
            }
          },
        },
      },
      chevron,
      icon(glyph),
      h('h2', {}, title),
      this.meta,
    );
    this.root = h('section', { class: `card ${extraClass}`, attrs: { 'aria-label': title }, data: { section: id } }, head, this.body);
  }
}
