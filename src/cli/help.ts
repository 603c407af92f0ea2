import { TYPE_NAMES } from '../core/crdt/crdtType';
import { crdtType } from '../core/crdt/registry';

const COMMON = `  --node URL         node to talk to, ws:// or wss:// (default ws://127.0.0.1:7878)
  --secret-file F    team secret (trimmed file content) for a node that requires one
  --ca-file F        for a wss:// node: trust the certificate authority in F (PEM) instead of the system's
  --timeout MS       bound for connecting and for a --clock wait (default 10000)`;

function typeTable(): string {
  return TYPE_NAMES.map((name) => {
    const type = crdtType(name);
    const ops = type.operations.map((o) => o.name).join(', ');
    return `  ${name.padEnd(14)} ${ops}`;
  }).join('\n');
}

export const HELP: Record<string, string> = {
  main: `minidote: a replicated CRDT store (flags, sets, counters, registers) that syncs peer to peer

Usage:
  minidote serve  --data DIR [options]                     run a node until SIGINT/SIGTERM
  minidote update [options] TYPE BUCKET KEY OP [ARG...]    apply one operation
  minidote update [options] --batch FILE|-                 apply a JSON array of operations atomically
  minidote read   [options] TYPE BUCKET KEY                print {"value": V, "clock": C}
  minidote status [options]                                print the node's id, clock and peers
  minidote --version                                       print the version

Run "minidote COMMAND --help" for a command's options.
Exit codes: 0 done, 1 rejected by the type, 2 bad usage or input, 3 unavailable.`,
  serve: `Usage: minidote serve --data DIR [options]

Runs a Minidote node: keeps the replica in DIR, listens for peers and clients, and keeps
reconnecting to every --peer. Prints "minidote ID listening on ws://HOST:PORT" when ready
(wss://HOST:PORT with --tls-cert). With a team secret, every frame after the handshake is
encrypted and authenticated, with no certificates needed.

  --data DIR         data directory (created if missing; one process at a time)
  --id ID            replica id (default: generated once and kept in DIR)
  --host HOST        address to listen on (default 127.0.0.1; others need --secret-file)
  --port PORT        port to listen on (default 7878; 0 picks a free one)
  --peer URL         a peer to replicate with, ws://HOST:PORT or wss://HOST:PORT (repeatable)
  --secret-file F    team secret: only peers and clients that know it may connect
  --tls-cert F       serve wss:// with the certificate (chain) in F, PEM; needs --tls-key
  --tls-key F        the certificate's private key, PEM
  --ca-file F        for wss:// peers: trust the certificate authority in F (PEM) instead of the system's
  --fsync POLICY     always | interval[:MS] | never (default always; updates arriving together share one fsync)
  --display-name N   name shown to peers (default: the id)`,
  update: `Usage: minidote update [options] TYPE BUCKET KEY OP [ARG...]
       minidote update [options] --batch FILE|-

Prints the commit clock (the node's vector clock after the transaction) as one line of JSON.
Counter amounts are integers; other arguments are strings unless --json.

${COMMON}
  --clock JSON       first wait until the node has seen this clock (session guarantee)
  --json             parse each ARG as JSON
  --batch FILE|-     a JSON array of {type, bucket, key, op, args}, applied all or nothing

Types and operations:
${typeTable()}`,
  read: `Usage: minidote read [options] TYPE BUCKET KEY

Prints {"value": V, "clock": C} as one line of JSON.

${COMMON}
  --clock JSON       first wait until the node has seen this clock (read your writes)`,
  status: `Usage: minidote status [options]

Prints {"id", "clock", "peers": [{"id", "url", "connected", ...}], ...} as one line of JSON.

${COMMON}`,
};
