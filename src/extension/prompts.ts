import * as vscode from 'vscode';
import { TypeName } from '../core/crdt/crdtType';
import { crdtType } from '../core/crdt/registry';
import { errorMessage } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { FAMILY_TYPES, Family, inFamily } from './families';
import { formatKeyRef, keyRefProblem, parseKeyRef } from './keyRef';
import { ObjectEntry, valueLabel } from './objectsModel';

interface KeyItem extends vscode.QuickPickItem {
  /** Undefined for the hint row shown while the typed text is not a bucket/key yet. */
  readonly target?: { readonly bucket: string; readonly key: string; readonly type?: TypeName };
}

function summary(entry: ObjectEntry): string {
  const v = entry.value;
  if (Array.isArray(v)) return v.length <= 3 ? v.map(valueLabel).join(', ') || '(empty)' : `${v.length} values`;
  return v === true ? 'enabled' : v === false ? 'disabled' : valueLabel(v);
}

/**
 * A quick pick of the existing objects of `family` (shown as bucket/key); typing a new bucket/key
 * and pressing Enter picks that key instead, and for families with several types asks which one.
 */
export async function pickObject(family: Family, title: string, entries: readonly ObjectEntry[]): Promise<ObjectKey | undefined> {
  const several = FAMILY_TYPES[family].length > 1;
  const existing: KeyItem[] = entries
    .filter((e) => inFamily(family, e.key.type))
    .map((e) => ({
      label: formatKeyRef(e.key),
      description: several ? `${e.key.type} · ${summary(e)}` : summary(e),
      target: e.key,
    }));
  const picked = await new Promise<KeyItem | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<KeyItem>();
    qp.title = title;
    qp.placeholder = existing.length
      ? `Pick a ${family}, or type bucket/key and press Enter to create one`
      : `Type bucket/key for a new ${family} (e.g. team/${family === 'flag' ? 'deploy-freeze' : 'my-' + family}) and press Enter`;
    qp.items = existing;
    qp.onDidChangeValue((value) => {
      const text = value.trim();
      if (text === '' || existing.some((i) => i.label === text)) {
        qp.items = existing;
        return;
      }
      const problem = keyRefProblem(text);
      const extra: KeyItem = problem
        ? { label: `$(info) ${problem}`, alwaysShow: true }
        : { label: text, description: `$(add) new ${family}`, alwaysShow: true, target: parseKeyRef(text) };
      qp.items = [extra, ...existing];
    });
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!item?.target) return; // the hint row: keep the picker open
      resolve(item);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
  const target = picked?.target;
  if (!target) return undefined;
  if (target.type) return { bucket: target.bucket, key: target.key, type: target.type };
  const type = several ? await pickType(family, formatKeyRef(target)) : FAMILY_TYPES[family][0];
  return type && { bucket: target.bucket, key: target.key, type };
}

async function pickType(family: Family, name: string): Promise<TypeName | undefined> {
  const items = FAMILY_TYPES[family].map((type) => ({ label: type, detail: crdtType(type).summary, type }));
  const picked = await vscode.window.showQuickPick(items, { title: `Which kind of ${family} is ${name}?` });
  return picked?.type;
}

/** An input box whose `check` throws (or returns a message) for a value it cannot use. */
export async function askText(options: {
  title: string;
  prompt: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  check?: (text: string) => string | undefined | void;
}): Promise<string | undefined> {
  const { check } = options;
  return vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    placeHolder: options.placeholder,
    value: options.value,
    password: options.password,
    ignoreFocusOut: options.password,
    validateInput: check
      ? (text) => {
          try {
            return check(text) ?? undefined;
          } catch (error) {
            return errorMessage(error);
          }
        }
      : undefined,
  });
}

export function integerProblem(text: string, positive: boolean): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(n)) return 'Type a whole number, e.g. 1';
  if (positive && n <= 0) return 'This counter only takes amounts greater than 0';
  return undefined;
}

/** A quick pick over values; undefined when cancelled. */
export async function pickOne<T>(title: string, items: readonly (vscode.QuickPickItem & { value: T })[]): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { title }))?.value;
}
