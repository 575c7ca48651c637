import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NameHolds } from '../../electron/engine/name-holds.ts';

describe('names held by tasks', () => {
  it('gives a name to one task at a time, until that task lets go of it', () => {
    const names = new NameHolds();
    assert.equal(names.hold('/d', 'a.iso', 'A'), true);
    assert.equal(names.hold('/d', 'a.iso', 'A'), true, 'holding again is harmless');
    assert.equal(names.hold('/d', 'a.iso', 'B'), false);
    assert.equal(names.holds('/d', 'a.iso', 'A'), true);
    assert.equal(names.heldByOther('/d', 'a.iso', 'B'), true);
    assert.equal(names.heldByOther('/d', 'a.iso', 'A'), false);
    assert.equal(names.hold('/e', 'a.iso', 'B'), true, 'another folder is another name');

    assert.equal(names.release('/d', 'a.iso', 'B'), false, 'only the holder lets go');
    assert.equal(names.holds('/d', 'a.iso', 'A'), true);
    assert.equal(names.release('/d', 'a.iso', 'A'), true);
    assert.equal(names.heldByOther('/d', 'a.iso', 'B'), false);
    assert.equal(names.hold('/d', 'a.iso', 'B'), true);
  });
});
