import * as vscode from 'vscode';
import { TypeName } from '../core/crdt/crdtType';
import { crdtType } from '../core/crdt/registry';
import { errorMessage } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { FAMILY_TYPES, Family, inFamily } from './families';
import { KeyChoice, acceptedChoice, newKeyChoice } from './keyPickModel';
import { formatKeyRef, keyRefProblem } from './keyRef';
import { t } from './localize';
import { ObjectEntry, valueLabel } from './objectsModel';

interface KeyItem extends vscode.QuickPickItem {
  readonly target?: KeyChoice['target'];
  readonly existing?: boolean;
}

/**
 * Rows the user reaches after typing take at least this long (a key press, a click); an active
 * row that changed sooner was set by the picker itself, for text typed earlier.
 */
const CHOSEN_AFTER_TYPING_MS = 250;

function summary(entry: ObjectEntry): string {
  const v = entry.value;
  if (Array.isArray(v)) return v.length <= 3 ? v.map(valueLabel).join(', ') || t('(empty)') : t('{0} values', v.length);
  return v === true ? t('enabled') : v === false ? t('disabled') : valueLabel(v);
}

function placeholder(family: Family, any: boolean): string {
  switch (family) {
    case 'flag':
      return any
        ? t('Pick a flag, or type bucket/key and press Enter to create one')
        : t('Type bucket/key for a new flag (e.g. ops/deploy-freeze) and press Enter');
    case 'set':
      return any
        ? t('Pick a set, or type bucket/key and press Enter to create one')
        : t('Type bucket/key for a new set (e.g. team/reviewers) and press Enter');
    case 'counter':
      return any
        ? t('Pick a counter, or type bucket/key and press Enter to create one')
        : t('Type bucket/key for a new counter (e.g. ops/deploys) and press Enter');
    case 'register':
      return any
        ? t('Pick a register, or type bucket/key and press Enter to create one')
        : t('Type bucket/key for a new register (e.g. ops/release-train) and press Enter');
  }
}

function newRowDescription(family: Family): string {
  switch (family) {
    case 'flag':
      return t('$(add) new flag');
    case 'set':
      return t('$(add) new set');
    case 'counter':
      return t('$(add) new counter');
    case 'register':
      return t('$(add) new register');
  }
}

/**
 * A quick pick of the existing objects of `family` (shown as bucket/key); typing a new bucket/key
 * and pressing Enter picks that key instead, and for families with several types asks which one.
 * Enter uses the typed text even when it arrives before the rows for that text (keyPickModel).
 */
export async function pickObject(family: Family, title: string, entries: readonly ObjectEntry[]): Promise<ObjectKey | undefined> {
  const several = FAMILY_TYPES[family].length > 1;
  const existing: KeyItem[] = entries
    .filter((e) => inFamily(family, e.key.type))
    .map((e) => ({
      label: formatKeyRef(e.key),
      description: several ? `${e.key.type} · ${summary(e)}` : summary(e),
      target: e.key,
      existing: true,
    }));
  const picked = await new Promise<KeyChoice | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<KeyItem>();
    let typedAt = 0;
    let activeAt = 0;
    qp.title = title;
    qp.placeholder = placeholder(family, existing.length > 0);
    qp.items = existing;
    qp.onDidChangeValue((value) => {
      typedAt = Date.now();
      const text = value.trim();
      if (text === '' || existing.some((i) => i.label === text)) {
        qp.items = existing;
        return;
      }
      const problem = keyRefProblem(text);
      const extra: KeyItem = problem
        ? { label: `$(info) ${problem}`, alwaysShow: true }
        : { ...newKeyChoice(text), description: newRowDescription(family), alwaysShow: true };
      qp.items = [extra, ...existing];
    });
    qp.onDidChangeActive(() => {
      activeAt = Date.now();
    });
    qp.onDidAccept(() => {
      const choice = acceptedChoice({
        typed: qp.value,
        active: qp.selectedItems[0] ?? qp.activeItems[0],
        existing,
        activeChosenAfterTyping: activeAt - typedAt >= CHOSEN_AFTER_TYPING_MS,
      });
      if (!choice) return; // the hint row: keep the picker open
      resolve(choice);
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
  const picked = await vscode.window.showQuickPick(items, { title: whichKind(family, name) });
  return picked?.type;
}

function whichKind(family: Family, name: string): string {
  return family === 'set'
    ? t('Which kind of set is {0}?', name)
    : family === 'counter'
      ? t('Which kind of counter is {0}?', name)
      : t('Which type is {0}?', name);
}

/** An input box whose `check` throws (or returns a message) for a value it cannot use. */
export async function askText(options: {
  title: string;
  prompt: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  /** Stays open when the focus moves (to copy what to paste, or a page that loads beside it). */
  keepOpen?: boolean;
  check?: (text: string) => string | undefined | void;
}): Promise<string | undefined> {
  const { check } = options;
  return vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    placeHolder: options.placeholder,
    value: options.value,
    password: options.password,
    ignoreFocusOut: options.password || options.keepOpen,
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
  if (text.trim() === '' || !Number.isSafeInteger(n)) return t('Type a whole number, e.g. 1');
  if (positive && n <= 0) return t('This counter only takes amounts greater than 0');
  return undefined;
}

/** A quick pick over values; undefined when cancelled. */
export async function pickOne<T>(title: string, items: readonly (vscode.QuickPickItem & { value: T })[]): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { title }))?.value;
}
