/**
 * `ringlet/worker` (dist/ringlet-worker.js): the module every WorkerPool
 * Worker runs. A custom worker module imports defineTasks from it and
 * registers its tasks while it evaluates. Worker thread only; nothing here
 * runs on the audio thread.
 */
export { defineTasks, withTransfer } from './pool.js';
export type { TaskContext, TaskFunction } from './pool.js';
