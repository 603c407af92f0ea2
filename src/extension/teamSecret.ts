import * as vscode from 'vscode';

const SECRET_KEY = 'minidote.teamSecret';

/** The team secret, kept in VS Code's secret storage (never in settings). Trimmed, as the CLI does. */
export class TeamSecret {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(): Promise<string | undefined> {
    const value = (await this.storage.get(SECRET_KEY))?.trim();
    return value ? value : undefined;
  }

  /** An empty secret removes it. */
  async set(secret: string): Promise<void> {
    const value = secret.trim();
    if (value) await this.storage.store(SECRET_KEY, value);
    else await this.storage.delete(SECRET_KEY);
  }

  /** Fires when this or another window changes the secret. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.storage.onDidChange((e) => {
      if (e.key === SECRET_KEY) listener();
    });
  }
}
