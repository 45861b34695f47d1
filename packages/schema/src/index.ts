export * from './day.ts';
export * from './errors.ts';
export * from './event.ts';
export * from './settings.ts';
export * from './metrics.ts';
export * from './validate.ts';
export * from './args.ts';
export * from './scrub.ts';
