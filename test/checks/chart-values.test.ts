import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeFormPaths, undeclaredValueFindings } from '../../lib/checks/chart-values';
import type { ChartFacts } from '../../lib/core/chart-render';
import { readFacts } from '../../lib/tools/chart-render';

const FIXTURES = path.join(__dirname, '../fixtures/charts');
const basic = readFacts(path.join(FIXTURES, 'render-basic'));
const schema = readFacts(path.join(FIXTURES, 'render-schema'));
const keys = (values: unknown, facts: ChartFacts, undeclared: Array<{ key: string; template: string }> = []) => undeclaredValueFindings(values, facts, undeclared).map((f) => f.key);

describe('freeFormPaths', () => {
  it('finds toYaml .Values.<path>, .Values.<path> | toYaml, and toYaml . inside with .Values.<path>', () => {
    const found = freeFormPaths(
      new Map([
        ['templates/a.yaml', '{{ toYaml .Values.resources | nindent 4 }}\n{{ .Values.extra.env | toYaml }}\n{{- with .Values.podAnnotations }}\n{{- toYaml . | nindent 8 }}\n{{- end }}'],
        // `toYaml .` inside a range is the range item, not the with's value; after `end` the with is closed.
        ['templates/b.yaml', '{{- with .Values.ports }}{{- range . }}{{ toYaml . }}{{- end }}{{- end }}\n{{ toYaml . }}\n{{ toYaml (.Values.tolerations) }}'],
        ['charts/sidecar/templates/c.yaml', '{{ toYaml .Values.affinity }}'],
      ]),
    );
    expect([...found].sort()).toEqual(['extra.env', 'podAnnotations', 'resources', 'sidecar.affinity', 'tolerations']);
  });
});

describe('undeclaredValueFindings', () => {
  it('accepts keys declared in values.yaml, below scalar or list defaults, and in a subchart', () => {
    expect(keys({ image: { repository: 'r', tag: 't' }, replicas: 2, metrics: { enabled: false }, sidecar: { protocol: 'UDP', port: 1 } }, basic)).toEqual([]);
    // Kompile replaces a scalar or list default whole, whatever its shape.
    expect(keys({ operator: { args: ['--x'], image: { repository: 'r' } } }, schema)).toEqual([]);
  });

  it('fails an undeclared key, naming it and the closest keys the chart declares there', () => {
    const findings = undeclaredValueFindings({ image: { repository: 'r', tga: '1' }, replica: 3 }, basic, []);
    expect(findings.map((f) => f.key)).toEqual(['image.tga', 'replica']);
    expect(findings[0].message).toMatch(/^value 'image\.tga' is not declared by the chart .* at 'image' the chart declares 'tag', 'repository'/);
    expect(findings[1].message).toMatch(/at the top level the chart declares 'replicas'/);
    expect(findings[1].message).toContain('undeclaredValues in charts.lock.json');
  });

  it('treats a subtree a template passes whole to toYaml as free-form', () => {
    expect(keys({ resources: { limits: { cpu: '1' } }, podAnnotations: { 'a/b': 'c' }, nodeSelector: { zone: 'a' } }, basic)).toEqual([]);
    // ... but only that subtree: a sibling typo still fails.
    expect(keys({ podAnnotation: { a: 'b' } }, basic)).toEqual(['podAnnotation']);
  });

  it('accepts keys the schema declares: properties, additionalProperties schemas, patternProperties, non-object schemas', () => {
    expect(keys({ operator: { logLevel: 'debug', tolerations: [{ key: 'k' }], env: { A: 'b' } }, labels: { 'team.io/x': 'y' } }, schema)).toEqual([]);
    // patternProperties with additionalProperties false: a key the pattern refuses is undeclared.
    expect(keys({ labels: { BAD_KEY: 'y' } }, schema)).toEqual(['labels.BAD_KEY']);
    expect(keys({ strict: { a: 'x', b: 'y' } }, schema)).toEqual(['strict.b']);
    // A key neither values.yaml nor the schema knows.
    expect(keys({ operator: { logLvl: 'debug' } }, schema)).toEqual(['operator.logLvl']);
  });

  it('follows local $ref and allOf in the schema, and treats an empty schema as free-form', () => {
    const facts: ChartFacts = {
      defaults: {},
      schema: { definitions: { svc: { type: 'object', properties: { port: { type: 'integer' } } } }, properties: { svc: { $ref: '#/definitions/svc' }, x: { allOf: [{ properties: { y: {} } }] } } },
      templates: new Map(),
    };
    expect(keys({ svc: { port: 1, prot: 2 }, x: { y: { anything: true }, z: 1 } }, facts)).toEqual(['svc.prot', 'x.z']);
  });

  it('accepts an allow-listed key whose template mentions it, and flags entries that no longer hold', () => {
    expect(keys({ legacy: { runAsUser: 1000 } }, schema)).toEqual(['legacy']);
    expect(keys({ legacy: { runAsUser: 1000 } }, schema, [{ key: 'legacy.runAsUser', template: 'templates/operator.yaml' }])).toEqual([]);
    // Only below the entry: a sibling of it is still undeclared.
    expect(keys({ legacy: { runAsUser: 1000, other: 1 } }, schema, [{ key: 'legacy.runAsUser', template: 'templates/operator.yaml' }])).toEqual(['legacy.other']);
    const stale = undeclaredValueFindings({}, schema, [
      { key: 'legacy.gone', template: 'templates/operator.yaml' },
      { key: 'legacy.runAsUser', template: 'templates/removed.yaml' },
    ]);
    expect(stale.map((f) => f.key)).toEqual(['legacy.gone', 'legacy.runAsUser']);
    expect(stale[0].message).toBe('stale allow-list entry: templates/operator.yaml no longer mentions .Values.legacy.gone; remove the entry from undeclaredValues or update it');
    expect(stale[1].message).toMatch(/^stale allow-list entry: templates\/removed\.yaml does not exist in the chart \(templates: templates\/operator\.yaml\)/);
    // A prefix of a mentioned path is no mention: `.Values.legacy.runAsUser` does not mention `.Values.legacy.runAs`.
    expect(keys({}, schema, [{ key: 'legacy.runAs', template: 'templates/operator.yaml' }])).toEqual(['legacy.runAs']);
  });

  it('does not descend into lists', () => {
    expect(keys({ operator: { tolerations: [{ notDeclaredAnywhere: 1 }] } }, schema)).toEqual([]);
  });
});

