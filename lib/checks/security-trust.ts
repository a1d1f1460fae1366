/**
 * Security rule on trust material (issue 15, "Secrets carrying private keys referenced for
 * distribution"), over all the objects of one environment, Kompile's own and what charts render; run
 * by the synth and by `kompile validate`.
 *
 * `trust-private-key`: what clients need to trust a CA is its certificate, which is public; its
 * private key signs certificates every client trusts. Distributing trust from a Secret that also holds
 * a private key puts the key where the certificate goes. A finding is:
 * - a pod volume (`secret`, or a `projected` volume's `secret` source) of a **CA Secret**: the
 *   `secretName` of a cert-manager Certificate with `isCA: true`, or the `spec.ca.secretName` of an
 *   Issuer (same namespace) or ClusterIssuer (cert-manager's cluster resource namespace). Only
 *   cert-manager reads a CA's key, through the API; no pod mounts it.
 * - a pod volume of any Secret that holds a private key (a Certificate's Secret, which cert-manager
 *   fills with `tls.key`; a Secret of type `kubernetes.io/tls` or with a `tls.key` key) that selects
 *   only certificate keys (`items` with `ca.crt` / `tls.crt` alone): the pod wants a CA bundle, and
 *   mounting it from the key's Secret gives it (and whoever may create pods there) the key too. The
 *   certificate comes from a ConfigMap a trust-manager Bundle writes (lib/core/trust-bundle.ts).
 * - a trust-manager Bundle (`trust.cert-manager.io`) Secret source with `includeAllKeys: true` or a
 *   `key` that names a private key (`tls.key`, or any key ending in `key` / `.key` / `-key.pem`):
 *   trust-manager copies the selected data into ConfigMaps of every target namespace, readable by
 *   anyone who may read ConfigMaps there. A Bundle whose source is one certificate key (`ca.crt`)
 *   of such a Secret is what trust-manager is for: it reads the Secret in its trust namespace only
 *   and writes that key alone (trust.cert-manager.io_bundles.yaml of trust-manager v0.20.2: `key`
 *   "Key of the entry in the object's data field to be used").
 *
 * Exceptions are per object and rule, like every security rule: an annotation
 * `kompile.dev/security-exception.trust-private-key` with its reason on the object judged (the
 * workload, or the Bundle); objects.ts `applySecurityException`.
 */
import { groupOf } from '../core/kinds';
import { applySecurityException, list, ManifestLike, ObjectFinding, Rec, rec } from './objects';
import { POD_TEMPLATE_PATHS } from './pods';

export type SecurityTrustRule = 'trust-private-key';

export const SECURITY_TRUST_RULES: readonly SecurityTrustRule[] = ['trust-private-key'];

export type SecurityTrustFinding = ObjectFinding<SecurityTrustRule>;

export interface SecurityTrustOptions {
  /**
   * The namespace of `objects[i]` when it has none of its own (a chart's object goes to its
   * Application's destination). @default - its metadata.namespace only
   */
  readonly namespaceOf?: (index: number) => string | undefined;
  /**
   * Where cert-manager reads ClusterIssuers' Secrets (its `--cluster-resource-namespace`, the
   * chart's release namespace by default). @default 'cert-manager'
   */
  readonly clusterResourceNamespace?: string;
}

const CERT_MANAGER = 'cert-manager.io';
const TRUST_MANAGER = 'trust.cert-manager.io';
/** Keys that hold certificates only (cert-manager's Secret layout: `ca.crt`, `tls.crt`, `tls.key`). */
const CERTIFICATE_KEYS = new Set(['ca.crt', 'tls.crt']);
/** A data key that names a private key. */
const PRIVATE_KEY_NAME = /(^|[._-])key$|\.key$|[._-]key\.pem$/i;

type SecretKind = 'ca' | 'key';

const isKind = (o: ManifestLike, group: string, ...kinds: string[]) => groupOf(o.apiVersion) === group && kinds.includes(o.kind);

/** Every finding of the rule over one environment's objects, exceptions applied. */
export function securityTrustFindings(objects: readonly ManifestLike[], options: SecurityTrustOptions = {}): SecurityTrustFinding[] {
  const namespaceOf = (i: number) => objects[i].metadata.namespace ?? options.namespaceOf?.(i) ?? '';
  const secrets = keySecrets(objects, namespaceOf, options.clusterResourceNamespace ?? 'cert-manager');
  const raw = [...volumeFindings(objects, namespaceOf, secrets), ...bundleFindings(objects)];
  const out: SecurityTrustFinding[] = [];
  objects.forEach((o, index) => {
    for (const rule of SECURITY_TRUST_RULES) {
      const { kept, problem } = applySecurityException(o, rule, raw.filter((f) => f.index === index && f.rule === rule));
      if (problem) out.push({ rule, index, ...problem });
      out.push(...kept);
    }
  });
  return out;
}

