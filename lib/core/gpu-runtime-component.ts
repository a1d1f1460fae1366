import { defineClusterComponent } from './component-definition';
import { GpuRuntime, usesRuntimeClass } from './gpu-runtime';

/**
 * The RuntimeClass of GPU pods where the cluster lacks it (`cluster.gpu.createRuntimeClass`): before
 * every component that uses it.
 */
export const gpuRuntimeComponent = defineClusterComponent({
  name: 'gpu-runtime',
  build: ({ platform, cluster }) =>
    cluster.gpu?.createRuntimeClass && cluster.gpu.runtimeClassName
      ? new GpuRuntime(platform, 'GpuRuntime', { runtimeClassName: cluster.gpu.runtimeClassName, handler: cluster.gpu.runtimeHandler })
      : undefined,
  connect: (gpuRuntime, ctx) => {
    const name = gpuRuntime.runtimeClass.metadata.name!;
    for (const c of ctx.componentsByName().values()) if (c !== gpuRuntime && usesRuntimeClass(c, name)) c.dependsOn(gpuRuntime);
  },
});
