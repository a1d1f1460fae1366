import type { MlopsConfig } from '../core/config/mlops';
import type { ServingConfig } from '../core/config/serving';

/** The model API's route through the serving gateway. */
export interface ModelApiRoute {
  /** `<mlops.serving.name>.<serving.domain>`. */
  readonly host: string;
  readonly namespace: string;
  readonly port: number;
}

/**
 * The model API through the serving gateway, at `<name>.<serving domain>`, where both components
 * are on and `components.mlops.serving.route` asks for it: read by the serving stack (which routes
 * and authenticates it) and by the MLOps component (which binds its VirtualService to the gateway).
 */
export function modelApiRoute(serving: ServingConfig, mlops: MlopsConfig): ModelApiRoute | undefined {
  if (!mlops.enabled || !mlops.serving?.route || !serving.enabled) return undefined;
  return { host: `${mlops.serving.name}.${serving.domain}`, namespace: mlops.servingNamespace, port: mlops.serving.containerPort };
}