/** Secrets of the environment that hold a private key, `namespace/name` → CA or other key. */
function keySecrets(objects: readonly ManifestLike[], namespaceOf: (i: number) => string, clusterResourceNamespace: string): Map<string, SecretKind> {
  const out = new Map<string, SecretKind>();
  const add = (ns: string, name: unknown, kind: SecretKind) => {
    if (typeof name !== 'string' || name === '') return;
    const id = `${ns}/${name}`;
    if (out.get(id) !== 'ca') out.set(id, kind);
  };
  objects.forEach((o, i) => {
    const spec = rec(o.spec);
    if (isKind(o, CERT_MANAGER, 'Certificate')) add(namespaceOf(i), spec.secretName, spec.isCA === true ? 'ca' : 'key');
    else if (isKind(o, CERT_MANAGER, 'Issuer')) add(namespaceOf(i), rec(spec.ca).secretName, 'ca');
    else if (isKind(o, CERT_MANAGER, 'ClusterIssuer')) add(clusterResourceNamespace, rec(spec.ca).secretName, 'ca');
    else if (o.apiVersion === 'v1' && o.kind === 'Secret') {
      const keys = [...Object.keys(rec(o.data)), ...Object.keys(rec(o.stringData))];
      if (o.type === 'kubernetes.io/tls' || keys.some((k) => PRIVATE_KEY_NAME.test(k))) add(namespaceOf(i), o.metadata.name, 'key');
    }
  });
  return out;
}

/** Pod volumes of CA Secrets, and of key Secrets mounted for their certificates only. */
function volumeFindings(objects: readonly ManifestLike[], namespaceOf: (i: number) => string, secrets: ReadonlyMap<string, SecretKind>): SecurityTrustFinding[] {
  const out: SecurityTrustFinding[] = [];
  objects.forEach((o, index) => {
    const path = POD_TEMPLATE_PATHS[`${groupOf(o.apiVersion)}/${o.kind}`];
    if (!path) return;
    let template: unknown = o;
    for (const key of path) template = rec(template)[key];
    const at = `${path.map((k) => `/${k}`).join('')}/spec/volumes`;
    const ns = namespaceOf(index);
    const judge = (ref: Rec, pointer: string, volume: string) => {
      const name = typeof ref.secretName === 'string' ? ref.secretName : ref.name;
      const kind = secrets.get(`${ns}/${String(name)}`);
      if (!kind) return;
      if (kind === 'ca') {
        out.push({ rule: 'trust-private-key', index, pointer, message: `volume '${volume}' mounts Secret ${ns}/${String(name)}, which holds a CA's private key (cert-manager signs with it): no pod needs it; mount the CA's certificate from the ConfigMap a trust-manager Bundle writes` });
        return;
      }
      const items = list(ref.items).map((it) => String(it.key));
      if (items.length > 0 && items.every((k) => CERTIFICATE_KEYS.has(k))) {
        out.push({ rule: 'trust-private-key', index, pointer, message: `volume '${volume}' takes only ${items.join(', ')} from Secret ${ns}/${String(name)}, which also holds a private key: a CA bundle is mounted from the ConfigMap a trust-manager Bundle writes, not from the key's Secret` });
      }
    };
    for (const [i, v] of list(rec(rec(template).spec).volumes).entries()) {
      const volume = String(v.name);
      if (v.secret !== undefined) judge(rec(v.secret), `${at}/${i}/secret`, volume);
      for (const [j, s] of list(rec(v.projected).sources).entries()) if (s.secret !== undefined) judge(rec(s.secret), `${at}/${i}/projected/sources/${j}/secret`, volume);
    }
  });
  return out;
}

/** Bundle Secret sources that would copy a private key into ConfigMaps. */
function bundleFindings(objects: readonly ManifestLike[]): SecurityTrustFinding[] {
  const out: SecurityTrustFinding[] = [];
  objects.forEach((o, index) => {
    if (!isKind(o, TRUST_MANAGER, 'Bundle')) return;
    for (const [i, s] of list(rec(o.spec).sources).entries()) {
      if (s.secret === undefined) continue;
      const secret = rec(s.secret);
      const what = typeof secret.name === 'string' ? `Secret ${secret.name}` : 'the Secrets its selector matches';
      const pointer = `/spec/sources/${i}/secret`;
      if (secret.includeAllKeys === true) {
        out.push({ rule: 'trust-private-key', index, pointer: `${pointer}/includeAllKeys`, message: `source ${i} copies every key of ${what} into ConfigMaps of every target namespace, a private key included where there is one (cert-manager's Secrets hold tls.key): name the certificate key (ca.crt)` });
      } else if (typeof secret.key === 'string' && PRIVATE_KEY_NAME.test(secret.key)) {
        out.push({ rule: 'trust-private-key', index, pointer: `${pointer}/key`, message: `source ${i} copies key '${secret.key}' of ${what}, a private key, into ConfigMaps of every target namespace: name the certificate key (ca.crt)` });
      }
    }
  });
  return out;
}
