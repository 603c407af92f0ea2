import { Json } from '../../core/json';
import { parseValueInput } from '../model/valueInput';
import { button, checkbox, textField } from './controls';
import { h } from './dom';

/**
 * A value field with a "JSON" switch and a submit button: elements and register values are text
 * unless JSON is ticked (as with `--json` on the command line).
 */
export class ValueEntry {
  readonly root: HTMLDivElement;
  private readonly field;
  private readonly json;

  constructor(options: {
    placeholder: string;
    label: string;
    buttonLabel: string;
    buttonIcon: string;
    run: (action: () => Promise<void>) => Promise<boolean>;
    submit: (value: Json) => Promise<void>;
    fail: (message: string) => void;
  }) {
    const submit = async () => {
      const parsed = parseValueInput(this.field.value, this.json.checked);
      if (!parsed.ok) {
        options.fail(parsed.error);
        return;
      }
      if (await options.run(() => options.submit(parsed.value))) this.field.value = '';
      this.field.focus();
    };
    this.field = textField({ placeholder: options.placeholder, label: options.label, onEnter: () => void submit(), class: 'grow' });
    this.json = checkbox('JSON', { title: 'Read the value as JSON (numbers, objects, quoted strings)' });
    this.root = h(
      'div',
      { class: 'value-entry' },
      this.field,
      this.json,
      button(options.buttonLabel, () => void submit(), { icon: options.buttonIcon }),
    );
  }

  focus(): void {
    this.field.focus();
  }
}
