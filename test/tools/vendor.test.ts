import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/tools/cli';
import { helmBinary, renderChart, runHelm } from '../../lib/tools/helm';
import { pullChart } from '../../lib/tools/vendor';

const DEMO = path.join(__dirname, '../fixtures/charts/demo');

/**
 * A classic Helm repository (index.yaml + chart archives made by the real helm) served on the
 * loopback interface by a separate process: helm runs synchronously, so the server cannot share
 * this process's event loop.
 */
describe('kompile vendor: helm pull from a Helm repository', () => {
  const helm = helmBinary();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-vendor-'));
  const repoDir = path.join(tmp, 'repo');
  let server: ChildProcess;
  let url = '';

  beforeAll(async () => {
    fs.mkdirSync(repoDir);
    runHelm(helm, ['package', DEMO, '--destination', repoDir]);
    const script = `
      const http = require('http'), fs = require('fs'), path = require('path');
      const root = process.argv[1];
      const s = http.createServer((req, res) => {
        const file = path.join(root, path.basename(decodeURIComponent(req.url.split('?')[0])));
        fs.readFile(file, (err, data) => { if (err) { res.statusCode = 404; res.end(); } else res.end(data); });
      });
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));
      setTimeout(() => process.exit(0), 120000).unref();`;
    server = spawn(process.execPath, ['-e', script, repoDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    url = `http://127.0.0.1:${port}`;
    runHelm(helm, ['repo', 'index', repoDir, '--url', url]);
  });

  afterAll(() => {
    server?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls a chart into charts/<name>, replacing an older copy, ready to render', () => {
    const into = path.join(tmp, 'charts');
    fs.mkdirSync(path.join(into, 'demo', 'templates'), { recursive: true });
    fs.writeFileSync(path.join(into, 'demo', 'templates', 'stale.yaml'), 'kind: Stale\n');
    const dir = pullChart(helm, { repo: url, chart: 'demo', version: '0.1.0', into });
    expect(dir).toBe(path.join(into, 'demo'));
    expect(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')).toContain('version: 0.1.0');
    expect(fs.existsSync(path.join(dir, 'templates', 'stale.yaml'))).toBe(false);
    const objects = renderChart(helm, { chartDir: dir, releaseName: 'r', namespace: 'ns' });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'CustomResourceDefinition', 'Deployment', 'Service', 'ServiceAccount']);
  });

  it('runs as `kompile vendor`, and reports a version the repository does not have', async () => {
    let out = '';
    let err = '';
    const io = { cwd: tmp, out: (t: string) => (out += t), err: (t: string) => (err += t) };
    expect(await run(['vendor', url, 'demo', '0.1.0', '--into', 'vendored'], io)).toBe(0);
    expect(out).toBe(`vendored demo 0.1.0 into ${path.join('vendored', 'demo')}\n`);
    expect(await run(['vendor', url, 'demo', '9.9.9'], io)).toBe(2);
    expect(err).toMatch(/helm pull demo --repo failed: .*9\.9\.9/);
  });
});
