import * as vscode from 'vscode';
import { DecodedUriParts, JoinConfirmation, joinConfirmation, parseJoinLink } from './inviteModel';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { rememberPeer, settledPeer } from './teamSteps';
import { TeamSecret } from './teamSecret';

/** Answers the join confirmation: true to join. */
export type ConfirmJoin = (confirmation: JoinConfirmation) => Promise<boolean>;

export interface JoinOutcome {
  readonly peer: string;
  /** The link carried a secret, now in secret storage. */
  readonly secretStored: boolean;
  readonly connected: boolean;
  readonly peerName?: string;
  readonly lastError?: string;
}

export interface JoinDeps {
  readonly host: NodeHost;
  readonly secret: TeamSecret;
  readonly notifier: Notifier;
  /** Applies a new team secret to the running node. */
  readonly applySecret: (secret: string | undefined) => Promise<void>;
}

/** How long the result waits for the link before saying it is still connecting. */
const CONNECT_WAIT_MS = 15_000;

async function askInModal(confirmation: JoinConfirmation): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    confirmation.message,
    { modal: true, detail: confirmation.detail },
    confirmation.accept,
  );
  return choice === confirmation.accept;
}

/**
 * Opens `vscode://<publisher>.<name>/join?peer=…[#secret=…]` links: asks once (a modal showing the
 * peer and whether the link carries the secret), keeps the secret in secret storage, adds the
 * peer to the user settings, connects, and says how that went.
 */
export class JoinLinkHandler implements vscode.UriHandler {
  private confirm: ConfirmJoin = askInModal;
  private readonly results: JoinOutcome[] = [];

  constructor(private readonly deps: JoinDeps) {}

  /** What each accepted link led to, oldest first (read by the extension-host tests). */
  get outcomes(): readonly JoinOutcome[] {
    return this.results;
  }

  /**
   * For the extension-host tests, which cannot click a modal: answers every confirmation with
   * `confirm` (undefined puts the modal back). The confirmation's text is unit tested.
   */
  answerConfirmationsWith(confirm: ConfirmJoin | undefined): void {
    this.confirm = confirm ?? askInModal;
  }

  async handleUri(uri: vscode.Uri): Promise<void> {
    await this.open(uri);
  }

  /** Joins as the link asks, reporting a failure as a notification; undefined when declined or failed. */
  open(parts: DecodedUriParts): Promise<JoinOutcome | undefined> {
    return this.join(parts).catch((error: unknown) => {
      this.deps.notifier.failure(t('Minidote: join link'), error);
      return undefined;
    });
  }

  /** Joins as a link asks; undefined when the user declines. */
  async join(parts: DecodedUriParts): Promise<JoinOutcome | undefined> {
    const { host, secret, notifier } = this.deps;
    const request = parseJoinLink(parts);
    const current = await secret.get();
    if (!(await this.confirm(joinConfirmation(request, current)))) return undefined;

    // The secret first, so that the new link authenticates from its first attempt.
    if (request.secret !== undefined && request.secret !== current) {
      await secret.set(request.secret);
      await this.deps.applySecret(await secret.get());
    }
    const peer = await rememberPeer(host, request.peer);
    const status = await settledPeer(host, peer, CONNECT_WAIT_MS);
    const outcome: JoinOutcome = {
      peer,
      secretStored: request.secret !== undefined,
      connected: status?.connected === true,
      ...(status?.displayName && { peerName: status.displayName }),
      ...(status?.lastError && { lastError: status.lastError }),
    };
    this.results.push(outcome);
    if (outcome.connected)
      void notifier.info(t('Minidote: joined the team at {0} (connected to {1}).', peer, outcome.peerName ?? status?.id ?? peer));
    else {
      const reason = outcome.lastError ?? t('no answer yet');
      void notifier.warn(t('Minidote: added {0} to your peers, but it is not connected yet ({1}); Minidote keeps trying.', peer, reason));
    }
    return outcome;
  }
}
