import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readZipEntry, zipEntries } from '../../lib/tools/zip';

/** Writes a ZIP archive (APPNOTE layout) with stored (method 0) or deflated (method 8) entries. */
function makeZip(entries: Array<{ name: string; data: Buffer; method: 0 | 8; comment?: string }>, archiveComment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.method === 8 ? zlib.deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(zlib.crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const comment = Buffer.from(e.comment ?? '');
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(zlib.crc32(e.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(comment.length, 32);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name, comment);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const c = Buffer.from(archiveComment);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(c.length, 20);
  return Buffer.concat([...locals, cd, eocd, c]);
}

describe('zip reader', () => {
  const text = Buffer.from('#!/bin/sh\necho helm\n'.repeat(100));
  const zip = makeZip(
    [
      { name: 'helm/', data: Buffer.alloc(0), method: 0 },
      { name: 'helm/helm', data: text, method: 8, comment: 'binary' },
      { name: 'README', data: Buffer.from('stored'), method: 0 },
    ],
    'archive comment',
  );

  it('lists entries from the central directory, past an archive comment', () => {
    expect(zipEntries(zip).map((e) => [e.name, e.method, e.size])).toEqual([
      ['helm/', 0, 0],
      ['helm/helm', 8, text.length],
      ['README', 0, 6],
    ]);
  });

  it('reads deflated and stored entries', () => {
    expect(readZipEntry(zip, 'helm/helm').equals(text)).toBe(true);
    expect(readZipEntry(zip, 'README').toString()).toBe('stored');
  });

  it('fails on a missing entry, a corrupt entry and a non-ZIP file', () => {
    expect(() => readZipEntry(zip, 'kubectl/kubectl')).toThrow("no entry 'kubectl/kubectl' in the ZIP archive");
    const corrupt = Buffer.from(zip);
    const dataAt = 30 + 'helm/'.length + 30 + 'helm/helm'.length;
    corrupt[dataAt + 5] ^= 0xff;
    expect(() => readZipEntry(corrupt, 'helm/helm')).toThrow(/helm\/helm|invalid|incorrect/);
    expect(() => zipEntries(Buffer.from('not a zip at all, not even close to one'))).toThrow('not a ZIP archive');
  });
});