describe('undeclaredValueFindings: how real charts declare values', () => {
  const facts = (defaults: unknown, templates: Record<string, string>): ChartFacts => ({ defaults, templates: new Map(Object.entries(templates)) });

  it("reads Istio's defaults under _internal_defaults_do_not_set as the chart's top-level keys", () => {
    const istio = facts({ _internal_defaults_do_not_set: { defaultRevision: 'default', global: { hub: '' } } }, { 'templates/zzz_profile.yaml': '' });
    expect(keys({ defaultRevision: 'default', global: { hub: 'docker.io/istio' } }, istio)).toEqual([]);
    expect(keys({ defaultRevison: 'x' }, istio)).toEqual(['defaultRevison']);
  });

  it('sees subtrees passed to toYaml through a variable bound to the root context ($root.Values)', () => {
    const jenkins = facts({ sidecar: { containerSecurityContext: { readOnlyRootFilesystem: true } } }, { 'templates/_helpers.tpl': '{{- toYaml $root.Values.sidecar.containerSecurityContext | nindent 4 }}' });
    expect(keys({ sidecar: { containerSecurityContext: { capabilities: { drop: ['ALL'] } } } }, jenkins)).toEqual([]);
  });

  it('accepts allow-list entries read as index $.Values "key" or ($.Values.parent).key', () => {
    const istio = facts(
      { global: {} },
      { 'templates/zzy_descope_legacy.yaml': '{{- $_ := mustMergeOverwrite $.Values (index $.Values "pilot") }}', 'templates/zzz_profile.yaml': '{{- if ($.Values.global).platform }}' },
    );
    const allow = [
      { key: 'pilot', template: 'templates/zzy_descope_legacy.yaml' },
      { key: 'global.platform', template: 'templates/zzz_profile.yaml' },
    ];
    expect(keys({ pilot: { cni: { enabled: true } }, global: { platform: 'k3s' } }, istio, allow)).toEqual([]);
    expect(keys({}, istio, [{ key: 'global.profile', template: 'templates/zzz_profile.yaml' }])).toEqual(['global.profile']);
  });

  it('accepts allow-list entries read through the dot a with binds to .Values.<parent>, merged or not', () => {
    // The shape of ingress-nginx's image lines: the image map merged with the global one, its keys read as `.key`.
    const nginx = facts(
      { controller: { image: { image: 'ingress-nginx/controller', tag: 'v1' } }, global: { image: { registry: 'r' } } },
      {
        'templates/deployment.yaml':
          '{{- with (merge .Values.controller.image .Values.global.image) }}\nimage: {{ if .repository }}{{ .repository }}{{ else }}{{ .registry }}/{{ .image }}{{ end }}:{{ .tag }}\n{{- end }}\n{{ .digest }}',
        'templates/job.yaml': '{{- with .Values.controller.admission }}{{- range .hosts }}{{ .port }}{{- end }}{{- end }}',
      },
    );
    expect(keys({ controller: { image: { repository: 'registry.example/controller', tag: 'v2' } } }, nginx, [{ key: 'controller.image.repository', template: 'templates/deployment.yaml' }])).toEqual([]);
    // Read outside the with (`.digest` after its end), or inside a range that rebinds the dot: stale.
    const stale = (key: string, template: string) => undeclaredValueFindings({}, nginx, [{ key, template }]).map((f) => f.message);
    expect(stale('controller.image.digest', 'templates/deployment.yaml')).toEqual(['stale allow-list entry: templates/deployment.yaml no longer mentions .Values.controller.image.digest; remove the entry from undeclaredValues or update it']);
    expect(stale('controller.admission.port', 'templates/job.yaml')).toHaveLength(1);
  });
});
