import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePeerUrl } from '../../../src/net/peerUrl';
import { COMMAND_IDS } from '../../../src/extension/commandIds';
import { FLAG_KEY_PREFIX, contextKeyValues } from '../../../src/extension/contextKeysModel';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(readFileSync(path.join(root, 'package.nls.json'), 'utf8'));
/** A manifest string as the English UI shows it. */
const english = (text: string): string => text.replace(/^%(.+)%$/, (_, key: string) => nls[key] ?? text);

const OUR_KEYS = Object.keys(contextKeyValues({ phase: 'starting' })).filter((k) => k.startsWith('minidote.'));
/** The `minidote.*` context keys a when clause names must be ones the extension sets. */
function unknownKeys(clause: string): string[] {
  return [...clause.matchAll(/minidote\.[\w.]+/g)].map((m) => m[0]).filter((k) => !OUR_KEYS.includes(k) && !k.startsWith(FLAG_KEY_PREFIX));
}

interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents: string[];
}

describe('extension/package.json: editor features', () => {
  it('shows Stop Listening, Copy Join Link and Disconnect Peer in the palette only when they apply', () => {
    const palette: { command: string; when: string }[] = pkg.contributes.menus.commandPalette;
    const when = (id: string) => palette.find((p) => p.command === id)?.when;
    assert.equal(when('minidote.stopListening'), 'minidote.listening');
    assert.equal(when('minidote.copyJoinLink'), 'minidote.listening');
    assert.equal(when('minidote.disconnectPeer'), 'minidote.outboundPeers > 0');
    for (const entry of palette) {
      assert.ok((COMMAND_IDS as readonly string[]).includes(entry.command), entry.command);
      assert.deepEqual(unknownKeys(entry.when), [], entry.command);
    }
  });

  it('disables toolbar actions that cannot run, on context keys the extension sets', () => {
    const commands: { command: string; enablement?: string }[] = pkg.contributes.commands;
    const enablement = (id: string) => commands.find((c) => c.command === id)?.enablement;
    assert.equal(enablement('minidote.stopListening'), 'minidote.listening');
    assert.equal(enablement('minidote.copyJoinLink'), 'minidote.listening');
    assert.equal(enablement('minidote.connectPeer'), 'minidote.running');
    const toolbar = [...pkg.contributes.menus['view/title'], ...pkg.contributes.menus['view/item/context']] as { command: string }[];
    for (const item of toolbar) assert.deepEqual(unknownKeys(enablement(item.command) ?? ''), [], item.command);
  });

  it('scopes each setting: a repository cannot set your name or make your machine listen', () => {
    const properties: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;
    for (const [name, p] of Object.entries(properties)) assert.ok(p.scope, `${name} has a scope`);
    assert.equal(properties['minidote.displayName'].scope, 'application');
    assert.equal(properties['minidote.confirmPermanentRemoval'].scope, 'application');
    assert.equal(properties['minidote.listen.host'].scope, 'machine');
    assert.equal(properties['minidote.listen.port'].scope, 'machine');
  });

  it('checks peer URLs in the settings editor as the extension reads them', () => {
    const items = pkg.contributes.configuration.properties['minidote.peers'].items;
    const pattern = new RegExp(items.pattern);
    assert.ok(english(items.patternErrorMessage).includes('ws://HOST:PORT'));
    const accepted = [
      'ws://10.0.0.2:7878',
      'wss://hub.example:443/minidote',
      '10.0.0.2:7878',
      'ws://[::1]:7878',
      ' ws://host:1 ',
      'ws://host',
    ];
    const refused = ['not a url', 'http://x:1', 'ws://', '', 'ws://a b:1'];
    for (const url of accepted) {
      assert.doesNotThrow(() => parsePeerUrl(url), url);
      assert.match(url, pattern);
    }
    for (const url of refused) {
      assert.throws(() => parsePeerUrl(url), url);
      assert.doesNotMatch(url, pattern);
    }
  });

  it('walks a new user through name, team, first flag and the status bar, with commands that exist', () => {
    const [walkthrough] = pkg.contributes.walkthroughs as { id: string; steps: Step[] }[];
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['setName', 'joinOrStartTeam', 'createFlag', 'watchFlag'],
    );
    for (const step of walkthrough.steps) {
      const links = [...english(step.description).matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} has a button`);
      const events = step.completionEvents.filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
      for (const id of [...links, ...events]) assert.ok((COMMAND_IDS as readonly string[]).includes(id), `${step.id}: ${id}`);
      assert.ok(step.media.markdown && existsSync(path.join(root, step.media.markdown)), `${step.id} media`);
    }
  });

  it('welcomes an empty Objects view with one primary action (Join a Team) and one secondary (Create a Flag)', () => {
    const [welcome] = pkg.contributes.viewsWelcome as { contents: string }[];
    const lines = english(welcome.contents).split('\n');
    // A line that is only a link is a button. VS Code 1.100 draws every button of an extension's
    // welcome view as primary, so the secondary action is a link in the text.
    const buttons = lines.filter((line) => /^\[[^\]]+\]\([^)]+\)$/.test(line));
    assert.deepEqual(buttons, ['[Join a Team](command:minidote.joinTeam)']);
    assert.ok(lines.some((line) => line !== buttons[0] && line.includes('[Create a Flag](command:minidote.enableFlag)')));
  });

  it('is ready for the marketplace: links, banner, categories, changelog, and a build before publishing', () => {
    assert.match(pkg.repository.url, /^https:\/\//);
    assert.match(pkg.bugs.url, /^https:\/\//);
    assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(pkg.categories.length > 0);
    assert.equal(pkg.scripts['vscode:prepublish'], 'npm run build');
    assert.ok(existsSync(path.join(root, 'CHANGELOG.md')));
    assert.ok(existsSync(path.join(root, pkg.l10n, 'bundle.l10n.json')));
  });
});
