import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The Distribution registry binary (Debian package docker-registry, installed by .ci/run), if present. */
export const DOCKER_REGISTRY = ['/usr/bin/docker-registry', '/usr/sbin/docker-registry'].find((p) => fs.existsSync(p));

/** A free loopback port (closed again before the registry binds it). */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A Distribution registry on loopback, plain HTTP, storing under `dir`: its `host:port` and the process to kill. */
export interface LocalRegistry {
  readonly host: string;
  readonly process: ChildProcess;
}

/**
 * Starts the Distribution registry on a free loopback port with its storage in `dir/data` and waits
 * until it accepts connections (up to 10 s). `deleteEnabled` false as a site's registry would be.
 */
export async function startLocalRegistry(dir: string, options: { deleteEnabled?: boolean } = {}): Promise<LocalRegistry> {
  if (!DOCKER_REGISTRY) throw new Error('docker-registry is not installed (apt-get install docker-registry)');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const del = options.deleteEnabled === undefined ? '' : `  delete:\n    enabled: ${options.deleteEnabled}\n`;
  fs.writeFileSync(path.join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n${del}http:\n  addr: ${host}\n`);
  const child = spawn(DOCKER_REGISTRY, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), resolve(true))).on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, process: child };
}
