import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKubernetesYaml } from '../../lib/checks/yaml';
import { yamlDocumentsOf } from '../../lib/tools/yaml-file-cache';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function scratch(): { dir: string; cache: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-yaml-cache-'));
  made.push(dir);
  const file = path.join(dir, 'crd.yaml');
  // YAML 1.1 readings (`on` is true, `0755` is octal) and a timestamp, which JSON holds as a string.
  fs.writeFileSync(file, 'kind: A\nenabled: on\nmode: 0755\nsince: 2024-01-02\n---\nkind: B\nitems: [1, two]\n');
  return { dir, cache: path.join(dir, 'cache'), file };
}

describe('YAML documents remembered by content', () => {
  it('reads the documents as Kubernetes does, through JSON, the same from the file and from the cache', () => {
    const { cache, file } = scratch();
    const first = yamlDocumentsOf(file, cache);
    expect(first).toEqual([{ kind: 'A', enabled: true, mode: 493, since: expect.any(String) }, { kind: 'B', items: [1, 'two'] }]);
    expect(first).toEqual(JSON.parse(JSON.stringify(parseKubernetesYaml(fs.readFileSync(file, 'utf8')).map((d) => d.value))));
    expect(fs.readdirSync(cache)).toHaveLength(1);
    expect(yamlDocumentsOf(file, cache)).toEqual(first);
  });

  it('uses the entry on a second read (a planted entry for the same content is what comes back)', () => {
    const { cache, file } = scratch();
    yamlDocumentsOf(file, cache);
    const [entry] = fs.readdirSync(cache);
    fs.writeFileSync(path.join(cache, entry), JSON.stringify([{ kind: 'FromCache' }]));
    expect(yamlDocumentsOf(file, cache)).toEqual([{ kind: 'FromCache' }]);
  });

  it('parses again when the file changes, or when its entry is damaged', () => {
    const { cache, file } = scratch();
    yamlDocumentsOf(file, cache);
    fs.writeFileSync(file, 'kind: C\n');
    expect(yamlDocumentsOf(file, cache)).toEqual([{ kind: 'C' }]);
    expect(fs.readdirSync(cache)).toHaveLength(2);
    for (const e of fs.readdirSync(cache)) fs.writeFileSync(path.join(cache, e), '{"broken');
    expect(yamlDocumentsOf(file, cache)).toEqual([{ kind: 'C' }]);
  });

  it('names the file when it does not parse, and caches nothing for it', () => {
    const { cache, dir } = scratch();
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'a: [unclosed\n');
    expect(() => yamlDocumentsOf(bad, cache)).toThrow(bad);
    expect(fs.existsSync(cache) ? fs.readdirSync(cache) : []).toEqual([]);
  });
});
