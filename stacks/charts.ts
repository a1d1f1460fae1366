import lock from '../charts.lock.json';
import { ChartLock } from '../lib/core/chart-lock';

/**
 * The repository's chart lock (`charts.lock.json`): every upstream chart the environments install,
 * at one version each. Update bots and people edit the JSON; stacks and constructs read it from here.
 */
export const CHARTS = ChartLock.parse(lock);
