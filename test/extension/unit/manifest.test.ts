import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_IDS } from '../../../src/extension/commandIds';
import { FSYNC_SETTINGS, readSettings } from '../../../src/extension/settings';
import { DEFAULT_FSYNC } from '../../../src/storage/fsyncPolicy';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

interface Contributed {
  command: string;
  title: string;
  category: string;
}

describe('extension/package.json', () => {
  it('contributes exactly the command ids the extension registers, under "Minidote:"', () => {
    const commands: Contributed[] = pkg.contributes.commands;
    assert.deepEqual(commands.map((c) => c.command).sort(), [...COMMAND_IDS].sort());
    for (const c of commands) {
      assert.equal(c.category, 'Minidote', c.command);
      assert.ok(c.title.length > 0, c.command);
    }
  });

  it('only puts contributed commands in menus, view menus on the views it contributes', () => {
    const views = Object.values(pkg.contributes.views as Record<string, { id: string }[]>)
      .flat()
      .map((v) => v.id);
    assert.deepEqual(views, ['minidote.objects', 'minidote.peers']);
    for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string; when: string }[]>)) {
      for (const item of items) {
        assert.ok((COMMAND_IDS as readonly string[]).includes(item.command), item.command);
        // The command palette's entries say when a command applies, not on which view.
        if (menu.startsWith('view/')) assert.match(item.when, /view == minidote\.(objects|peers)/);
        else assert.equal(menu, 'commandPalette', `${item.command} is in an unexpected menu`);
      }
    }
    assert.ok(existsSync(path.join(root, pkg.contributes.viewsContainers.activitybar[0].icon)));
    assert.ok(existsSync(path.join(root, pkg.icon)));
  });

  it('declares every setting the extension reads, with descriptions, and its defaults read cleanly', () => {
    const properties: Record<string, { default: unknown; markdownDescription?: string; enum?: string[] }> =
      pkg.contributes.configuration.properties;
    const read: string[] = [];
    const { problems } = readSettings((name) => {
      read.push(`minidote.${name}`);
      return properties[`minidote.${name}`]?.default;
    });
    assert.deepEqual(Object.keys(properties).sort(), read.sort());
    assert.deepEqual(problems, []);
    for (const [name, p] of Object.entries(properties)) assert.ok(p.markdownDescription, name);
  });

  it('defaults the fsync setting to the storage layer default', () => {
    const fsync = pkg.contributes.configuration.properties['minidote.storage.fsync'];
    assert.deepEqual(fsync.enum, [...FSYNC_SETTINGS]);
    assert.equal(fsync.default, DEFAULT_FSYNC);
  });

  it('activates after startup (or earlier, to restore the replica panel or open a join link), from the bundled entry point', () => {
    assert.deepEqual(pkg.activationEvents, ['onStartupFinished', 'onWebviewPanel:minidote.replicaState', 'onUri']);
    assert.equal(pkg.main, './dist/extension.js');
  });
});
