import * as vscode from 'vscode';
import { MinidoteError, errorMessage } from '../core/errors';
import { t } from './localize';

export type Severity = 'info' | 'warning' | 'error';

export interface Notification {
  readonly severity: Severity;
  readonly message: string;
}

/**
 * Every message the extension shows goes through here: it is also written to the "Minidote"
 * output channel, and the last ones are kept for the extension-host tests to check.
 */
export class Notifier implements vscode.Disposable {
  private readonly recent: Notification[] = [];

  constructor(readonly output: vscode.LogOutputChannel) {}

  get history(): readonly Notification[] {
    return this.recent;
  }

  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('info', message, actions);
  }

  warn(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('warning', message, actions);
  }

  error(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('error', message, actions);
  }

  /** Shows a failure as a plain sentence: Minidote's own errors already are; others get the context. */
  failure(what: string, error: unknown): void {
    const reason = errorMessage(error);
    void this.error(error instanceof MinidoteError ? t('{0}: {1}', what, reason) : t('{0} failed unexpectedly: {1}', what, reason));
  }

  dispose(): void {
    this.output.dispose();
  }

  private show(severity: Severity, message: string, actions: string[]): Thenable<string | undefined> {
    this.recent.push({ severity, message });
    if (this.recent.length > 50) this.recent.shift();
    switch (severity) {
      case 'info':
        this.output.info(message);
        return vscode.window.showInformationMessage(message, ...actions);
      case 'warning':
        this.output.warn(message);
        return vscode.window.showWarningMessage(message, ...actions);
      case 'error':
        this.output.error(message);
        return vscode.window.showErrorMessage(message, ...actions);
    }
  }
}
