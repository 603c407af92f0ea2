import { TYPE_NAMES, TypeName, crdtType, familyOf, isTypeName } from '../../core/crdt/registry';
import { objectId } from '../../core/transaction';
import { NewKeyPlan, planNewKey } from '../model/newKey';
import { PanelActions, errorText } from './actions';
import { button, checkbox, select, textField } from './controls';
import { h, icon, replaceChildren } from './dom';

const VALUE_HINT: Record<'counter' | 'set' | 'register', string> = {
  counter: 'Starting amount (e.g. 1, or -3)',
  set: 'First element',
  register: 'First value',
};

function send(actions: PanelActions, plan: NewKeyPlan): Promise<void> {
  switch (plan.kind) {
    case 'flag':
      return actions.setFlag(plan.object, plan.enabled);
    case 'counter':
      return actions.changeCounter(plan.object, plan.op, plan.amount);
    case 'set':
      return actions.addElement(plan.object, plan.element);
    case 'register':
      return actions.assign(plan.object, plan.value);
  }
}

/** "New key": an object is created by its first update, so the form asks for that first value. */
export class NewKeyForm {
  readonly root: HTMLFormElement;
  private readonly type;
  private readonly bucket;
  private readonly key;
  private readonly value;
  private readonly json;
  private readonly enabled;
  private readonly error: HTMLDivElement;

  constructor(
    private readonly actions: PanelActions,
    private readonly onCreated: (id: string) => void,
    onCancel: () => void,
  ) {
    const options = TYPE_NAMES.map((t) => ({ value: t, label: `${t} — ${crdtType(t).descriptor.label}` }));
    this.type = select(options, 'flag_ew', 'Type');
    this.type.addEventListener('change', () => this.syncValueField());
    this.bucket = textField({ placeholder: 'bucket', label: 'Bucket', onEnter: () => void this.submit() });
    this.key = textField({ placeholder: 'key', label: 'Key', onEnter: () => void this.submit() });
    this.value = textField({ placeholder: '', label: 'First value', onEnter: () => void this.submit(), class: 'grow' });
    this.json = checkbox('JSON', { title: 'Read the value as JSON' });
    this.enabled = checkbox('Enabled', { toggle: true, checked: true });
    this.error = h('div', { class: 'inline-error', attrs: { role: 'alert', hidden: true } });
    this.root = h(
      'form',
      { class: 'new-key', attrs: { 'aria-label': 'New key' }, on: { submit: (e) => e.preventDefault() } },
      h('div', { class: 'new-key-title' }, icon('add'), 'New key'),
      h(
        'div',
        { class: 'new-key-grid' },
        h('label', { class: 'field-label' }, 'Type'),
        this.type,
        h('label', { class: 'field-label' }, 'Bucket / key'),
        h('div', { class: 'pair' }, this.bucket, h('span', { class: 'slash' }, '/'), this.key),
        h('label', { class: 'field-label value-label' }, 'Value'),
        h('div', { class: 'pair' }, this.enabled, this.value, this.json),
      ),
      this.error,
      h(
        'div',
        { class: 'form-buttons' },
        button('Create', () => void this.submit(), { icon: 'check' }),
        button('Cancel', onCancel, { secondary: true }),
      ),
    );
    this.syncValueField();
  }

  open(bucket: string): void {
    if (!this.bucket.value) this.bucket.value = bucket;
    this.showError(null);
    (this.bucket.value ? this.key : this.bucket).focus();
  }

  private selectedType(): TypeName {
    const value = this.type.value;
    return isTypeName(value) ? value : 'flag_ew';
  }

  private syncValueField(): void {
    const family = familyOf(this.selectedType());
    const isFlag = family === 'flag';
    this.enabled.hidden = !isFlag;
    this.value.hidden = isFlag;
    this.json.hidden = isFlag || family === 'counter';
    if (family !== 'flag') this.value.placeholder = VALUE_HINT[family];
  }

  private async submit(): Promise<void> {
    const result = planNewKey({
      type: this.selectedType(),
      bucket: this.bucket.value,
      key: this.key.value,
      value: this.value.value,
      asJson: this.json.checked,
      enabled: this.enabled.checked,
    });
    if (!result.ok) return this.showError(result.error);
    this.showError(null);
    try {
      await send(this.actions, result.plan);
      this.key.value = '';
      this.value.value = '';
      this.onCreated(objectId(result.plan.object));
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  private showError(message: string | null): void {
    this.error.hidden = message === null;
    replaceChildren(this.error, message === null ? null : icon('error'), message ?? '');
  }
}
