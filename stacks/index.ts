import { EnvironmentInput } from '../lib/core/config';
import { airgap } from './airgap';
import { dev } from './dev';
import { prod } from './prod';

/** Every environment Kompile synthesizes, in `dist/<name>/`. Adding one is one small file, and its import and entry here (README, "Adding an environment"). */
export const environments: readonly EnvironmentInput[] = [dev, prod, airgap];
