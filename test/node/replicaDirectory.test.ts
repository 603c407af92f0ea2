import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { MAX_DISPLAY_NAME_LENGTH, MAX_REPLICA_NAMES, ReplicaName } from '../../src/core/replicaName';
import {
  DirectoryFile,
  MAX_AHEAD_MS,
  NAMES_FILE,
  REFRESH_MS,
  ReplicaDirectory,
  loadReplicaNames,
  presence,
} from '../../src/node/replicaDirectory';
import { tempDir } from '../support/tempDir';

const NOW = 1_700_000_000_000;
const named = (id: string, displayName: string, lastSeen: number, seenBy = 'hub'): ReplicaName => ({ id, displayName, lastSeen, seenBy });

function collectWarnings(): { log: (level: string, message: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: (level, message) => level === 'warn' && warnings.push(message) };
}

describe('node/replicaDirectory', () => {
  it('keeps the later sighting of each replica, whatever order the news comes in', () => {
    const entry = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      displayName: fc.constantFrom('Ada', 'Bob', 'Cy', ''),
      lastSeen: fc.integer({ min: 0, max: 5 }),
      seenBy: fc.constantFrom('x', 'y'),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (names, order) => {
        const shuffled = [...names];
        for (let i = 0; i < order.length && shuffled.length > 1; i++) {
          const j = order[i] % shuffled.length;
          [shuffled[0], shuffled[j]] = [shuffled[j], shuffled[0]];
        }
        const one = new ReplicaDirectory('self');
        one.merge(names, 'l1', NOW);
        const other = new ReplicaDirectory('self');
        for (const name of shuffled) other.merge([name], 'l2', NOW);
        const sorted = (d: ReplicaDirectory) => d.list().sort((p, q) => p.id.localeCompare(q.id));
        assert.deepEqual(sorted(other), sorted(one));
        for (const { id, lastSeen } of sorted(one)) {
          assert.equal(lastSeen, Math.max(...names.filter((n) => n.id === id).map((n) => n.lastSeen)));
        }
      }),
    );
  });

  it('ignores what peers say about this replica and times far in its future, and cleans names', () => {
    const directory = new ReplicaDirectory('self');
    assert.equal(directory.merge([named('self', 'Impostor', NOW)], 'l1', NOW), false);
    assert.equal(directory.merge([named('a', 'Future', NOW + MAX_AHEAD_MS + 1)], 'l1', NOW), false);
    assert.equal(directory.size, 0);
    directory.merge([named('a', '  Ada\u202e\u0007 ', NOW)], 'l1', NOW);
    assert.equal(directory.get('a')?.displayName, 'Ada');
  });

  it('a direct sighting replaces what was heard, and is renewed only every REFRESH_MS unless forced', () => {
    const directory = new ReplicaDirectory('self');
    directory.merge([named('a', 'Rumour', NOW + 1000)], 'l1', NOW);
    assert.equal(directory.observe('a', 'Ada', NOW, true), true);
    assert.deepEqual(directory.get('a'), { id: 'a', displayName: 'Ada', lastSeen: NOW + 1001, seenBy: 'self' });
    assert.equal(directory.observe('a', 'Ada', NOW + 2000), false);
    assert.equal(directory.observe('a', 'Ada', NOW + 1001 + REFRESH_MS), true);
    assert.equal(directory.observe('a', undefined, NOW + 1002 + REFRESH_MS, true), true);
    assert.equal(directory.get('a')?.displayName, 'Ada', 'a handshake without a name keeps the name known');
    assert.equal(directory.observe('self', 'Me', NOW, true), false);
  });

  it('tells each link what changed since it was last told, except its own entry and what it said itself', () => {
    const directory = new ReplicaDirectory('self');
    directory.observe('hub', 'Hub', NOW, true);
    directory.merge([named('c', 'Cy', NOW)], 'link-hub', NOW);
    const start = directory.sequence;
    assert.deepEqual(
      directory.changedSince(0, 'hub', 'link-hub').map((n) => n.id),
      [],
    );
    assert.deepEqual(
      directory.changedSince(0, 'a', 'link-a').map((n) => n.id),
      ['hub', 'c'],
    );
    directory.merge([named('d', 'Di', NOW)], 'link-hub', NOW);
    assert.deepEqual(
      directory.changedSince(start, 'a', 'link-a').map((n) => n.id),
      ['d'],
    );
  });

  it('forgets the replicas seen longest ago beyond MAX_REPLICA_NAMES', () => {
    const directory = new ReplicaDirectory('self');
    const many = Array.from({ length: MAX_REPLICA_NAMES + 5 }, (_, i) => named(`r${i}`, `R${i}`, NOW - MAX_REPLICA_NAMES + i));
    directory.merge(many, 'l1', NOW);
    assert.equal(directory.size, MAX_REPLICA_NAMES);
    assert.equal(directory.get('r4'), undefined);
    assert.equal(directory.get('r5')?.displayName, 'R5');
  });

  it('says who is online directly, through which peer, or when last seen', () => {
    const directory = new ReplicaDirectory('self');
    directory.observe('hub', 'Hub', NOW, true);
    directory.merge([named('c', 'Cy', NOW - 10), named('gone', 'Gone', NOW - 60_000, 'c')], 'l1', NOW);
    const list = presence(directory, {
      direct: new Set(['hub']),
      via: new Map([
        ['c', ['hub']],
        ['nameless', ['hub']],
        ['self', ['hub']],
      ]),
    });
    assert.deepEqual(list, [
      { id: 'c', displayName: 'Cy', online: 'via-peer', via: [{ id: 'hub', displayName: 'Hub' }], lastSeen: NOW - 10, seenBy: 'hub' },
      { id: 'gone', displayName: 'Gone', online: 'offline', via: [], lastSeen: NOW - 60_000, seenBy: 'c' },
      { id: 'hub', displayName: 'Hub', online: 'direct', via: [], lastSeen: NOW, seenBy: 'self' },
      {
        id: 'nameless',
        displayName: 'nameless',
        online: 'via-peer',
        via: [{ id: 'hub', displayName: 'Hub' }],
        lastSeen: null,
        seenBy: null,
      },
    ]);
  });

  describe('names.json', () => {
    it('is written atomically and read back as it was', async () => {
      const dir = tempDir();
      try {
        const { log, warnings } = collectWarnings();
        const directory = new ReplicaDirectory('self');
        const file = new DirectoryFile(dir.path, directory, log);
        directory.observe('a', 'Ada 🚀', NOW, true);
        directory.merge([named('c', 'Cy', NOW - 5)], 'l1', NOW);
        file.close();
        const again = new ReplicaDirectory('self', loadReplicaNames(dir.path, log));
        assert.deepEqual(again.list(), directory.list());
        assert.deepEqual(warnings, []);
      } finally {
        dir.cleanup();
      }
    });

    it('a missing file is no names and no warning; a bad one is ignored with a warning', () => {
      const dir = tempDir();
      try {
        const { log, warnings } = collectWarnings();
        assert.deepEqual(loadReplicaNames(dir.path, log), []);
        assert.deepEqual(warnings, []);
        const file = path.join(dir.path, NAMES_FILE);
        const good = { format: 'minidote-names', version: 1, replicas: [named('a', 'Ada', NOW)] };
        const bad: unknown[] = [
          '{"format": "minidote-names", "version": 1, "replicas": [',
          { ...good, version: 2 },
          { ...good, replicas: [named('not an id!', 'X', 1)] },
          { ...good, replicas: [named('a', 'x'.repeat(MAX_DISPLAY_NAME_LENGTH + 1), 1)] },
          { ...good, replicas: [named('a', 'A', -1)] },
          { ...good, replicas: Array.from({ length: MAX_REPLICA_NAMES + 1 }, (_, i) => named(`r${i}`, 'R', 1)) },
          [],
        ];
        for (const content of bad) {
          writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
          assert.deepEqual(loadReplicaNames(dir.path, log), []);
        }
        assert.equal(warnings.length, bad.length, warnings.join('\n'));
        writeFileSync(file, JSON.stringify(good));
        assert.deepEqual(loadReplicaNames(dir.path, log), good.replicas);
        assert.match(readFileSync(file, 'utf8'), /Ada/);
      } finally {
        dir.cleanup();
      }
    });

    it('a failed write is a warning, never an error', async () => {
      const dir = tempDir();
      try {
        const { log, warnings } = collectWarnings();
        const directory = new ReplicaDirectory('self');
        const file = new DirectoryFile(path.join(dir.path, 'missing', 'dir'), directory, log);
        directory.observe('a', 'Ada', NOW, true);
        file.close();
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /could not keep replica names/);
      } finally {
        dir.cleanup();
      }
    });
  });
});
