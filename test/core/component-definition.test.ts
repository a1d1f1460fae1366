import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chartPortValues, CLUSTER_COMPONENTS, COMPONENTS, environmentPortFacts } from '../../lib/components';
import { componentsShape, defineComponent } from '../../lib/core/component-definition';
import { componentsSchema, ConfigError, parseEnvironment } from '../../lib/core/config';
import { merge } from '../../stacks/base';
import { buildEnvironment } from '../../stacks/build';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';

const componentNames = (input: typeof dev) => buildEnvironment(parseEnvironment(input)).platform.node.children.map((c) => c.node.id);

describe('the component registry (lib/components.ts)', () => {
  it('is where the environment schema gets its components from: one key per registered component', () => {
    expect(Object.keys(componentsSchema().shape).sort()).toEqual(COMPONENTS.map((c) => c.key).sort());
  });

  it('refuses a key registered twice, naming it', () => {
    const a = defineComponent({ key: 'twice', schema: z.object({}).default({}), build: () => undefined });
    expect(() => componentsShape([a, a])).toThrow("component key 'twice' is registered twice");
  });

  it('an unregistered component in a stack file is an unknown field with the nearest registered key', () => {
    try {
      parseEnvironment(merge(dev, { components: { servng: {} } }));
      throw new Error('expected a configuration error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain("components.servng: unknown field — did you mean 'serving'?");
    }
  });

  it("reports a component's cluster rules under its own key", () => {
    // The chatbot back end asks for more GPUs than a node has: chatbotClusterIssues, prefixed components.chatbot.
    try {
      parseEnvironment(merge(prod, { components: { chatbot: { backend: { gpu: 64 } } } }));
      throw new Error('expected a configuration error');
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => i.path)).toContain('components.chatbot.backend.gpu');
    }
  });

  it("collects the node-port tables the components declare for their charts (each chart once), into every environment's port facts", () => {
    const charts = chartPortValues().map((c) => c.chart);
    expect([...charts].sort()).toEqual(['gateway', 'ingress-nginx', 'jenkins']);
    expect(new Set(charts).size).toBe(charts.length);
    const facts = environmentPortFacts(parseEnvironment(prod).cluster);
    expect(facts.charts?.map((c) => c.chart)).toEqual(charts);
    // The synth reads them: the Jenkins chart's node port value, where a Service of Kompile's holds it.
    const built = buildEnvironment(parseEnvironment(prod));
    expect(built.platform.ports?.charts?.map((c) => c.chart)).toEqual(charts);
  });

  it('builds the registered components in registration order, then the cluster components', () => {
    const ids = componentNames(prod);
    const order = ['ToolHive', 'Serving', 'Mlops', 'Chatbot', 'Delivery', 'KCloud', 'GpuRuntime', 'IngressNginx'];
    const positions = order.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(CLUSTER_COMPONENTS.map((c) => c.name)).toEqual(['gpu-runtime', 'ingress-nginx']);
  });

  it('leaves out a component its slice switches off, and a cluster component the cluster does not call for', () => {
    const ids = componentNames(merge(dev, { components: { toolhive: { enabled: false } }, cluster: { ingress: { install: false } } }));
    expect(ids).not.toContain('ToolHive');
    expect(ids).not.toContain('IngressNginx');
    expect(ids).toContain('Mlops');
  });
});

describe('module graph of the registry', () => {
  // The environment schema is derived from lib/components.ts, so nothing the registry loads may load
  // the schema back (lib/core/config/index.ts, environment.ts, parse.ts) at run time: a module of the
  // cycle would see another half-loaded ("Class extends value undefined"), depending on which file a
  // process happens to load first. Type-only imports are erased and do not count.
  it('loads nothing from lib/components.ts that loads the environment schema', () => {
    const root = path.resolve(__dirname, '../..');
    const forbidden = new Set(['lib/core/config/index.ts', 'lib/core/config/environment.ts', 'lib/core/config/parse.ts'].map((f) => path.join(root, f)));
    const resolve = (from: string, spec: string): string | undefined => {
      if (!spec.startsWith('.')) return undefined;
      const base = path.resolve(path.dirname(from), spec);
      return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    };
    const seen = new Map<string, string[]>();
    const queue: [string, string[]][] = [[path.join(root, 'lib/components.ts'), []]];
    const offending: string[] = [];
    while (queue.length > 0) {
      const [file, via] = queue.shift()!;
      if (seen.has(file)) continue;
      seen.set(file, via);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
        if (m[1]) continue;
        const target = resolve(file, m[2]);
        if (!target) continue;
        const chain = [...via, path.relative(root, file)];
        if (forbidden.has(target)) offending.push(`${chain.join(' → ')} → ${path.relative(root, target)}`);
        else queue.push([target, chain]);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect(offending).toEqual([]);
  });
});
