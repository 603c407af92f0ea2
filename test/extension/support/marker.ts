/** Written by the main suite, read back by the restart suite in a new extension host. */
export const MARKER = { bucket: 'host-test', key: 'marker', type: 'register_mv' } as const;
