/**
 * Every user-facing string of the extension goes through `t`, so it can be translated. In VS Code,
 * `extension.ts` routes it to `vscode.l10n.t` (which loads the bundle for the display language);
 * the pure modules stay free of `vscode`, so their unit tests get the English text, formatted the
 * same way: `{0}`, `{1}`… are replaced by the arguments.
 *
 * Messages must be string literals (no template literals): the l10n bundle is extracted from the
 * source (test/extension/unit/l10n.test.ts checks l10n/bundle.l10n.json against it).
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

export function formatMessage(message: string, ...args: Array<string | number | boolean>): string {
  return message.replace(/\{(\d+)\}/g, (match, index: string) => {
    const i = Number(index);
    return i < args.length ? String(args[i]) : match;
  });
}

let translate: Translate = formatMessage;

export function t(message: string, ...args: Array<string | number | boolean>): string {
  return translate(message, ...args);
}

/** Installs the editor's translator (once, at activation). */
export function useTranslator(next: Translate): void {
  translate = next;
}
