/**
 * The documents of a YAML file as Kubernetes reads them (lib/checks/yaml.ts), remembered as JSON by
 * the file's content: `kompile validate` reads 7 MB of CRD schemas on every run, and parsing them as
 * YAML took ≈1.3 s where reading the same documents back as JSON takes ≈30 ms.
 *
 * The documents are what the API server would hold: Kubernetes turns YAML into JSON before it uses it
 * (sigs.k8s.io/yaml), so every result goes through JSON — the same on a cache hit and a miss.
 * The key is the file's content and the reader itself (lib/checks/yaml.ts and the `yaml` package's
 * version): a changed file or a changed reader is parsed again. Entries live in
 * `node_modules/.cache/kompile/yaml/` and are written atomically; a damaged entry is parsed again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseKubernetesYaml } from '../checks/yaml';

const CACHE_DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'kompile', 'yaml');

/** What the parsed documents depend on besides the file: the reader's code and the YAML library. */
function readerFingerprint(): string | undefined {
  try {
    const reader = fs.readFileSync(path.join(__dirname, '..', 'checks', 'yaml.ts'));
    const library = (JSON.parse(fs.readFileSync(require.resolve('yaml/package.json'), 'utf8')) as { version: string }).version;
    return createHash('sha256').update(reader).update(`\0yaml@${library}`).digest('hex');
  } catch {
    return undefined; // no source beside the code: no cache
  }
}

let fingerprint: string | undefined | null = null;

/** The JSON values of every document of `file`; a parse error names the file. */
export function yamlDocumentsOf(file: string, cacheDir: string = CACHE_DIR): unknown[] {
  const text = fs.readFileSync(file);
  if (fingerprint === null) fingerprint = readerFingerprint();
  const key = fingerprint === undefined ? undefined : createHash('sha256').update(fingerprint).update('\0').update(text).digest('hex');
  const entry = key === undefined ? undefined : path.join(cacheDir, `${key}.json`);
  if (entry && fs.existsSync(entry)) {
    try {
      const cached: unknown = JSON.parse(fs.readFileSync(entry, 'utf8'));
      if (Array.isArray(cached)) return cached;
    } catch {
      // damaged: parse again below
    }
  }
  let docs: unknown[];
  try {
    docs = parseKubernetesYaml(text.toString('utf8')).map((d) => d.value);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const json = JSON.stringify(docs);
  if (entry) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${entry}.${process.pid}.tmp`;
      fs.writeFileSync(partial, json);
      fs.renameSync(partial, entry);
    } catch {
      // a read-only checkout: no cache
    }
  }
  return JSON.parse(json) as unknown[];
}
