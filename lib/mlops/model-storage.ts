import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Driver name of the Kubernetes NFS CSI driver (kubernetes-csi/csi-driver-nfs). */
export const NFS_CSI_DRIVER = 'nfs.csi.k8s.io';

/** Where the shared model files live. */
export type ModelStorageBackend =
  | { readonly kind: 'hostPath'; readonly path: string }
  | { readonly kind: 'nfs'; readonly server: string; readonly share: string; readonly subDir?: string };

/** One namespace's view of the model volume. */
export interface ModelClaimSpec {
  readonly namespace: string;
  /** Serving reads; training writes. */
  readonly readOnly: boolean;
}

export interface ModelStorageProps {
  readonly backend: ModelStorageBackend;
  /** Capacity of each volume and claim, e.g. `20Gi`. */
  readonly size: string;
  /**
   * Storage class written on the volumes and claims, so that a claim binds only to its volume's
   * class: the shared (RWX) class for NFS, the default class for hostPath.
   */
  readonly storageClassName: string;
  /** The namespaces that see the volume. */
  readonly claims: readonly ModelClaimSpec[];
  /** Claim name in every namespace; volumes are named `<claimName>-<namespace>`. @default 'models' */
  readonly claimName?: string;
}

/**
 * One model store seen from several namespaces. A PersistentVolumeClaim is namespaced and a
 * PersistentVolume binds to one claim, so each namespace gets a static PersistentVolume of its own,
 * pre-bound to its claim (`claimRef` on the volume, `volumeName` on the claim), and every volume
 * points at the same storage: the same NFS export (through the NFS CSI driver, each volume with its
 * own `volumeHandle`, as the driver requires) or the same node directory.
 *
 * Read-only namespaces get a `ReadOnlyMany` claim on a read-only volume, so a serving pod cannot
 * write even if its mount forgets `readOnly`. Volumes are `Retain` and never pruned by Argo CD:
 * deleting a claim never deletes the models.
 */
export class ModelStorage extends Construct {
  readonly claimName: string;
  readonly volumes: k8s.KubePersistentVolume[] = [];
  readonly claims: k8s.KubePersistentVolumeClaim[] = [];

  constructor(scope: Construct, id: string, props: ModelStorageProps) {
    super(scope, id);
    this.claimName = props.claimName ?? 'models';
    if (props.claims.length === 0) throw new Error(`[${this.node.path}] prop 'claims' is empty; the model volume would be seen by no namespace`);
    const namespaces = props.claims.map((c) => c.namespace);
    if (new Set(namespaces).size !== namespaces.length) throw new Error(`[${this.node.path}] prop 'claims' names a namespace twice`);
    const capacity = { storage: k8s.Quantity.fromString(props.size) };

    for (const claim of props.claims) {
      const volumeName = `${this.claimName}-${claim.namespace}`;
      // hostPath volumes are one node's disk: ReadWriteOnce says so. NFS is shared: ReadWriteMany.
      const writeMode = props.backend.kind === 'nfs' ? 'ReadWriteMany' : 'ReadWriteOnce';
      const accessModes = [claim.readOnly ? 'ReadOnlyMany' : writeMode];
      const source: Partial<k8s.PersistentVolumeSpec> =
        props.backend.kind === 'nfs'
          ? {
              mountOptions: ['nfsvers=4.1'],
              csi: {
                driver: NFS_CSI_DRIVER,
                // Must be unique in the cluster for every PersistentVolume, even on the same export.
                volumeHandle: `${props.backend.server}#${props.backend.share}#${props.backend.subDir ?? ''}#${volumeName}`,
                readOnly: claim.readOnly,
                volumeAttributes: { server: props.backend.server, share: props.backend.share, ...(props.backend.subDir ? { subDir: props.backend.subDir } : {}) },
              },
            }
          : // 'Directory': a missing directory fails the mount loudly instead of being created root-owned (unwritable for uid 1000).
            { hostPath: { path: props.backend.path, type: 'Directory' } };

      const volume = new k8s.KubePersistentVolume(this, `Volume-${claim.namespace}`, {
        metadata: {
          name: volumeName,
          // Holding data: never pruned (the core marks every PersistentVolume Prune=false).
          labels: { 'kompile.dev/volume': this.claimName },
        },
        spec: {
          capacity,
          accessModes,
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: props.storageClassName,
          volumeMode: 'Filesystem',
          claimRef: { namespace: claim.namespace, name: this.claimName },
          ...source,
        },
      });
      const pvc = new k8s.KubePersistentVolumeClaim(this, `Claim-${claim.namespace}`, {
        metadata: { name: this.claimName, namespace: claim.namespace, labels: { 'kompile.dev/volume': this.claimName } },
        spec: {
          accessModes,
          storageClassName: props.storageClassName,
          volumeName,
          volumeMode: 'Filesystem',
          resources: { requests: capacity },
        },
      });
      pvc.addDependency(volume);
      this.volumes.push(volume);
      this.claims.push(pvc);
    }
  }
}
